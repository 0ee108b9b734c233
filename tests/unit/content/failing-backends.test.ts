/**
 * Recomputes every number the lesson "When backends fail" derives — health-check delays,
 * the fast-failing black hole measured in the simulator, the ejection schedule, retry
 * amplification and budgets, adaptive throttling's rejection probability and where it
 * settles, the backoff table — and checks that the lesson prints exactly those strings. It
 * also keeps the exercise's description in step with its tests, and the references numbered
 * in order of first citation. The zone-loss figures come from the exercise's own harness, run
 * with the reference and fixture balancers.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Random } from '../../../src/sim/index.ts';
import {
  FAILING_BACKEND,
  FAILING_SHARE,
  buildPolicyRun,
  twoChoices,
  withOutlierEjection,
  type PolicyName,
} from '../../../src/scenarios/load-balancing-policies.ts';
import { lessonParts } from './lesson-checks.ts';
import { proseOf } from './mdx-prose.ts';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');
const lesson = read('../../../content/load-balancing/failing-backends.mdx');
const exerciseTest = read('../../../exercises/balancer-heterogeneous/balancer.test.ts');
const exerciseTypes = read('../../../exercises/balancer-heterogeneous/types.ts');
const exerciseHarness = read('../../../exercises/balancer-heterogeneous/harness.ts');

function expectInLesson(...snippets: string[]): void {
  for (const snippet of snippets) expect(lesson.includes(snippet), `the lesson should contain: ${snippet}`).toBe(true);
}

const { text: lessonText, references, quizzes } = lessonParts(lesson);

/** The number of the reference whose entry contains `url`, so that tests survive renumbering. */
function refTo(url: string): number {
  const n = [...references].find(([, entry]) => entry.includes(url))?.[0];
  expect(n, `a reference to ${url}`).toBeDefined();
  return n!;
}
const cite = (url: string): string => `[[${refTo(url)}]](#references)`;
const SRE_CH20 = 'https://sre.google/sre-book/load-balancing-datacenter/';
const SRE_CH21 = 'https://sre.google/sre-book/handling-overload/';

const num = (value: number): string => value.toLocaleString('en-US');
const pct = (x: number, decimals: number): string => `${(x * 100).toFixed(decimals)}%`;

/** A numeric constant declared in a source file, e.g. `const P99_BOUND_MS = 110;`. */
function constantIn(source: string, name: string): number {
  const match = new RegExp(`const ${name} = ([0-9_.]+);`).exec(source);
  if (!match?.[1]) throw new Error(`no constant ${name}`);
  return Number(match[1].replace(/_/g, ''));
}

describe('When backends fail: health checks', () => {
  it('a 30 s interval with a threshold of 2 misses a minute of traffic', () => {
    const intervalS = 30;
    const threshold = 2;
    const detectS = intervalS * threshold;
    const requests = 1_200 * detectS;
    expectInLesson(`With a ${intervalS} s interval and a threshold of ${threshold}, that takes about ${detectS} s`);
    expectInLesson(`at ${num(1_200)} requests per second that is ${num(requests)} requests`);
    expectInLesson(`${num(requests / 5)} of them go to the sick one`);
  });
});

