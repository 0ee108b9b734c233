/**
 * Recomputes every derived number that the lesson "Numbers that matter" quotes, and checks
 * that the lesson prints exactly the string computed here. Quoted figures (from papers,
 * talks and post-incident reports) are not recomputed; anything the lesson works out for
 * itself is, so the prose and the arithmetic cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { proseOf } from './mdx-prose.ts';
import { DURATION_MS, SERVICE_MS, scenario as queueing } from '../../../src/scenarios/queueing-utilisation.ts';
import { defaultParams } from '../../../src/scenarios/types.ts';
import { initialSeed } from '../../../src/runtime/visual/controls.ts';
import { quizQuestions } from '../../../src/content/quiz.ts';

/** M/M/1 with the lesson's service time: mean time in system W = 1/(μ − λ), in ms. */
function mm1MeanMs(ratePerS: number): number {
  return 1_000 / (1_000 / SERVICE_MS - ratePerS);
}

/** M/M/1 (first come, first served): time in system is exponential with mean W, so p99 = ln(100) × W. */
function mm1P99Ms(ratePerS: number): number {
  return Math.log(100) * mm1MeanMs(ratePerS);
}

/**
 * Erlang's C formula: the probability that an arrival waits in an M/M/c queue offered
 * `load` = λ/μ Erlangs. Computed through the Erlang B recurrence, B(k) = a·B(k−1) / (k + a·B(k−1)),
 * then C = B / (1 − ρ + ρ·B), which avoids the factorials of the textbook form.
 */
function erlangC(workers: number, load: number): number {
  let erlangB = 1;
  for (let k = 1; k <= workers; k++) erlangB = (load * erlangB) / (k + load * erlangB);
  const rho = load / workers;
  return erlangB / (1 - rho + rho * erlangB);
}

/** The textbook form of Erlang C, with the factorials, as the lesson writes it. */
function erlangCBySum(workers: number, load: number): number {
  const rho = load / workers;
  let term = 1;
  let sum = 0;
  for (let k = 0; k < workers; k++) {
    sum += term;
    term *= load / (k + 1);
  }
  const queued = term / (1 - rho);
  return queued / (sum + queued);
}

/** M/M/c, first come first served: P(T > t), with rates per ms and t in ms. */
function mmcTail(t: number, workers: number, lambda: number, mu: number): number {
  const c = erlangC(workers, lambda / mu);
  const d = workers * mu - lambda;
  const service = Math.exp(-mu * t);
  if (Math.abs(d - mu) < 1e-12) return (1 - c) * service + c * (1 + mu * t) * service;
  return (1 - c) * service + (c * (d * service - mu * Math.exp(-d * t))) / (d - mu);
}

/** The p99 of M/M/c response time in ms, by bisection on P(T > t) = 0.01. */
function mmcP99Ms(workers: number, lambda: number, mu: number): number {
  let low = 0;
  let high = 1;
  while (mmcTail(high, workers, lambda, mu) > 0.01) high *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (mmcTail(mid, workers, lambda, mu) > 0.01) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** M/M/c mean response time in ms: the service time plus C / (cμ − λ). */
function mmcMeanMs(workers: number, lambda: number, mu: number): number {
  return 1 / mu + erlangC(workers, lambda / mu) / (workers * mu - lambda);
}

const lesson = readFileSync(
  new URL('../../../content/foundations/numbers-that-matter.mdx', import.meta.url),
  'utf8',
);

/** Fails with the missing snippet named, rather than printing the whole lesson. */
function expectInLesson(...snippets: string[]): void {
  for (const snippet of snippets) {
    expect(lesson.includes(snippet), `the lesson should contain: ${snippet}`).toBe(true);
  }
}

/** 1234567 -> "1,234,567"; 1000 with one decimal -> "1,000.0". */
function num(value: number, decimals = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** Nearest-rank percentile: the smallest value with at least p% of the samples at or below it. */
function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p * sorted.length) / 100);
  const value = sorted[Math.max(rank, 1) - 1];
  if (value === undefined) throw new Error('no samples');
  return value;
}

function repeat(value: number, times: number): number[] {
  return Array.from({ length: times }, () => value);
}

function mean(samples: readonly number[]): number {
  return samples.reduce((sum, x) => sum + x, 0) / samples.length;
}

/** Seconds -> "8h 45m 36s": from the largest non-zero unit down to the smallest non-zero one. */
function duration(seconds: number): string {
  let rest = Math.round(seconds);
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts = units.map(([name, size]) => {
    const count = Math.floor(rest / size);
    rest -= count * size;
    return { name, count };
  });
  const first = parts.findIndex((part) => part.count > 0);
  const last = parts.length - 1 - [...parts].reverse().findIndex((part) => part.count > 0);
  return parts
    .slice(first, last + 1)
    .map((part) => `${part.count}${part.name}`)
    .join(' ');
}

