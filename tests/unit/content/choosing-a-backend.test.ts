/**
 * Recomputes every number the lesson "Choosing a backend" derives — the smooth weighted
 * round robin order, the balls-into-bins table, the supermarket-model table, the simulator
 * runs, the connection counts and spreads of random and deterministic subsetting, and the
 * skew of balancing HTTP/2 connections — and checks that the lesson prints exactly those
 * strings. Figures quoted from papers and documentation are not recomputed, but are checked
 * against each other where the source gives them two ways.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/sim/index.ts';
import {
  SLOW_BACKEND,
  buildPolicyRun,
  maxLoadBallsIntoBins,
  supermarketTimeInSystem,
  weightedRoundRobin,
  type PolicyName,
} from '../../../src/scenarios/load-balancing-policies.ts';
import { lessonParts } from './lesson-checks.ts';
import { proseOf } from './mdx-prose.ts';

const lesson = readFileSync(new URL('../../../content/load-balancing/choosing-a-backend.mdx', import.meta.url), 'utf8');

function expectInLesson(...snippets: string[]): void {
  for (const snippet of snippets) expect(lesson.includes(snippet), `the lesson should contain: ${snippet}`).toBe(true);
}

const num = (value: number, decimals = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

function wrrOrder(weights: Record<string, number>, picks: number): string {
  const picker = weightedRoundRobin(weights);
  const backends = Object.keys(weights).map((name) => ({ name, outstanding: 0 }));
  return Array.from({ length: picks }, (_, i) => picker.pick(backends, i)).join(' ');
}

async function p99(policy: PolicyName, ratePerS: number, slowLinkMs: number) {
  const run = buildPolicyRun({ policy, ratePerS, slowLinkMs, durationMs: 5_000, seed: 42 });
  await run.sim.runUntil(run.durationMs);
  return run.sim.summary().latency;
}

describe('Choosing a backend: weighted round robin', () => {
  it('smooth weighted round robin interleaves weights 5, 1, 1 as the lesson shows', () => {
    expectInLesson(`\`\`\`text\n${wrrOrder({ a: 5, b: 1, c: 1 }, 7)}\n\`\`\``);
  });

  it('the quiz answer for weights 3, 1 is the order the code produces', () => {
    expectInLesson(`{ text: "<code>${wrrOrder({ a: 3, b: 1 }, 4)}</code>", correct: true`);
  });
});

describe('Choosing a backend: balls into bins', () => {
  const sizes = [1_000, 10_000, 100_000, 1_000_000];
  const rows = sizes.map((n) => {
    const one = maxLoadBallsIntoBins(n, 1, new Random(1).fork(`one-${n}`));
    const two = maxLoadBallsIntoBins(n, 2, new Random(1).fork(`two-${n}`));
    return { n, one, two, oneFormula: Math.log(n) / Math.log(Math.log(n)), twoFormula: Math.log(Math.log(n)) / Math.log(2) };
  });

  it('prints the seeded maximum loads and the two formulas for every n', () => {
    for (const r of rows) {
      expectInLesson(`| ${num(r.n)} | ${r.oneFormula.toFixed(2)} | ${r.one} | ${r.twoFormula.toFixed(2)} | ${r.two} |`);
    }
  });

  it('shows the gap: two choices never fill a bin as far as one choice does', () => {
    for (const r of rows) expect(r.two).toBeLessThan(r.one);
    const million = rows[rows.length - 1]!;
    expect(million.one).toBeGreaterThanOrEqual(2 * million.two);
    expectInLesson(`the fullest bin holds ${million.one} balls with one random choice and ${million.two} with the better of two`);
    expectInLesson(`the fullest bin held ${million.one} balls with one choice and ${million.two} with two`);
  });
});

describe('Choosing a backend: the supermarket model', () => {
  const loads = [0.5, 0.8, 0.9, 0.95, 0.99];

  it('prints the expected time in system for d = 1, 2 and 3', () => {
    for (const lambda of loads) {
      const [one, two, three] = [1, 2, 3].map((d) => supermarketTimeInSystem(lambda, d).toFixed(2));
      expectInLesson(`| ${Math.round(lambda * 100)}% | ${one} | ${two} | ${three} |`);
    }
  });

  it('quotes the 50%, 90% and 99% figures in the prose and the quiz', () => {
    const t = (lambda: number, d: number) => supermarketTimeInSystem(lambda, d).toFixed(2);
    expectInLesson(`random costs you a factor of ${t(0.5, 1)} and two choices a factor of ${t(0.5, 2)}`);
    expectInLesson(`At 99% busy, random costs ${t(0.99, 1)} and two choices ${t(0.99, 2)}`);
    expectInLesson(`the model gives ${t(0.9, 1)} service times for random and ${t(0.9, 2)} for two choices`);
    expectInLesson(`1/(1 − 0.9) = ${Math.round(1 / (1 - 0.9))} for random`);
    // The series written out in the quiz: exponents 2^i − 2.
    expect([1, 2, 3, 4].map((i) => 2 ** i - 2)).toEqual([0, 2, 6, 14]);
    expectInLesson(`1 + 0.9² + 0.9⁶ + 0.9¹⁴ + … is about ${t(0.9, 2)}`);
  });

  it('a third choice helps far less than the second', () => {
    const gain2 = supermarketTimeInSystem(0.99, 1) / supermarketTimeInSystem(0.99, 2);
    const gain3 = supermarketTimeInSystem(0.99, 2) / supermarketTimeInSystem(0.99, 3);
    expect(gain2).toBeGreaterThan(10 * gain3);
  });
});

describe('Choosing a backend: the simulator', () => {
  it('states the capacity of five backends with 4 workers at 5 ms', () => {
    const capacity = (5 * 4 * 1000) / 5;
    expectInLesson(`serve ${num(capacity)} requests per second between them`);
    expectInLesson(`raise the rate to ${num(3_400)} requests per second, ${Math.round((3_400 / capacity) * 100)}% of capacity`);
  });

  it('reproduces the p99 latencies with a slow link at 2,400 requests per second', async () => {
    const [roundRobin, least, two] = await Promise.all([
      p99('round-robin', 2_400, 10),
      p99('least-outstanding', 2_400, 10),
      p99('two-choices', 2_400, 10),
    ]);
    expectInLesson(
      `p99 latency is ${roundRobin.p99Ms.toFixed(1)} ms under round robin, ${least.p99Ms.toFixed(1)} ms under least ` +
        `outstanding requests and ${two.p99Ms.toFixed(1)} ms under two random choices`,
    );
  });

  it('reproduces random against two choices at 85% utilisation', async () => {
    const [random, two] = await Promise.all([p99('random', 3_400, 0), p99('two-choices', 3_400, 0)]);
    expectInLesson(
      `random assignment has a median of ${random.p50Ms.toFixed(1)} ms and a p99 of ${random.p99Ms.toFixed(1)} ms; ` +
        `two random choices have a median of ${two.p50Ms.toFixed(1)} ms and a p99 of ${two.p99Ms.toFixed(1)} ms`,
    );
  });
});

describe('Choosing a backend: least outstanding requests needs overlap', () => {
  async function slowShare(policy: PolicyName, ratePerS: number, durationMs: number): Promise<number> {
    const run = buildPolicyRun({ policy, ratePerS, slowLinkMs: 10, durationMs, seed: 42 });
    await run.sim.runUntil(run.durationMs);
    const total = [...run.sent.values()].reduce((sum, n) => sum + n, 0);
    return run.sent.get(SLOW_BACKEND)! / total;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

  it('calls the local count a limitation, as the SRE book does, and prices it for many clients', () => {
    expect(lesson.includes('That is fine: every client is pushed the same way'), 'the local count is a limitation, not fine').toBe(false);
    expectInLesson('lists exactly this as one of two limitations of its least-loaded round robin');
    expectInLesson('about twice the CPU of the least loaded');
    const rate = 2_400;
    const clients = 240;
    expectInLesson(`the ${num(rate)} requests per second of the simulator below, spread over ${clients} clients, is ${rate / clients} requests per second each`);
    expectInLesson(`at ${rate / clients} requests per second, near round robin's`);
    expectInLesson('https://sre.google/sre-book/load-balancing-datacenter/');
  });

  it('steers away from a slow backend under load, and hardly at all at a trickle', async () => {
    const [busy, trickle, roundRobin] = await Promise.all([
      slowShare('least-outstanding', 2_400, 5_000),
      slowShare('least-outstanding', 10, 60_000),
      slowShare('round-robin', 10, 60_000),
    ]);
    // At 10 requests per second the counts are almost always 0 and the random tie-break picks.
    expect(trickle).toBeGreaterThan(0.15);
    expect(busy).toBeLessThan(trickle / 3);
    expectInLesson(
      `least outstanding requests sends that backend ${pct(busy)} of the requests at ${num(2_400)} requests per second, ` +
        `but ${pct(trickle)} at 10 requests per second, near round robin's ${pct(roundRobin)} (seeded runs of five seconds and of a minute)`,
    );
  });
});

describe('Choosing a backend: the page itself', () => {
  it('keeps MDX-special characters out of the prose and starts the body below the title', () => {
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose), 'the page renders the title; the body must not add an H1').toBe(false);
    expectInLesson('<Simulation scenario="load-balancing-policies" />');
  });
});

/** Fisher–Yates with the course's seeded generator. */
function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** How many clients connect to each backend when every client keeps the first `size` of its own shuffle. */
function randomSubsetCounts(clients: number, backends: number, size: number, random: Random): number[] {
  const counts = new Array<number>(backends).fill(0);
  for (let c = 0; c < clients; c++) for (const b of shuffled(range(backends), random).slice(0, size)) counts[b]!++;
  return counts;
}