describe('When backends fail: the fast-failing black hole', () => {
  const policies: [PolicyName, string][] = [
    ['round-robin', 'Round robin'],
    ['least-outstanding', 'Least outstanding requests'],
    ['two-choices', 'Two random choices'],
    ['two-choices-ejection', 'Two random choices with outlier ejection'],
  ];

  it('reproduces the table from seeded runs of the simulator', async () => {
    const rows = await Promise.all(
      policies.map(async ([policy, label]) => {
        const run = buildPolicyRun({ policy, ratePerS: 2_400, slowLinkMs: 0, failing: true, durationMs: 5_000, seed: 42 });
        await run.sim.runUntil(run.durationMs);
        const summary = run.sim.summary();
        const total = [...run.sent.values()].reduce((sum, n) => sum + n, 0);
        return { policy, label, share: run.sent.get(FAILING_BACKEND)! / total, errors: 1 - summary.availability };
      }),
    );
    for (const row of rows) expectInLesson(`| ${row.label} | ${pct(row.share, 1)} | ${pct(row.errors, 2)} |`);
    const [roundRobin, least, , ejecting] = rows;
    expect(least!.errors).toBeGreaterThan(roundRobin!.errors);
    expect(least!.share).toBeGreaterThan(roundRobin!.share);
    expect(ejecting!.errors).toBeLessThan(0.01);
    expectInLesson(`received ${pct(least!.share, 1)} under least outstanding requests against ${pct(roundRobin!.share, 1)} under round robin`);
    expectInLesson(`one backend that refuses ${pct(FAILING_SHARE, 0)} of its requests`);
    expectInLesson(`${pct(FAILING_SHARE, 0)} of a fifth is ${pct(FAILING_SHARE / 5, 0)} of all requests failing`);
  });

  it('credits the SRE book with the name sinkholing and teaches its fix', () => {
    expectInLesson(`the unhealthy backend is *sinkholing* traffic ${cite(SRE_CH20)}`);
    expectInLesson(`count recent errors as if they were active requests ${cite(SRE_CH20)}`);
    expectInLesson(`${refTo(SRE_CH20)}. "Load Balancing in the Datacenter."`);
  });

  it('the reference ejection skips a backend for 2 s after 5 failures, then 4 s after the next 5', () => {
    const picker = withOutlierEjection(twoChoices(new Random(1)));
    const views = ['s1', 's2', 's3'].map((name) => ({ name, outstanding: 0 }));
    const ejectedFor = (start: number): number => {
      for (let i = 0; i < 5; i++) picker.onResult!('s2', false, start + i);
      const last = start + 4;
      let t = last;
      while (t < last + 60_000) {
        const chosen = new Set(Array.from({ length: 40 }, () => picker.pick(views, t)));
        if (chosen.has('s2')) return t - last;
        t += 100;
      }
      return Infinity;
    };
    const first = ejectedFor(0);
    const second = ejectedFor(10_000);
    expect(first).toBe(2_000);
    expect(second).toBe(4_000);
    expectInLesson(`after 5 failures in a row the failing backend is skipped for ${first / 1000} s, then ${second / 1000} s`);
  });
});