const YEAR_S = 365 * 86_400;
const MONTH_S = 30 * 86_400;

describe('Numbers that matter: request rate', () => {
  it('turns a daily total into an average rate and sizes the fleet for the peak, not the average', () => {
    const perDay = 86_400_000;
    const average = perDay / 86_400;
    const peak = average * 2.5;
    const perServer = 300;
    const forAverage = Math.ceil(average / perServer);
    const forPeak = Math.ceil(peak / perServer);
    const overload = Math.round((peak / (forAverage * perServer)) * 100);

    expect(average).toBe(1_000);
    expectInLesson(
      `86.4 million requests a day is an average of ${num(average)} QPS, because a day has ${num(86_400)} seconds`,
      `becomes a ${num(peak)} QPS peak`,
      `up to ${perServer} QPS`,
      `you would run ${forAverage} servers`,
      `asked for ${overload}% of what they can deliver`,
      `you need ${forPeak}, before any spare`,
    );
  });

  it('presents the peak-to-mean ratio as something to measure, and 2.5 as an assumption, not a quoted figure', () => {
    expect(lesson.includes('robustperception'), 'a blog anecdote is not a source for a general ratio').toBe(false);
    expect(/1\.6–1\.7|3–4x/.test(lesson)).toBe(false);
    expectInLesson('There is no standard figure to borrow; measure your own', 'Suppose yours is 2.5');
  });

  it('states how many requests a day fall in a 1% tail', () => {
    expectInLesson(`1% is ${num(86_400_000 * 0.01)} requests a day`);
  });
});

describe('Numbers that matter: latency percentiles', () => {
  it('the averages-lie example has the mean, median, p98 and p99 the lesson quotes', () => {
    const samples = [...repeat(20, 985), ...repeat(2_000, 15)];

    expectInLesson('| 985 | 20 ms |', `| 15 | ${num(2_000)} ms |`);
    expectInLesson(`The mean is ${num(mean(samples), 1)} ms`);
    expect(percentile(samples, 50)).toBe(20);
    expect(percentile(samples, 98)).toBe(20);
    expectInLesson(`The median is ${percentile(samples, 50)} ms, and so is p98`);
    expectInLesson(`But p99 is ${num(percentile(samples, 99))} ms`);
  });

  it('averaging two servers’ p99s gives a number that the merged histogram contradicts', () => {
    const serverA = repeat(10, 1_000);
    const serverB = [...repeat(10, 950), ...repeat(500, 50)];
    const p99A = percentile(serverA, 99);
    const p99B = percentile(serverB, 99);
    const merged = [...serverA, ...serverB];
    const slowShare = (merged.filter((x) => x > 10).length / merged.length) * 100;

    expectInLesson(`A's p99 is ${p99A} ms and B's is ${p99B} ms; their average is ${(p99A + p99B) / 2} ms`);
    expectInLesson(
      `The p99 of all ${num(merged.length)} requests is ${percentile(merged, 99)} ms, because ${slowShare}% of them were slow`,
    );
  });

  it('coordinated omission hides a 2 s stall that an on-schedule load test would report as p99 = 1 s', () => {
    const interval = 10;
    const runMs = 100_000;
    const stallStart = 50_000;
    const stallMs = 2_000;
    const normal = 1;
    const latencyIfSentAt = (t: number) =>
      t >= stallStart && t < stallStart + stallMs ? stallStart + stallMs - t : normal;

    // Sent on schedule, every request counts, measured from when it was due.
    const scheduled: number[] = [];
    for (let t = 0; t < runMs; t += interval) scheduled.push(latencyIfSentAt(t));

    // A closed-loop tool skips every slot that falls due while it waits for a reply.
    const recorded: number[] = [];
    let skipped = 0;
    let busyUntil = 0;
    for (let t = 0; t < runMs; t += interval) {
      if (t < busyUntil) {
        skipped++;
        continue;
      }
      const latency = latencyIfSentAt(t);
      recorded.push(latency);
      busyUntil = t + latency;
    }

    const slow = scheduled.filter((x) => x > normal);
    expectInLesson(`every ${interval} ms for ${runMs / 1_000} s (${num(scheduled.length)} requests)`);
    expectInLesson(
      `never sends the ${skipped} that fell due meanwhile: it records ${num(recorded.length)} samples and reports a p99 of ${percentile(recorded, 99)} ms`,
    );
    expectInLesson(
      `${slow.length} of the ${num(scheduled.length)} would have waited between ${Math.min(...slow)} ms and ${Math.max(...slow) / 1_000} s, for a p99 of ${num(percentile(scheduled, 99))} ms`,
    );
  });
});