/** The SRE book's deterministic subsetting: rounds of clients share a shuffle seeded by the round. */
function deterministicSubset(backends: number, clientId: number, size: number): number[] {
  const subsetCount = Math.floor(backends / size);
  const round = Math.floor(clientId / subsetCount);
  const order = shuffled(range(backends), new Random(round));
  const subsetId = clientId % subsetCount;
  return order.slice(subsetId * size, subsetId * size + size);
}

function deterministicSubsetCounts(clients: number, backends: number, size: number): number[] {
  const counts = new Array<number>(backends).fill(0);
  for (let c = 0; c < clients; c++) for (const b of deterministicSubset(backends, c, size)) counts[b]!++;
  return counts;
}

/** How many backends hold each connection count, e.g. { 2: 6, 3: 6 }. */
function histogram(counts: readonly number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const c of counts) out[c] = (out[c] ?? 0) + 1;
  return out;
}

const pct1 = (x: number, decimals = 1): string => `${(x * 100).toFixed(decimals)}%`;

/** The <Quiz …/> whose question contains `text`. */
function quizAbout(text: string): string {
  const quiz = lessonParts(lesson).quizzes.find((q) => /question="([^"]*)"/.exec(q)![1]!.includes(text));
  expect(quiz, `a quiz asking about ${text}`).toBeDefined();
  return quiz!;
}

