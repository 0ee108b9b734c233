import { Random, Simulation, constant, exponential } from '@faultlines/sim';
import type { ServiceProfile } from './types.ts';

/** What one simulated stretch of busy-hour traffic measured. */
export interface Measurement {
  readonly workers: number;
  readonly requests: number;
  readonly p99Ms: number;
  /** The share of each worker's time spent serving, 0–1. */
  readonly utilisation: number;
}

/**
 * Runs the service with `workers` workers under its busy-hour load: 10,000 Poisson arrivals
 * at `ratePerS`, exponential service times, an unbounded queue, and a network so fast it
 * adds nothing, so the latency measured is queueing plus service alone. (Ten thousand
 * requests put 100 of them above the p99; over 20 seeds, this judged every reference
 * answer, and every answer two workers smaller, the same way as 20,000 requests did.)
 */
export async function measure(profile: ServiceProfile, workers: number, seed: number): Promise<Measurement> {
  const sim = new Simulation({ seed, trace: { enabled: false }, network: { latency: constant(0) } });
  sim.addNode('server', () => ({ onRequest: () => ({ kind: 'put' as const }) }), {
    capacity: { workers, serviceTime: exponential(profile.meanServiceMs), queueCapacity: 1_000_000 },
  });
  const requests = 10_000;
  sim.workload({
    name: 'clients',
    target: 'server',
    arrivals: { kind: 'open', ratePerS: profile.ratePerS },
    mix: { put: 1 },
    deadlineMs: 3_600_000,
    stopMs: (requests / profile.ratePerS) * 1000,
  });
  await sim.runUntilIdle();
  const summary = sim.summary();
  return {
    workers,
    requests: summary.operations,
    p99Ms: summary.latency.p99Ms,
    utilisation: (profile.ratePerS * profile.meanServiceMs) / 1000 / workers,
  };
}

// ---------------------------------------------------------------------------------------
// The services the tests size, drawn from the seed: the same on every practice run, others
// when the grade is for the record, so that no answer can be learned by heart.

/** A service to size, with a name for the messages. */
export type Service = ServiceProfile & { readonly name: string };

/**
 * Five kinds of service, each drawn within fixed ranges: requests per second, mean service
 * time, and the p99 target as a multiple of the mean service time (at least 5: the service
 * time's own p99 is ln 100 ≈ 4.6 × its mean, which no number of workers removes).
 */
const KINDS = [
  { name: 'a checkout API', rate: [300, 500], service: [15, 25], target: [5, 7] },
  { name: 'a cache front end', rate: [800, 1_200], service: [4, 6], target: [5, 7] },
  { name: 'a report generator', rate: [30, 70], service: [80, 120], target: [5.5, 7] },
  // A target close to the service time's own tail: a small error in the tail formula changes the answer.
  { name: 'an image-thumbnail service', rate: [200, 300], service: [40, 60], target: [5, 5.4] },
  // Light load and a tight target: a model that assumes every request waits buys far too many
  // workers, and one worker is not enough (drawn again if it is).
  { name: 'an internal admin API', rate: [10, 30], service: [8, 12], target: [5, 5.8], leastWorkers: 2 },
] as const;

/** The five kinds, in the order the tests check them. */
export const SERVICE_NAMES: readonly string[] = KINDS.map((kind) => kind.name);

/**
 * The services of one run. A draw is kept only if its answer is clear-cut, so that the grade
 * never turns on luck: at the least number of workers that holds the target by the M/M/c
 * model (the one the hints spell out), the model's p99 is at most 98% of the target and,
 * with one worker fewer, at least 105% of it (or that many workers are overloaded); and this
 * seed's simulation agrees, holding the target with that many workers and missing it with
 * two fewer. Otherwise the kind is drawn again. Answers are judged by simulation alone.
 */