describe('When backends fail: retries', () => {
  it('attempts multiply through layers', () => {
    expectInLesson(`can be tried 3⁵ = ${3 ** 5} times there`);
    expectInLesson(`3⁵ = ${3 ** 5}, the figure`);
    expectInLesson(`That is 3⁴, four layers`);
    expect(3 ** 4).toBe(81);
    expectInLesson('{ text: "81"');
  });

  it('a fixed retry count multiplies load, and a 20% budget caps it', () => {
    const retries = 3;
    expectInLesson(`With ${retries} retries (${retries + 1} attempts), a backend that fails everything receives ${retries + 1} times its normal load`);
    const budget = 0.2;
    expectInLesson(`With a ${pct(budget, 0)} budget, a backend that fails everything sees at most ${1 + budget} times its normal load instead of ${retries + 1} times`);
    expectInLesson(`total load stays near ${1 + budget} times normal`);
    expectInLesson(`from 3 to 5`, `up to ${5 + 1} attempts per request`);
  });

  it('ties the 20% budget to the bound the exercise grades', () => {
    const bound = constantIn(exerciseTypes, 'MAX_RETRY_AMPLIFICATION');
    const budget = 0.2;
    // A budget of exactly 20% earns retries for 20% of the requests, the whole bound, before
    // anything saved up is spent: it has no room for a reserve.
    expect(1 + budget).toBeCloseTo(bound, 12);
    expectInLesson(`your client's attempts may be at most ${bound} times its requests, counted from the first moment of the outage`);
    expectInLesson(`A budget of exactly ${pct(budget, 0)} therefore lands on the bound`);
    expectInLesson(`The SRE book's 10%, with no more than a few retries saved`);
    expectInLesson(`backends that refuse ${pct(constantIn(exerciseTest, 'TRANSIENT_ERROR_RATE'), 0)} of requests at random`);
  });

  it('counts the retry budget, not backoff, as what bounds retries under a sustained failure', () => {
    const quiz = /<Quiz\s+question="[^"]*What keeps their retries from overloading it\?"[\s\S]*?\/>/.exec(lesson)?.[0];
    expect(quiz, 'the quiz on what keeps retries from overloading a failing backend').toBeDefined();
    const option = (start: string): string => quiz!.split('\n').find((line) => line.includes(`{ text: "${start}`)) ?? '';
    expect(option('A retry budget')).toContain('correct: true');
    expect(option('Capped exponential backoff')).not.toBe('');
    expect(option('Capped exponential backoff'), 'backoff only delays retries from open-loop clients').not.toContain('correct: true');
    // Open loop: new requests keep coming whatever the clients wait, so in steady state every
    // request makes all its attempts and the attempt rate is the request rate times the attempts.
    const rate = 1_200;
    const retries = 3;
    expectInLesson(`At ${num(rate)} requests per second with ${retries} retries each, a backend that fails everything receives ${num(rate * (retries + 1))} attempts per second`);
    expectInLesson(`so with ${retries} retries the backend still sees ${retries + 1} times its normal load, a little later`);
    expectInLesson('https://brooker.co.za/blog/2022/08/11/backoff.html');
  });

  it('dates retry budgets by what the sources say, not by who was first', () => {
    expect(/pioneer/i.test(lesson), 'no source says who pioneered retry budgets').toBe(false);
    expectInLesson('`RetryBudget` in release 6.31.0, in December 2015');
    expectInLesson('since release 6.31.0 (December 2015)');
    expectInLesson('Finagle blog, 8 February 2016');
    expectInLesson('retries make up less than 10% of its requests');
    expectInLesson(`${refTo('finagle/blob/develop/CHANGELOG.rst')}. Finagle changelog, release 6.31.0`, SRE_CH21);
  });

  it('prints the upper limits of capped exponential backoff', () => {
    const base = 100;
    const cap = 2_000;
    const limits = [1, 2, 3, 4, 5, 6].map((k) => Math.min(cap, base * 2 ** (k - 1)));
    expectInLesson(`With a base of ${base} ms and a cap of ${cap / 1000} s`);
    expectInLesson(`| Wait drawn from 0 to | ${limits.map((ms) => `${num(ms)} ms`).join(' | ')} |`);
  });
});