describe('Numbers that matter: fan-out', () => {
  const slowShare = (p: number, n: number) => 1 - (1 - p) ** n;
  const show = (share: number) => {
    const percent = share * 100;
    return `${percent >= 99.95 ? percent.toFixed(3) : percent.toFixed(1)}%`;
  };

  it('the fan-out table matches 1 − (1 − p)^n', () => {
    for (const n of [1, 10, 100, 1000]) {
      expectInLesson(`| ${n} | ${show(slowShare(0.01, n))} | ${show(slowShare(0.001, n))} |`);
    }
  });

  it('reproduces Dean and Barroso’s 1% slow servers and fan-out 100 as about 63% slow requests', () => {
    const share = slowShare(0.01, 100);
    expect(share).toBeGreaterThan(0.63);
    expect(share).toBeLessThan(0.64);
    expectInLesson(`about ${Math.round(share * 100)}% of user requests take more than a second`);
  });
});

describe("Numbers that matter: Little's law and queueing", () => {
  it("Little's law gives the in-flight requests, threads and connections the lesson quotes", () => {
    const qps = 2_000;
    const inFlight = (qps * 50) / 1_000;
    const instances = 4;
    const dbConnections = (qps * 5) / 1_000;

    expectInLesson(`${num(qps)} × 0.05 = ${inFlight} requests in flight`);
    expectInLesson(`(${inFlight / instances} on each of ${instances} instances)`);
    expectInLesson(`about ${dbConnections} connections are busy`);
  });

  it('doubling latency with a capped pool leaves a queue that grows by the lesson’s numbers', () => {
    const qps = 2_000;
    const latencyMs = 100;
    const pool = 128;
    const inFlight = (qps * latencyMs) / 1_000;
    const capacity = (pool * 1_000) / latencyMs;
    const excess = qps - capacity;

    expectInLesson(`now needs ${inFlight} requests in flight`);
    expectInLesson(`${pool} / 0.1 s = ${num(capacity)} QPS; the other ${excess} QPS queue`);
    expectInLesson(`after 10 seconds ${num(excess * 10)} requests are waiting`);
  });

  it('the M/M/1 table matches the rate, 1/(1 − ρ), S/(1 − ρ), the p99 ln(100) × W and ρ/(1 − ρ)', () => {
    const serviceMs = SERVICE_MS;
    const mu = 1_000 / serviceMs;
    for (const rho of [50, 70, 80, 90, 95, 99]) {
      const rate = (rho / 100) * mu;
      const multiple = 100 / (100 - rho);
      const wMs = 1_000 / (mu - rate);
      const inSystem = rho / (100 - rho);
      expect(wMs).toBeCloseTo(serviceMs * multiple, 9);
      expectInLesson(
        `| ${rho}% | ${rate} QPS | ${multiple.toFixed(1)}× | ${num(wMs, 1)} ms | ${num(mm1P99Ms(rate), 1)} ms | ${inSystem.toFixed(1)} |`,
      );
    }
    expectInLesson('the p99 is ln(100) × W ≈ 4.6 × W');
    expect(Math.log(100)).toBeCloseTo(4.6, 1);
  });

  it('cites a textbook for the exponential time in system behind the p99 column', () => {
    // P(T > t) = e^(−t/W): at the p99 the tail is 1%.
    for (const rate of [50, 70, 90]) expect(Math.exp(-mm1P99Ms(rate) / mm1MeanMs(rate))).toBeCloseTo(0.01, 12);
    expectInLesson(
      'the time in system is exponentially distributed with mean W [[17]](#references), so the fraction of requests slower than t is e^(−t/W)',
      '17. Leonard Kleinrock. *Queueing Systems, Volume 1: Theory*. Wiley, 1975',
    );
  });

  it('holds the p99 column, not the mean, against the 100 ms objective', () => {
    const target = 100;
    expect(mm1P99Ms(50)).toBeLessThanOrEqual(target);
    expect(mm1P99Ms(70)).toBeGreaterThan(target);
    expect(mm1MeanMs(70)).toBeLessThan(target / 2);
    expectInLesson(
      `With a p99 target of ${target} ms, this server meets it at 50% utilisation (${num(mm1P99Ms(50), 1)} ms) and already fails at 70% (${num(mm1P99Ms(70), 1)} ms)`,
      `its mean latency, ${num(mm1MeanMs(70), 1)} ms, is a third of the target`,
    );
  });

  it("agrees with the live simulation at its defaults: 70 QPS, one worker, and a p99 objective it misses", async () => {
    const params = defaultParams(queueing);
    const rate = Number(params['ratePerS']);
    expect(rate).toBe(70);
    expect(Number(params['workers'])).toBe(1);
    expect(SERVICE_MS).toBe(10);
    const firstSeed = initialSeed(undefined);
    expect(firstSeed).toBe(1);

    // As the page runs it: until the run's end, then judged on the p99 of what completed.
    const runP99 = async (ratePerS: number): Promise<{ p99: number; target: number | undefined }> => {
      const built = queueing.build({ ...params, ratePerS }, firstSeed);
      await built.sim.runUntil(built.durationMs);
      return { p99: built.sim.summary().latency.p99Ms, target: built.slo?.p99LatencyMs };
    };
    const atDefault = await runP99(rate);
    expect(atDefault.target).toBe(100);
    expect(atDefault.p99, 'the run misses the objective, as the text says').toBeGreaterThan(atDefault.target!);
    expect(mm1P99Ms(rate)).toBeGreaterThan(atDefault.target!);
    expectInLesson(
      `one worker serves ${1_000 / SERVICE_MS} requests per second on average, and the run is judged against a p99 objective of ${atDefault.target} ms`,
      `It starts at ${rate} QPS, where the model's p99 is ${num(mm1P99Ms(rate), 1)} ms, so the objective fails; with the starting seed, ${firstSeed}, the run measures a p99 of ${num(atDefault.p99, 1)} ms.`,
    );

    const at90 = await runP99(90);
    const at95 = await runP99(95);
    // A 20-second run falls short of the steady-state tail near saturation, but still climbs.
    expect(at90.p99).toBeLessThan(mm1P99Ms(90));
    expect(at95.p99).toBeLessThan(mm1P99Ms(95));
    expect(at95.p99).toBeGreaterThan(at90.p99);
    expect(at90.p99).toBeGreaterThan(atDefault.p99);
    expectInLesson(
      `Each run lasts ${DURATION_MS / 1_000} simulated seconds`,
      `(${num(at90.p99, 1)} ms at 90 QPS and ${num(at95.p99, 1)} ms at 95 QPS with seed ${firstSeed}, against ${num(mm1P99Ms(90), 1)} ms and ${num(mm1P99Ms(95), 1)} ms)`,
    );
  });

  it('the worked M/M/1 example agrees with W = 1/(μ − λ) and with L = λW', () => {
    const mu = 1_000 / 10;
    const lambda = 90;
    const wMs = 1_000 / (mu - lambda);
    expect(lambda * (wMs / 1_000)).toBeCloseTo(0.9 / (1 - 0.9), 9);
    expectInLesson(`μ = ${mu} per second; at λ = ${lambda} per second, W = 1/(${mu} − ${lambda}) s = ${wMs} ms`);
    expect(wMs / 10).toBe(10);
    expectInLesson('ten times the service time');
  });

  it('latency doubles from 80% to 90% utilisation and again from 90% to 95%', () => {
    const w = (rho: number) => 1 / (1 - rho);
    expect(w(0.9) / w(0.8)).toBeCloseTo(2, 9);
    expect(w(0.95) / w(0.9)).toBeCloseTo(2, 9);
    expectInLesson('Going from 80% to 90% busy doubles the latency; from 90% to 95% doubles it again');
  });
});