export async function drawServices(seed: number): Promise<Service[]> {
  const rng = new Random(seed).fork('services');
  const round = (value: number, step: number): number => Number((Math.round(value / step) * step).toFixed(3));
  const out: Service[] = [];
  for (const kind of KINDS) {
    for (;;) {
      const meanServiceMs = round(rng.uniform(kind.service[0], kind.service[1]), 1);
      const profile: Service = {
        name: kind.name,
        ratePerS: round(rng.uniform(kind.rate[0], kind.rate[1]), 10),
        meanServiceMs,
        p99TargetMs: round(meanServiceMs * rng.uniform(kind.target[0], kind.target[1]), 1),
      };
      const workers = leastWorkers(profile);
      if ('leastWorkers' in kind && workers < kind.leastWorkers) continue;
      const overloaded = (n: number): boolean => n <= busyWorkers(profile);
      if (modelP99Ms(profile, workers) > 0.98 * profile.p99TargetMs) continue;
      if (!overloaded(workers - 1) && modelP99Ms(profile, workers - 1) < 1.05 * profile.p99TargetMs) continue;
      if ((await measure(profile, workers, seed)).p99Ms > profile.p99TargetMs) continue;
      if (!overloaded(workers - 2) && (await measure(profile, workers - 2, seed)).p99Ms <= profile.p99TargetMs) continue;
      out.push(profile);
      break;
    }
  }
  return out;
}

/** The M/M/c p99 of response time, by bisection on its tail; Infinity when overloaded. */
function modelP99Ms(profile: ServiceProfile, workers: number): number {
  const lambda = profile.ratePerS / 1000;
  const mu = 1 / profile.meanServiceMs;
  const load = lambda / mu;
  if (workers <= load) return Infinity;
  let b = 1;
  for (let k = 1; k <= workers; k++) b = (load * b) / (k + load * b);
  const waits = b / (1 - load / workers + (load / workers) * b);
  const drain = workers * mu - lambda;
  const tail = (t: number): number => {
    const service = Math.exp(-mu * t);
    const queued = Math.abs(drain - mu) < 1e-12 ? (1 + mu * t) * service : (drain * service - mu * Math.exp(-drain * t)) / (drain - mu);
    return (1 - waits) * service + waits * queued;
  };
  let low = 0;
  let high = 1;
  while (tail(high) > 0.01) high *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (tail(mid) > 0.01) low = mid;
    else high = mid;
  }
  return high;
}

/** The least number of workers whose model p99 holds the target. */
function leastWorkers(profile: ServiceProfile): number {
  let workers = Math.floor(busyWorkers(profile)) + 1;
  while (modelP99Ms(profile, workers) > profile.p99TargetMs) workers++;
  return workers;
}

// ---------------------------------------------------------------------------------------
// What the tests say when a check fails. Every sentence is built from the numbers measured,
// so that what it explains (queueing, or the service time itself) is what actually happened.

/** Utilisation at and above which requests queue behind each other and the tail explodes. */
export const HIGH_UTILISATION = 0.7;