describe('When backends fail: adaptive throttling', () => {
  /** The SRE book's client request rejection probability (chapter 21, "Client-Side Throttling"). */
  const rejectProbability = (requests: number, accepts: number, k: number): number =>
    Math.max(0, (requests - k * accepts) / (requests + 1));
  const windowS = 120;
  const demand = 100;
  const capacity = 20;

  /**
   * The client and backend second by second, in expectation: the application asks for `demand`
   * requests, the client sends each with probability 1 − p computed from the last two minutes,
   * and the backend accepts at most `capacity` of those it receives.
   */
  function settle(k: number, seconds = 1_200): { reject: number; sent: number; accepted: number } {
    const asked: number[] = [];
    const accepted: number[] = [];
    let last = { reject: 0, sent: 0, accepted: 0 };
    for (let t = 0; t < seconds; t++) {
      const from = Math.max(0, t - windowS);
      const sum = (xs: number[]) => xs.slice(from).reduce((a, b) => a + b, 0);
      const reject = rejectProbability(sum(asked), sum(accepted), k);
      const sent = demand * (1 - reject);
      asked.push(demand);
      accepted.push(Math.min(sent, capacity));
      last = { reject, sent, accepted: accepted[t]! };
    }
    return last;
  }

  it('prints the formula, the two-minute window and K = 2 as the book gives them', () => {
    expectInLesson('```text\nmax(0, (requests − K × accepts) / (requests + 1))\n```');
    expectInLesson('keeps two counts in each client over the last two minutes');
    expectInLesson(`The book generally uses K = 2 ${cite(SRE_CH21)}`);
    // Nothing is rejected while the backend accepts at least 1 in K requests.
    expect(rejectProbability(1_000, 500, 2)).toBe(0);
    expect(rejectProbability(1_000, 499, 2)).toBeGreaterThan(0);
    expectInLesson('until the backend accepts fewer than 1 in K requests');
  });

  it('works the example: a backend with room for a fifth of the demand', () => {
    const requests = demand * windowS;
    const accepts = capacity * windowS;
    const k = 2;
    const reject = rejectProbability(requests, accepts, k);
    const reaching = demand * (1 - reject);
    expect(capacity / demand).toBe(0.2);
    expectInLesson(`The application asks for ${demand} requests per second, and the backend has room for ${capacity} of them, a fifth`);
    expectInLesson(`Without throttling the backend receives all ${demand} and rejects ${demand - capacity}`);
    expectInLesson(
      `the client's counts settle at ${num(requests)} requests and ${num(accepts)} accepts per two minutes, and it rejects ` +
        `(${num(requests)} − ${k} × ${num(accepts)}) / ${num(requests + 1)} = ${pct(reject, 1)} of the requests itself`,
    );
    expect(Math.round(reaching)).toBe(k * capacity);
    expectInLesson(`The other ${Math.round(reaching)} per second reach the backend, which accepts ${capacity} and rejects ${Math.round(reaching) - capacity}`);
    expectInLesson('one rejection for each request it serves');
  });

  it('settles where the example says, run second by second from a cold start', () => {
    for (const k of [2, 1.1]) {
      const s = settle(k);
      expect(s.accepted).toBeCloseTo(capacity, 6);
      expect(s.sent).toBeCloseTo(k * capacity, 1);
      expect(s.reject).toBeCloseTo(rejectProbability(demand * windowS, capacity * windowS, k), 3);
    }
    expectInLesson('once throttling has settled, the backend receives K times what it accepts');
  });

  it('prices the smaller multiplier K = 1.1', () => {
    const k = 1.1;
    const reject = rejectProbability(demand * windowS, capacity * windowS, k);
    const reaching = Math.round(demand * (1 - reject));
    expect(reaching).toBe(Math.round(k * capacity));
    const rejected = reaching - capacity;
    expect(capacity / rejected).toBe(10);
    expectInLesson(
      `With K = ${k}, the client in the example rejects ${pct(reject, 1)} itself, ${reaching} requests per second reach the backend, ` +
        `and it rejects ${rejected} for its ${capacity} accepted, one for every ten`,
    );
  });

  it('keeps a trickle going when the backend accepts nothing', () => {
    const requests = demand * windowS;
    const reject = rejectProbability(requests, 0, 2);
    expect(reject).toBeLessThan(1);
    expect(reject).toBe(requests / (requests + 1));
    const secondsBetween = 1 / (demand * (1 - reject));
    expectInLesson(`the client rejects each request with probability ${num(requests)} / ${num(requests + 1)}, not 1`);
    expectInLesson(`at ${demand} requests per second, about one request every ${Math.round(secondsBetween)} seconds still goes out`);
  });

  it('the throttling quiz has its numbers right', () => {
    const quiz = quizzes.find((q) => q.includes('K = 2 counted 12,000 requests and 2,400 accepts'));
    expect(quiz, 'the adaptive-throttling quiz').toBeDefined();
    const [requests, accepts, k] = [12_000, 2_400, 2];
    const reject = rejectProbability(requests, accepts, k);
    const correct = quiz!.split('\n').filter((line) => line.includes('correct: true'));
    expect(correct).toHaveLength(1);
    expect(correct[0]).toContain(`{ text: "About ${Math.round(reject * 100)}%"`);
    expect(reject).toBeLessThan(0.6);
    expect(correct[0]).toContain(`(${num(requests)} − ${k} × ${num(accepts)}) / (${num(requests)} + 1) = ${num(requests - k * accepts)} / ${num(requests + 1)}, just under 60%`);
    expect(quiz).toContain(`here ${num(requests)} against ${k} × ${num(accepts)} = ${num(k * accepts)}`);
    expect(quiz).toContain(`{ text: "${Math.round((1 - accepts / requests) * 100)}%, the share of requests that were not accepted"`);
  });
});