/** The one option line of a quiz marked correct. */
function correctOption(quiz: string): string {
  const lines = quiz.split('\n').filter((line) => line.includes('correct: true'));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('Choosing a backend: subsetting', () => {
  const clients = 300;
  const backends = 300;
  const subset = 30;

  it('prices the full mesh and subsets of 30 connections each', () => {
    const mesh = clients * backends;
    const subsetted = clients * subset;
    expect(subsetted / mesh).toBe(0.1);
    expectInLesson(`a full mesh is ${clients} × ${backends} = ${num(mesh)} connections, and every backend holds ${clients} of them`);
    expectInLesson(
      `With subsets of ${subset}, the same fleet holds ${clients} × ${subset} = ${num(subsetted)} connections, a tenth of the mesh, ` +
        `and each backend holds ${subsetted / backends} on average`,
    );
    expectInLesson(`choose among a client's ${subset} backends, not among all ${backends}`);
    // Figures quoted from the SRE book, chapter 20.
    expectInLesson('typically runs 100 to 1,000 backend processes, and the largest more than 10,000 [[1]](#references)');
    expectInLesson('typically 20 to 100 of them at Google [[1]](#references)');
  });

  it('gives the binomial spread of random subsets of 30', () => {
    const p = subset / backends;
    const mean = clients * p;
    const sd = Math.sqrt(clients * p * (1 - p));
    expectInLesson(`with probability ${subset}/${backends} = ${pct1(p, 0)}`);
    expectInLesson(`a mean of ${mean} and a standard deviation of √(${clients} × ${p} × ${1 - p}) = ${sd.toFixed(1)}, or ${pct1(sd / mean)} of the mean`);
  });

  it("quotes the SRE book's random-subsetting extremes consistently with its own percentages", () => {
    // The book gives each extreme as connections and as a share of the average; they must agree.
    const book = [
      { size: 30, fewest: 15, most: 45, fewestPct: 50, mostPct: 150 },
      { size: 90, fewest: 57, most: 109, fewestPct: 63, mostPct: 121 },
    ];
    for (const b of book) {
      const mean = (clients * b.size) / backends;
      expect(Math.round((b.fewest / mean) * 100)).toBe(b.fewestPct);
      expect(Math.round((b.most / mean) * 100)).toBe(b.mostPct);
    }
    expectInLesson('the least loaded backend had 15 connections and the most loaded 45, half and one and a half times the average [[1]](#references)');
    expectInLesson('random subsets would have to cover about 75% of the backends');
    expectInLesson('overloads one backend by 10% costs 10% more capacity across the whole fleet');
  });

  it('reproduces the table of random subsets from seeded runs', () => {
    const book: Record<number, string> = { 30: '15 to 45', 90: '57 to 109', 225: 'not reported' };
    const rows = [30, 90, 225].map((size) => {
      const p = size / backends;
      const counts = randomSubsetCounts(clients, backends, size, new Random(1).fork(`random-${size}`));
      const mean = clients * p;
      expect(counts.reduce((a, b) => a + b, 0)).toBe(clients * size);
      return { size, p, mean, relSd: Math.sqrt((1 - p) / (clients * p)), fewest: Math.min(...counts), most: Math.max(...counts) };
    });
    for (const r of rows) {
      expectInLesson(
        `| ${r.size} (${pct1(r.p, 0)}) | ${r.mean} | ${pct1(r.relSd)} | ${book[r.size]} | ${r.fewest} to ${r.most} |`,
      );
    }
    // Bigger subsets are relatively smoother, but random subsets of 75% still leave a spread.
    expect(rows.map((r) => r.relSd)).toEqual([...rows.map((r) => r.relSd)].sort((a, b) => b - a));
    const [small, , large] = rows;
    expect(small!.most / small!.fewest).toBeGreaterThan(large!.most / large!.fewest);
    expect(large!.most).toBeGreaterThan(large!.fewest);
    expectInLesson(`keeping the first ${rows.map((r) => r.size).slice(0, 2).join(', ')} or ${rows[2]!.size}`);
  });

  it("deals the book's deterministic subsets out evenly", () => {
    const subsetCount = backends / subset;
    const rounds = clients / subsetCount;
    expect(histogram(deterministicSubsetCounts(clients, backends, subset))).toEqual({ [rounds]: backends });
    expect(rounds).toBe(subset);
    expectInLesson(`one shuffled list of backends cuts into ${backends} / ${subset} = ${subsetCount} subsets`);
    expectInLesson(`Clients go in rounds of ${subsetCount}: clients 0 to ${subsetCount - 1} are round 0, clients ${subsetCount} to ${2 * subsetCount - 1} round 1`);
    expectInLesson(`client i takes block i mod ${subsetCount} of it`);
    expectInLesson(`${clients} clients make ${rounds} full rounds, and every backend ends with exactly ${rounds} connections`);
    expectInLesson(`its clients move its traffic to the other ${subset - 1} backends of their subsets`);
  });

  it("works the book's small example: 12 backends, subsets of 3, 10 clients", () => {
    const hist = histogram(deterministicSubsetCounts(10, 12, 3));
    expect(hist).toEqual({ 2: 6, 3: 6 });
    // Two full rounds of 12 / 3 = 4 clients, and 2 clients left over who take 3 backends each.
    const perRound = 12 / 3;
    const fullRounds = Math.floor(10 / perRound);
    const leftover = 10 - fullRounds * perRound;
    expectInLesson(
      `two full rounds give every backend ${fullRounds} clients and the third round's ${leftover} clients add one more to ${leftover * 3} of them`,
    );
    expect(hist[fullRounds + 1]).toBe(leftover * 3);
  });

  it('the subsetting quiz: 400 clients, 200 backends, subsets of 20', () => {
    const [c, b, s] = [400, 200, 20];
    const quiz = quizAbout('deterministic subsets of 20');
    const each = (c * s) / b;
    expect(histogram(deterministicSubsetCounts(c, b, s))).toEqual({ [each]: b });
    expect(correctOption(quiz)).toContain(`{ text: "Exactly ${each}", correct: true`);
    expect(quiz).toContain(`${c} clients × ${s} connections = ${num(c * s)} connections over ${b} backends`);
    expect(quiz).toContain(`${b} / ${s} = ${b / s} subsets, so the ${c} clients make ${c / (b / s)} full rounds`);
    // The distractor describes random subsets: mean 40, standard deviation 6, roughly 20 to 60.
    const p = s / b;
    expect(Math.sqrt(c * p * (1 - p))).toBe(6);
    expect(quiz).toContain(`a mean of ${each} with a standard deviation of 6`);
    const counts = randomSubsetCounts(c, b, s, new Random(1).fork('quiz'));
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(20);
    expect(Math.min(...counts)).toBeLessThanOrEqual(30);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...counts)).toBeLessThanOrEqual(60);
    expect(quiz).toContain(`{ text: "${each} on average, from roughly 20 to 60 depending on the shuffle"`);
  });
});