describe('Numbers that matter: M/M/c and Erlang C', () => {
  const serviceMs = 25;
  const mu = 1 / serviceMs; // per ms
  const rho = 0.8;
  const pools = [1, 2, 4, 8, 16];
  const rateOf = (workers: number) => rho * workers * mu; // per ms
  const ln100 = Math.log(100);

  it('names the service, its μ and the fixed utilisation of the worked table', () => {
    expect(1_000 * mu).toBe(40);
    expectInLesson(
      `requests take ${serviceMs} ms on average (μ = ${1_000 * mu} per second) and keep every worker ${rho * 100}% busy`,
      '| Workers c | Request rate | Utilisation ρ | Probability of waiting C | Mean response time | p99 response time |',
    );
  });

  it('the Erlang B recurrence and the factorial form of Erlang C agree', () => {
    for (const workers of pools) {
      const load = rateOf(workers) / mu;
      expect(erlangC(workers, load)).toBeCloseTo(erlangCBySum(workers, load), 12);
    }
    // One worker: a request waits whenever the worker is busy, so C = ρ.
    expect(erlangC(1, rho)).toBeCloseTo(rho, 12);
  });

  it('every row of the table is C, W = 1/μ + C/(cμ − λ) and the p99 by bisection on P(T > t) = 0.01', () => {
    let previousP99 = Infinity;
    let previousC = Infinity;
    for (const workers of pools) {
      const lambda = rateOf(workers);
      const qps = Math.round(lambda * 1_000);
      expect(qps).toBeCloseTo(lambda * 1_000, 9);
      expect(lambda / (workers * mu)).toBeCloseTo(rho, 12);
      const c = erlangC(workers, lambda / mu);
      const p99 = mmcP99Ms(workers, lambda, mu);
      expect(mmcTail(p99, workers, lambda, mu)).toBeCloseTo(0.01, 9);
      expect(p99).toBeLessThan(previousP99);
      expect(c).toBeLessThan(previousC);
      previousP99 = p99;
      previousC = c;
      expectInLesson(
        `| ${workers} | ${num(qps)} QPS | ${rho * 100}% | ${(c * 100).toFixed(1)}% | ${num(mmcMeanMs(workers, lambda, mu), 1)} ms | ${num(p99, 1)} ms |`,
      );
    }
  });

  it('with one worker the bisected p99 is the M/M/1 closed form ln(100) / (μ − λ)', () => {
    const lambda = rateOf(1);
    const closedForm = ln100 / (mu - lambda);
    expect(mmcP99Ms(1, lambda, mu)).toBeCloseTo(closedForm, 6);
    expect(mmcMeanMs(1, lambda, mu)).toBeCloseTo(1 / (mu - lambda), 9);
    expectInLesson(
      `C = ρ = ${rho * 100}%, and the p99 is ln(100) / (${1_000 * mu} − ${Math.round(lambda * 1_000)}) s = ${num(closedForm, 1)} ms`,
    );
    // The same check against the M/M/1 helper, which uses the lesson's 10 ms service time.
    expect(mmcP99Ms(1, 0.07, 1 / SERVICE_MS)).toBeCloseTo(mm1P99Ms(70), 6);
  });

  it('the largest pool comes close to the service time’s own p99, a fifth of the single worker’s', () => {
    const single = mmcP99Ms(1, rateOf(1), mu);
    const pooled = mmcP99Ms(16, rateOf(16), mu);
    const floor = ln100 * serviceMs;
    expect(pooled).toBeGreaterThan(floor);
    expect(Math.round(single / pooled)).toBe(5);
    expectInLesson(
      `Sixteen workers at ${num(Math.round(rateOf(16) * 1_000))} QPS hold a p99 of ${num(pooled, 1)} ms, about a fifth of that`,
      `ln(100) × ${serviceMs} ms = ${num(floor, 1)} ms`,
      `Sixteen separate single-worker queues at ${Math.round(rateOf(1) * 1_000)} QPS each would each have the first row's ${num(single, 1)} ms; one shared queue in front of the same sixteen workers has ${num(pooled, 1)} ms`,
    );
  });

  it('the pooling question: 8 separate M/M/1 queues against one M/M/8 at the same load', () => {
    const separate = mmcP99Ms(1, rateOf(1), mu);
    const shared = mmcP99Ms(8, rateOf(8), mu);
    const c8 = erlangC(8, rateOf(8) / mu);
    expect(Math.round(rateOf(8) * 1_000)).toBe(256);
    expectInLesson(
      `each worker takes ${Math.round(rateOf(1) * 1_000)} QPS and is ${rho * 100}% busy`,
      `at the same ${Math.round(rateOf(8) * 1_000)} QPS in total`,
      `which happens ${(c8 * 100).toFixed(1)}% of the time rather than ${rho * 100}%`,
      `It falls from about ${num(separate, 1)} ms to about ${num(shared, 1)} ms`,
      `M/M/8 at the same utilisation: C = ${(c8 * 100).toFixed(1)}%`,
      `the p99 is ${num(shared, 1)} ms.`,
      `to about ${Math.round(separate / 8)} ms`,
      `ln(100) × ${serviceMs} ms = ${num(ln100 * serviceMs, 1)} ms, however many workers`,
    );
    expect(separate / 8).toBeLessThan(ln100 * serviceMs);
  });

  it('keeps the worked example off the exercise’s own services', () => {
    const exercise = readFileSync(
      new URL('../../../exercises/capacity-planning/capacity.test.ts', import.meta.url),
      'utf8',
    );
    const profiles = [...exercise.matchAll(/ratePerS: ([\d_]+), meanServiceMs: (\d+)/g)].map((m) => ({
      rate: Number(m[1]!.replace(/_/g, '')),
      service: Number(m[2]),
    }));
    expect(profiles.length).toBeGreaterThan(0);
    for (const profile of profiles) expect(profile.service).not.toBe(serviceMs);
  });

  it('sizes zones for the loss of one at peak: the worked example', () => {
    const ratePerS = 900;
    const serviceMs = 25;
    const targetMs = 150;
    const mu = 1 / serviceMs;
    /** The least pool whose M/M/c p99 holds the target at `rate` QPS. */
    const least = (rate: number): number => {
      let c = Math.floor((rate * serviceMs) / 1_000) + 1;
      while (mmcP99Ms(c, rate / 1_000, mu) > targetMs) c++;
      return c;
    };
    const pool = least(ratePerS);
    const normal = least(ratePerS / 3);
    const left = ratePerS / 2;
    const busy = (left * serviceMs) / 1_000;
    const split = Math.ceil(pool / 2);
    const perZone = least(left);
    expect(busy / normal).toBeGreaterThan(1);
    expect(mmcP99Ms(split, left / 1_000, mu)).toBeGreaterThan(targetMs);
    expect(split).toBeLessThan(perZone);
    expectInLesson(
      `Take a service with a ${serviceMs} ms mean service time and a ${targetMs} ms p99 target at ${ratePerS} QPS. One shared pool needs ${pool} workers.`,
      `each zone takes ${ratePerS / 3} QPS, and ${normal} workers per zone, ${3 * normal} in all, hold the target`,
      `each of the two left takes ${left} QPS: ${left} × ${serviceMs} ms keeps ${num(busy, 2)} workers busy, ${Math.round((busy / normal) * 100)}% of ${normal}`,
      `${split} workers in each zone left, is not enough either: in two separate queues of ${left} QPS the p99 is ${num(mmcP99Ms(split, left / 1_000, mu), 1)} ms`,
      `${left} QPS: ${perZone} workers, p99 ${num(mmcP99Ms(perZone, left / 1_000, mu), 1)} ms, ${3 * perZone} in all`,
      `That is ${num(((3 * perZone) / pool - 1) * 100, 1)}% more than the single pool`,
      'AWS Fault Isolation Boundaries* (AWS whitepaper, maintained online). https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/static-stability.html',
    );
  });

  it('asks the exercise for the zone plan that survives a lost zone, and says so', () => {
    const exerciseTest = readFileSync(new URL('../../../exercises/capacity-planning/capacity.test.ts', import.meta.url), 'utf8');
    const harness = readFileSync(new URL('../../../exercises/capacity-planning/harness.ts', import.meta.url), 'utf8');
    expect(exerciseTest).toContain('workersPerZone: losing one of ${zones} availability zones at the busiest hour');
    expect(harness).toContain("export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;");
    expect(harness).toContain('after\n * 1,000 requests, zone-a is lost');
    expectInLesson('Then size each of three zones so that the target holds after one is lost.', 'one of them with a zone lost after the first 1,000');
  });

  it('says how many services the tests check against the model, as the test file draws them', () => {
    const exerciseTest = readFileSync(new URL('../../../exercises/capacity-planning/capacity.test.ts', import.meta.url), 'utf8');
    const drawn = /const MODEL_SERVICES = (\d+);/.exec(exerciseTest)?.[1];
    expect(drawn).toBeDefined();
    expectInLesson(`the tests then check both functions on ${drawn} services drawn from the run's seed against the M/M/c model the simulation follows`);
  });

  it('cites a textbook for Erlang C', () => {
    expectInLesson(
      'Mor Harchol-Balter. "Server Farms: M/M/k and M/M/k/k," chapter 14 of *Performance Modeling and Design of Computer Systems: Queueing Theory in Action*. Cambridge University Press, 2013.',
      "Erlang's C formula, named after",
    );
  });
});