describe('When backends fail: the exercise', () => {
  it('describes the bounds its tests enforce', () => {
    expectInLesson(`an error rate below ${pct(constantIn(exerciseTest, 'ERROR_RATE_BOUND'), 0)}`);
    expectInLesson(`a p99 latency of successful requests below ${constantIn(exerciseTest, 'P99_BOUND_MS')} ms`);
    expectInLesson(`a p99 at most ${pct(constantIn(exerciseTest, 'VS_ROUND_ROBIN'), 0)} of round robin's`);
    expectInLesson(`at most ${constantIn(exerciseTest, 'SPREAD_BOUND')} times the mean`);
    expectInLesson(`after ${constantIn(exerciseTypes, 'EJECT_AFTER_CONSECUTIVE_FAILURES')} consecutive failures`);
    expectInLesson(`not picked for at least ${constantIn(exerciseTypes, 'MIN_EJECTION_MS') / 1000} s`);
    expectInLesson(`picked again within ${constantIn(exerciseTypes, 'MAX_FIRST_EJECTION_MS') / 1000} s`);
    expectInLesson(`the client's ${constantIn(exerciseHarness, 'TIMEOUT_MS')} ms timeout`);
    expectInLesson('`pick(backends, now, attempt)`', '`retry(backend, outcome, now)`');
    expectInLesson(`a request makes at most ${constantIn(exerciseTypes, 'MAX_ATTEMPTS_PER_REQUEST')} attempts`);
    expectInLesson(
      `with every backend refusing ${pct(constantIn(exerciseTest, 'TRANSIENT_ERROR_RATE'), 0)} of requests at random, ` +
        `at most ${pct(constantIn(exerciseTest, 'RETRIED_ERROR_RATE_BOUND'), 0)} of requests failing in the end`,
    );
    expectInLesson(
      `down for ${constantIn(exerciseTest, 'OUTAGE_MS') / 1000} s, at most ` +
        `${constantIn(exerciseTypes, 'MAX_RETRY_AMPLIFICATION')} attempts per request that arrives`,
    );
    expect(exerciseHarness).toContain('options.ratePerS ?? 1200');
    expectInLesson(`a client sending ${num(1_200)} requests per second`);
    expectInLesson('<Exercise id="balancer-heterogeneous" />');
  });
});