describe('Choosing a backend: balancing HTTP/2 connections', () => {
  it('computes the skew of one heavy client behind a layer-4 balancer', () => {
    const backends = 10;
    const heavy = 1_000;
    const light = 100;
    const total = heavy + (backends - 1) * light;
    const fair = total / backends;
    expect(total).toBe(1_900);
    expectInLesson(`One client sends ${num(heavy)} requests per second and the other nine send ${light} each, ${num(total)} in all`);
    expectInLesson(`each backend would serve ${fair} per second, ${pct1(1 / backends)} of the traffic`);
    expectInLesson(
      `the heavy client's backend serves ${num(heavy)} per second, ${pct1(heavy / total)} of the traffic and ${(heavy / fair).toFixed(1)} times its fair share, ` +
        `while each of the others serves ${light}`,
    );
  });

  it('quotes gRPC proposal A9 on layer-4 balancers and connection age', () => {
    expectInLesson('a layer-4 balancer balances TCP connections, not RPCs');
    expectInLesson('Both settings default to infinite, and each connection\'s age gets a random jitter of ±10%');
    expectInLesson('https://github.com/grpc/proposal/blob/master/A9-server-side-conn-mgt.md');
    expectInLesson('`MAX_CONNECTION_AGE`', '`MAX_CONNECTION_AGE_GRACE`', '`MaxConnectionAge`', '`keepalive.ServerParameters`');
    expectInLesson('the default policy, `pick_first`, connects to the first address that answers and sends every call there');
  });

  it('works out how long connections live with a 30-minute age and ±10% jitter', () => {
    const ageMin = 30;
    const jitter = 0.1;
    const [shortest, longest] = [ageMin * (1 - jitter), ageMin * (1 + jitter)].map((m) => Math.round(m));
    expect([shortest, longest]).toEqual([27, 33]);
    expectInLesson(
      `With an age of ${ageMin} minutes, connections live between ${shortest} and ${longest} minutes, ` +
        `so every connection has been placed afresh within ${longest} minutes plus the grace period`,
    );
    expectInLesson(`the heavy client's ${num(1_000)} requests per second still land on one backend at a time`);
  });

  it('the HTTP/2 quiz: only balancing per request spreads one client', () => {
    const quiz = quizAbout('single HTTP/2 connection');
    expect(correctOption(quiz)).toContain('{ text: "Balancing each request');
    for (const wrong of ['Setting MAX_CONNECTION_AGE', 'Adding backends', 'Switching the layer-4 balancer to least connections']) {
      const line = quiz.split('\n').find((l) => l.includes(`{ text: "${wrong}`));
      expect(line, wrong).toBeDefined();
      expect(line).not.toContain('correct: true');
    }
  });
});