/** `n` with its noun: "1 worker", "8 workers", "0.2 workers". */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${n === 1 ? noun : plural}`;
}

const percent = (share: number): string => `${Math.round(share * 100)}%`;
const ms = (value: number): string => `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })} ms`;

/** Workers kept busy on average by the arriving work (Little's law: rate × service time). */
export function busyWorkers(profile: ServiceProfile): number {
  return (profile.ratePerS * profile.meanServiceMs) / 1000;
}

/**
 * The 99th percentile of the service time alone, ln(100) × mean for an exponential service
 * time: the tail no number of workers can remove, because it is the work itself.
 */
export function serviceP99Ms(profile: ServiceProfile): number {
  return Math.log(100) * profile.meanServiceMs;
}

/** Why `workers` cannot keep up at all: the arriving work needs at least that many all the time. */
export function explainOverload(profile: ServiceProfile, workers: number): string {
  const busy = busyWorkers(profile);
  const who = workers === 1 ? 'a single worker' : `each of ${workers} workers`;
  return (
    `${profile.ratePerS.toLocaleString('en-US')} requests/s × ${profile.meanServiceMs} ms keeps ` +
    `${count(busy, 'worker')} busy on average, so ${who} would be ${percent(busy / workers)} busy. At 100% or more ` +
    `the queue grows without end: buy more than ${count(busy, 'worker')}, with room to spare.`
  );
}

/**
 * Why the p99 missed its target, with advice that fits how busy the workers were: near or
 * above 100% it is queueing; at low utilisation most requests never wait, and the tail is the
 * service time plus the occasional wait behind a request in progress.
 */
export function explainMissedTarget(profile: ServiceProfile, measured: Measurement): string {
  const { workers, p99Ms, utilisation } = measured;
  const head = `With ${count(workers, 'worker')}, p99 was ${ms(p99Ms)}; the target is ${ms(profile.p99TargetMs)}.`;
  const who = workers === 1 ? 'The worker is' : 'Each worker is';
  const serviceTail = serviceP99Ms(profile);
  if (utilisation >= 1) return `${head} ${explainOverload(profile, workers)}`;
  if (utilisation >= HIGH_UTILISATION) {
    return (
      `${head} ${who} ${percent(utilisation)} busy: ${utilisation >= 0.9 ? 'that close to 100%' : 'at that load'}, ` +
      'many requests queue behind each other, and the tail explodes long before the average moves. Add workers ' +
      'until the queue drains quickly.'
    );
  }
  if (serviceTail > profile.p99TargetMs) {
    return (
      `${head} ${who} only ${percent(utilisation)} busy, but the service time alone has a p99 of ` +
      `${ms(serviceTail)} (ln 100 × the ${profile.meanServiceMs} ms mean): no number of workers can hold this target.`
    );
  }
  const close = serviceTail >= 0.6 * profile.p99TargetMs ? `, close to the ${ms(profile.p99TargetMs)} target` : '';
  return (
    `${head} ${who} only ${percent(utilisation)} busy, so queueing is not the main cost: most requests never wait. ` +
    `The service time alone has a p99 of ${ms(serviceTail)} (ln 100 × the ${profile.meanServiceMs} ms mean)${close}. ` +
    (workers === 1
      ? `But with one worker, every request that arrives while it is busy waits — ${percent(utilisation)} of them — ` +
        'and a wait on top of that tail is enough to push the p99 past the target. A second worker makes a wait ' +
        'much rarer and shorter.'
      : `A request waits only when it finds all ${workers} workers busy, but those waits on top of that tail are ` +
        'enough to push the p99 past the target. Another worker makes a wait rarer and shorter.')
  );
}

/** Why an answer that holds the target buys too many workers: two fewer hold it too. */
export function explainWaste(profile: ServiceProfile, workers: number, fewer: Measurement): string {
  return (
    `${count(fewer.workers, 'worker')} already ${fewer.workers === 1 ? 'holds' : 'hold'} the target ` +
    `(p99 ${ms(fewer.p99Ms)} ≤ ${ms(profile.p99TargetMs)}), so ${count(workers, 'worker')} ` +
    `${workers === 1 ? 'is' : 'are'} more than needed — capacity costs money. A model that over-provisions often ` +
    'assumes every request waits: only a fraction C of them does (Erlang C), and a waiting one waits Exp(cμ − λ).'
  );
}

/** What the no-waste check says when the answer does not even hold the target. */
export function explainWasteUnchecked(profile: ServiceProfile, measured: Measurement): string {
  return (
    `Not checked yet: waste is only measured once the answer holds the target, and with ` +
    `${count(measured.workers, 'worker')} p99 was ${ms(measured.p99Ms)} against ${ms(profile.p99TargetMs)}. ` +
    'Make the p99 test for this service pass first.'
  );
}