describe('When backends fail: a zone goes dark', () => {
  /**
   * The exercise's harness and balancers import `@faultlines/sim` and `./types.ts` as the
   * grader lays them out, so copies go into a temporary folder, the simulator's name replaced
   * by its path.
   */
  const work = mkdtempSync(join(tmpdir(), 'faultlines-zone-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const simPath = fileURLToPath(new URL('../../../src/sim/index.ts', import.meta.url));
  const layOut = (folder: string, files: Record<string, string>): string => {
    const dir = join(work, folder);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text.replaceAll("'@faultlines/sim'", `'${simPath}'`));
    return dir;
  };
  const exerciseFile = (name: string): string => read(`../../../exercises/balancer-heterogeneous/${name}`);
  type Harness = typeof import('../../../exercises/balancer-heterogeneous/harness.ts');
  type Factory = Parameters<Harness['runScenario']>[0];
  const harnessDir = layOut('exercise', { 'harness.ts': exerciseHarness, 'types.ts': exerciseTypes });
  const loadHarness = (): Promise<Harness> => import(pathToFileURL(join(harnessDir, 'harness.ts')).href) as Promise<Harness>;
  const loadBalancer = async (name: string, source: string): Promise<Factory> => {
    const dir = layOut(name, { 'balancer.ts': source, 'types.ts': exerciseTypes });
    return ((await import(pathToFileURL(join(dir, 'balancer.ts')).href)) as { createBalancer: Factory }).createBalancer;
  };
  const fixture = (name: string): string => read(`../../../tests/fixtures/components/balancer-heterogeneous/${name}/balancer.ts`);
  const exerciseSeed = (JSON.parse(exerciseFile('exercise.json')) as { seed: number }).seed;

  it('explains the 120 requests sent before the first timeout, and the 1 pick in 10 of two random choices', () => {
    const rate = 1_200;
    const dark = 2;
    const backends = 5;
    const timeoutMs = constantIn(exerciseHarness, 'TIMEOUT_MS');
    const perSecond = (rate * dark) / backends;
    expectInLesson(`one of its runs cuts a zone of two off the network for ${constantIn(exerciseTest, 'ZONE_DARK_MS') / 1000} s`);
    expectInLesson(
      `at ${num(rate)} requests per second, two backends of five receive ${num(perSecond)} a second, so ` +
        `${num((perSecond * timeoutMs) / 1000)} requests are sent there in the first ${timeoutMs} ms`,
    );
    // Two different backends drawn from five: both dark in C(2,2) / C(5,2) of the draws.
    const bothDark = 1 / ((backends * (backends - 1)) / 2);
    expect(bothDark).toBe(1 / 10);
    expectInLesson('both backends it draws are dark in 1 pick in 10');
  });

  it('reproduces the table from the exercise\'s zone run with its default seed', async () => {
    const harness = await loadHarness();
    // The run as balancer.test.ts makes it: the zone drawn from the seed, the run seeded seed + 5.
    expect(exerciseTest).toContain("const zone = zones[new Random(seed).fork('zone').int(zones.length)]!;");
    expect(exerciseTest).toContain('seed: seed + 5,');
    expect(exerciseTest).toContain('const startMs = 1_000;');
    const zones = Object.keys(harness.ZONES).filter((zone) => harness.ZONES[zone]!.length > 1);
    const zone = zones[new Random(exerciseSeed).fork('zone').int(zones.length)]!;
    const darkMs = constantIn(exerciseTest, 'ZONE_DARK_MS');
    const run = (factory: Factory) =>
      harness.runScenario(factory, {
        seed: exerciseSeed + 5,
        durationMs: 1_000 + darkMs,
        slow: null,
        failing: null,
        zoneLoss: { zone, startMs: 1_000, endMs: 1_000 + darkMs },
      });
    const rows: [string, Factory][] = [
      ['Round robin', harness.createRoundRobin],
      ['Round robin with outlier ejection', await loadBalancer('rr', fixture('bug-round-robin-ejection'))],
      ['Two random choices on outstanding requests, with ejection', await loadBalancer('reference', read('../../../solutions/balancer-heterogeneous/balancer.ts'))],
      ['Least outstanding requests, with ejection', await loadBalancer('least', fixture('alt-least-outstanding'))],
    ];
    const failed: number[] = [];
    for (const [label, factory] of rows) {
      const report = await run(factory);
      const during = report.duringZoneLoss!;
      failed.push(during.failed);
      expectInLesson(`| ${label} | ${num(during.failed)} |`);
      expectInLesson(`${num(during.requests)} requests arrive while zone ${zone} is dark`);
    }
    // Each row does better than the one above it, and the last two pass the exercise's bound.
    for (let i = 1; i < failed.length; i++) expect(failed[i]).toBeLessThan(failed[i - 1]!);
    const bound = constantIn(exerciseTest, 'ZONE_LOSS_FAILED_BOUND');
    expect(failed[1]).toBeGreaterThan(bound);
    expect(failed[2]).toBeLessThanOrEqual(bound);
    expectInLesson(`when a zone of two backends goes dark for ${darkMs / 1000} s, at most ${bound} of the requests that arrive meanwhile failing`);
  });

  it('works out what Envoy\'s ejection cap and panic threshold do with two hosts of five lost', () => {
    const maxEjectionPercent = 10;
    const hosts = 5;
    // Envoy ejects a host only if (ejected + 1) / hosts stays within max_ejection_percent.
    expect((100 * (0 + 1)) / hosts).toBeGreaterThan(maxEjectionPercent);
    expectInLesson(`\`max_ejection_percent\` is ${maxEjectionPercent}% by default ${cite('outlier_detection.proto')}`);
    expectInLesson(`In a cluster of five, one host is already ${(100 * 1) / hosts}%`);
    expectInLesson(`unless \`always_eject_one_host\` is set ${cite('outlier_detection_impl.cc')}`);
    expectInLesson(`release 1.31.0 added that option, to let one host go whatever the percentage ${cite('changelogs/1.31.0.yaml')}`);
    const panic = 50;
    expect((100 * (hosts - 2)) / hosts).toBeGreaterThanOrEqual(panic);
    expect((100 * (hosts - 3)) / hosts).toBeLessThan(panic);
    expectInLesson(`two hosts lost of five leave ${(100 * 3) / 5}% healthy, above the default threshold of ${panic}% ${cite('panic_threshold')}`);
    expectInLesson(`Had the zone held three of the five, ${(100 * 2) / 5}% healthy would be below it`);
    expect(lesson).not.toContain('10% by default, but at least one host');
  });

  it('asks which signal reacts first, with one right answer', () => {
    const quiz = quizzes.find((q) => q.includes('When does it stop sending requests into the dark zone?'));
    expect(quiz, 'the zone quiz').toBeDefined();
    const correct = quiz!.split('\n').filter((line) => line.includes('correct: true'));
    expect(correct).toHaveLength(1);
    expect(correct[0]).toContain('Within a few milliseconds');
  });
});

describe('When backends fail: what the exercise says about Envoy', () => {
  it('places the panic threshold at 50% healthy hosts, not at every host ejected', () => {
    // Envoy's panic threshold defaults to 50%: below that share of healthy hosts it balances
    // over all of them (envoyproxy.io, "Panic threshold").
    const sentence = /Envoy[^`]*panic threshold[^`]*/.exec(exerciseTest.replace(/' \+\s*'/g, ''))?.[0] ?? '';
    expect(sentence, 'the exercise test mentions the panic threshold').not.toBe('');
    expect(sentence).toContain('fewer than 50% of hosts are healthy, by default');
    expect(sentence).not.toMatch(/calls this the panic threshold/);
    expectInLesson(`once fewer than 50% of a cluster's hosts are healthy, it ignores health and balances over all of them ${cite('panic_threshold')}`);
  });
});

describe('When backends fail: the live simulation', () => {
  it('embeds the policy simulation, as the README says every lesson has one, and names its failing backend', async () => {
    const { scenario } = await import('../../../src/scenarios/load-balancing-policies.ts');
    expectInLesson(`<Simulation scenario="${scenario.id}" />`);
    expect(lesson.includes('the previous lesson to "one backend fails'), 'the page has its own simulation now').toBe(false);
    const failing = scenario.params.find((p) => p.name === 'failing');
    expect(failing?.label).toBeDefined();
    expectInLesson(`Turn on "${failing!.label}"`, `the failing backend is ${FAILING_BACKEND}`);
    const readme = read('../../../README.md').replace(/\s+/g, ' ');
    expect(readme).toContain('Every lesson has learning objectives, a live simulation, self-check quizzes and references');
  });
});

describe('When backends fail: the page itself', () => {
  it('keeps MDX-special characters out of the prose and starts the body below the title', () => {
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose), 'the page renders the title; the body must not add an H1').toBe(false);
  });
});

describe('When backends fail: references', () => {
  it('numbers its references 1, 2, 3, … in order of first citation, and cites every one', () => {
    const order = [...lessonText.matchAll(/\[\[(\d+)\]\]\(#references\)/g)].map((m) => Number(m[1]));
    const firsts = order.filter((x, i) => order.indexOf(x) === i);
    expect([...references.keys()]).toEqual(Array.from({ length: references.size }, (_, i) => i + 1));
    expect(firsts).toEqual([...references.keys()]);
  });

  it('names the sections of the SRE book chapter 21 it draws on', () => {
    expect(references.get(refTo(SRE_CH21))).toContain('(sections "Client-Side Throttling" and "Deciding to Retry")');
  });
});