describe('Choosing a backend: references', () => {
  const { text, references } = lessonParts(lesson);
  const order = [...text.matchAll(/\[\[(\d+)\]\]\(#references\)/g)].map((m) => Number(m[1]));
  const firsts = order.filter((x, i) => order.indexOf(x) === i);

  it('numbers its references 1, 2, 3, … in order of first citation, and cites every one', () => {
    expect([...references.keys()]).toEqual(range(references.size).map((i) => i + 1));
    expect(firsts).toEqual([...references.keys()]);
  });

  it('lists the sources of the subsetting and HTTP/2 sections', () => {
    const numberOf = (url: string): number => [...references].find(([, entry]) => entry.includes(url))?.[0] ?? -1;
    for (const url of [
      'https://sre.google/sre-book/load-balancing-datacenter/',
      'https://www.rfc-editor.org/rfc/rfc9113',
      'https://github.com/grpc/proposal/blob/master/A9-server-side-conn-mgt.md',
      'https://github.com/grpc/grpc/blob/master/doc/load-balancing.md',
      'https://pkg.go.dev/google.golang.org/grpc/keepalive',
    ]) {
      expect(numberOf(url), url).toBeGreaterThan(0);
    }
    expect(numberOf('https://sre.google/sre-book/load-balancing-datacenter/')).toBe(1);
    expectInLesson(`a client should not open more than one to the same host and port [[${numberOf('rfc9113')}]](#references)`);
  });
});