describe('Numbers that matter: latency budgets', () => {
  it('the budget table’s rows add up to the 300 ms total', () => {
    const start = lesson.indexOf('| Step | Budget |');
    expect(start).toBeGreaterThan(-1);
    const rows = lesson.slice(start).split('\n').slice(2);
    let sum = 0;
    let total: number | undefined;
    for (const row of rows) {
      if (!row.startsWith('|')) break;
      const match = /\| (\d+) ms \|$/.exec(row);
      if (!match?.[1]) throw new Error(`budget row without a time: ${row}`);
      if (row.startsWith('| Total |')) total = Number(match[1]);
      else sum += Number(match[1]);
    }
    expect(sum).toBe(300);
    expect(total).toBe(sum);
    expectInLesson(`within ${sum} ms, measured at the load balancer`);
  });

  it('a timeout plus a retry overruns its slot by the amount the lesson says', () => {
    const slot = 120;
    const reserve = 60;
    const worst = slot + slot;
    expect(worst - slot).toBe(2 * reserve);
    expectInLesson(`gets its whole ${slot} ms as a timeout plus one retry, a request whose first attempt times out can take ${worst} ms, overrunning its slot by twice the entire reserve`);
    const tightTimeout = 50;
    expect(2 * tightTimeout).toBeLessThanOrEqual(slot);
    expectInLesson(`say ${tightTimeout} ms, leaves room for one retry inside the slot`);
  });

  it('three layers that each try three times make 3^3 attempts', () => {
    expectInLesson(`into ${3 ** 3} attempts on the bottom service`);
  });
});

describe('Numbers that matter: reference latencies and the speed of light', () => {
  it('the ratios between the reference latencies are the ones the lesson quotes', () => {
    const memoryNs = 100;
    const datacenterNs = 500_000;
    const transatlanticMs = 150;
    expectInLesson(`as much as ${num(datacenterNs / memoryNs)} memory references`);
    expectInLesson(`as much as ${transatlanticMs / (datacenterNs / 1e6)} datacenter round trips`);
    expect(10 * transatlanticMs).toBeGreaterThan(1_000);
    expectInLesson('ten sequential calls across an ocean spend over a second');
  });

  it('the New York–London distance and the fibre round-trip floor follow from the speed of light', () => {
    const earthRadiusKm = 6_371;
    const rad = (deg: number) => (deg * Math.PI) / 180;
    const [lat1, lon1, lat2, lon2] = [40.7128, -74.006, 51.5074, -0.1278];
    const h =
      Math.sin(rad(lat2 - lat1) / 2) ** 2 +
      Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(rad(lon2 - lon1) / 2) ** 2;
    const greatCircleKm = 2 * earthRadiusKm * Math.asin(Math.sqrt(h));
    const distanceKm = Math.round(greatCircleKm / 10) * 10;
    expect(distanceKm).toBe(5_570);

    const fibreKmPerS = 200_000;
    const vacuumKmPerS = 299_792.458;
    const roundTripKm = 2 * distanceKm;
    expectInLesson(`or ${1e6 / fibreKmPerS} µs per kilometre`);
    expectInLesson(`about ${num(distanceKm)} km apart along a great circle`);
    expectInLesson(`at least ${num(roundTripKm)} km of fibre and takes at least ${num((roundTripKm / fibreKmPerS) * 1_000, 1)} ms`);
    expectInLesson(`(${num((roundTripKm / vacuumKmPerS) * 1_000, 1)} ms even through a vacuum)`);
  });
});

describe('Numbers that matter: availability', () => {
  const targets = [
    { label: '99%', ppm: 10_000 },
    { label: '99.9%', ppm: 1_000 },
    { label: '99.95%', ppm: 500 },
    { label: '99.99%', ppm: 100 },
    { label: '99.999%', ppm: 10 },
  ];

  it('the downtime table matches a 365-day year and a 30-day month', () => {
    expectInLesson('| Availability | Downtime per 365-day year | Downtime per 30-day month |');
    for (const { label, ppm } of targets) {
      expectInLesson(`| ${label} | ${duration((YEAR_S * ppm) / 1e6)} | ${duration((MONTH_S * ppm) / 1e6)} |`);
    }
    expect(duration(YEAR_S * 0.001)).toBe('8h 45m 36s');
  });

  it('three 99.9% services in series give about 99.7%, and ten give 99.0%', () => {
    const three = 0.999 ** 3;
    const threeDowntime = MONTH_S * (1 - three);
    const single = MONTH_S * 0.001;
    expectInLesson(`0.999³ ≈ ${(three * 100).toFixed(1)}%`);
    expectInLesson(`grows from ${duration(single)} to ${duration(threeDowntime)}, about three times as much`);
    expect(Math.round(threeDowntime / single)).toBe(3);
    expectInLesson(`Ten such dependencies leave ${((0.999 ** 10) * 100).toFixed(1)}%`);
  });

  it('independent replicas multiply unavailability, and a shared dependency caps the result', () => {
    expectInLesson(`0.01 × 0.01 of the time: ${((1 - 0.01 ** 2) * 100).toFixed(2)}% available`);
    expectInLesson(`Three would give ${((1 - 0.01 ** 3) * 100).toFixed(4)}%`);
    const correlated = 0.999 * (1 - 0.01 ** 2);
    expect(correlated).toBeLessThan(0.999);
    expectInLesson(`0.999 × 0.9999 ≈ ${(correlated * 100).toFixed(2)}%`);
  });

  it('a 99.9% SLO over 30 days is the error budget the lesson states', () => {
    const requests = 1_000 * MONTH_S;
    const allowed = (requests * 1_000) / 1e6;
    expectInLesson(`Over a 30-day month that is ${duration(MONTH_S * 0.001)} of full outage`);
    expectInLesson(`${num(allowed)} failed requests out of ${num(requests)}`);
  });
});

describe('Numbers that matter: recovery objectives', () => {
  it('asynchronous lag, synchronous round trips and failover steps give the RPO and RTO figures', () => {
    expectInLesson(`up to ${num(2_000 * 1)} writes that clients were told had succeeded`);

    const floorMs = ((2 * 5_570) / 200_000) * 1_000;
    expectInLesson(`at least ${num(floorMs, 1)} ms between New York and London`);
    expectInLesson(`at most about ${Math.round(1_000 / floorMs)} commits per second`);

    const detection = 3 * 10;
    const promotion = 10;
    const dnsTtl = 60;
    expectInLesson(`three missed 10-second heartbeats (${detection} s), promotion takes ${promotion} s`);
    expectInLesson(`DNS record for ${dnsTtl} s, the RTO can be no better than ${detection + promotion + dnsTtl} s`);
  });

  it('a majority quorum of five replicas survives two failures', () => {
    const replicas = 5;
    expectInLesson(`five replicas keep every acknowledged write, and keep serving, through ${Math.floor((replicas - 1) / 2)} failures`);
  });
});

describe('Numbers that matter: self-check questions', () => {
  const quizzes = lesson.match(/<Quiz\b[\s\S]*?\/>/g) ?? [];

  it('has self-check questions the course map can read, each option explained and one marked correct', () => {
    expect(quizQuestions(lesson, 'numbers-that-matter.mdx').length).toBeGreaterThanOrEqual(3);
    for (const quiz of quizzes) {
      const options = quiz.match(/\{ text: [^\n]*\}/g) ?? [];
      expect(options.length, quiz.slice(0, 80)).toBeGreaterThanOrEqual(3);
      for (const option of options) expect(option, option).toMatch(/explanation: "[^"]+"/);
      expect(options.filter((o) => o.includes('correct: true')).length, quiz.slice(0, 80)).toBeGreaterThanOrEqual(1);
    }
  });

  it('the answers hold: averaged p99s, fan-out of 50, Little\'s law for connections, the M/M/1 rate for a p99 target', () => {
    const averaged = (9 * 40 + 900) / 10;
    expectInLesson(`${averaged} ms, the average of the ten p99s`);

    const allFast = 0.99 ** 50;
    expectInLesson(`0.99 to the power 50 is about ${allFast.toFixed(3)}, so about ${((1 - allFast) * 100).toFixed(1)}% of page loads`);

    expectInLesson(`L = λW = 500 per second × 0.02 s = ${500 * 0.02}.`);

    const maxW = 100 / Math.log(100);
    const maxRate = 1_000 / SERVICE_MS - 1_000 / maxW;
    expect(mm1P99Ms(maxRate)).toBeCloseTo(100, 9);
    expectInLesson(
      `W may be at most 100 / ${Math.log(100).toFixed(1)} ≈ ${maxW.toFixed(1)} ms`,
      `μ − λ of at least ${Math.round(1_000 / maxW)} per second: λ of at most about ${Math.round(maxRate)} per second, ${Math.round(maxRate)}% utilisation`,
      `the p99 is ln(100) times the mean, ${num(mm1P99Ms(90), 1)} ms`,
    );
  });
});

describe('Numbers that matter: promises the page makes', () => {
  it('promises only simulations the course has: no fan-out run, no primary crashed mid-write', () => {
    expect(/fan a request out to a hundred simulated servers/.test(lesson)).toBe(false);
    expect(/crash a primary mid-write/.test(lesson)).toBe(false);
    expectInLesson("This lesson's simulation lets you push one server from 70% towards 100% utilisation");
  });

  it("matches the README's description of every lesson", () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain('Every lesson has learning objectives, a live simulation, self-check quizzes and references');
    expect(/<Simulation scenario=/.test(lesson)).toBe(true);
    expect(/^## References$/m.test(lesson)).toBe(true);
    expect(/^objectives:$/m.test(lesson)).toBe(true);
    expect(/^## In production$/m.test(lesson), 'the README says this lesson has no In production section').toBe(false);
  });
});

describe('Numbers that matter: the page itself', () => {
  it('keeps MDX-special characters out of the prose and starts the body below the title', () => {
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose), 'the page renders the title; the body must not add an H1').toBe(false);
  });
});
