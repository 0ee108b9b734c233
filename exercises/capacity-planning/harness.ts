import { LatencyRecorder, Simulation, constant, exponential } from '@faultlines/sim';
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

/** A service the tests size, by name. */
export type Service = ServiceProfile & { readonly name: string };

/** The availability zones of the zone-loss runs; the first is lost. */
export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;

/** What a zone-loss run measured, over the requests sent after the zone was lost. */
export interface ZoneLossMeasurement {
  readonly workersPerZone: number;
  /** Requests sent after the loss, all answered by the zones left. */
  readonly requests: number;
  readonly p99Ms: number;
  /** The share of each remaining worker's time spent serving after the loss, 0–1. */
  readonly utilisation: number;
}

/**
 * Runs the service in three zones of `workersPerZone` workers each, every zone with its own
 * queue, behind a balancer that sends each request to a zone at random among those in
 * service (a random split keeps each zone's arrivals Poisson). At its busy-hour rate, after
 * 1,000 requests, zone-a is lost: its node crashes and the balancer stops sending to it at
 * once, so the two zones left share the whole load. The p99 is measured over the 10,000
 * requests sent after that.
 */
export async function measureZoneLoss(profile: ServiceProfile, workersPerZone: number, seed: number): Promise<ZoneLossMeasurement> {
  const sim = new Simulation({ seed, trace: { enabled: false }, network: { latency: constant(0) } });
  for (const zone of ZONES) {
    sim.addNode(zone, () => ({ onRequest: () => ({ kind: 'put' as const }) }), {
      capacity: { workers: workersPerZone, serviceTime: exponential(profile.meanServiceMs), queueCapacity: 1_000_000 },
    });
  }
  const lossMs = (1_000 / profile.ratePerS) * 1000;
  const after = 10_000;
  let inService: readonly string[] = ZONES;
  sim.at(lossMs, () => {
    sim.crash(ZONES[0]);
    inService = ZONES.slice(1);
  });
  const latencies = new LatencyRecorder();
  sim.onOperation((op) => {
    if (op.invokeMs >= lossMs && op.status === 'ok') latencies.record(op.returnMs! - op.invokeMs);
  });
  sim.workload({
    name: 'clients',
    target: (_input, ctx) => inService[ctx.random.int(inService.length)]!,
    arrivals: { kind: 'open', ratePerS: profile.ratePerS },
    mix: { put: 1 },
    deadlineMs: 3_600_000,
    stopMs: lossMs + (after / profile.ratePerS) * 1000,
  });
  await sim.runUntilIdle();
  const { count, p99Ms } = latencies.summary();
  return {
    workersPerZone,
    requests: count,
    p99Ms: count === 0 ? Infinity : p99Ms,
    utilisation: (profile.ratePerS * profile.meanServiceMs) / 1000 / (workersPerZone * (ZONES.length - 1)),
  };
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

/**
 * Why a zone plan missed the target once a zone was lost: each zone left took a bigger share
 * of the load than it was sized for, in a queue of its own.
 */
export function explainZoneLoss(profile: ServiceProfile, zones: number, measured: ZoneLossMeasurement): string {
  const left = zones - 1;
  const share = profile.ratePerS / left;
  const perZone = count(measured.workersPerZone, 'worker');
  const head =
    `With ${perZone} in each of ${zones} zones (${measured.workersPerZone * zones} in all), p99 was ${ms(measured.p99Ms)} ` +
    `after a zone was lost; the target is ${ms(profile.p99TargetMs)}.`;
  const load =
    `The ${left} zones left each took 1/${left} of the ${profile.ratePerS.toLocaleString('en-US')} requests/s, about ` +
    `${share.toLocaleString('en-US', { maximumFractionDigits: 1 })} each, in a queue of their own`;
  if (measured.utilisation >= 1) {
    return `${head} ${load}, which keeps more than ${perZone} busy all the time: the queue grew without end.`;
  }
  return (
    `${head} ${load}, each worker ${percent(measured.utilisation)} busy. A zone's workers cannot help another zone's ` +
    'queue: size each zone for the load it must carry alone once another zone is gone.'
  );
}

/** Why a zone plan that holds the target after a loss buys too many workers per zone. */
export function explainZoneWaste(profile: ServiceProfile, zones: number, workersPerZone: number, fewer: ZoneLossMeasurement): string {
  const extra = (workersPerZone - fewer.workersPerZone) * zones;
  return (
    `${count(fewer.workersPerZone, 'worker')} per zone already ${fewer.workersPerZone === 1 ? 'holds' : 'hold'} the target ` +
    `after a zone is lost (p99 ${ms(fewer.p99Ms)} ≤ ${ms(profile.p99TargetMs)}), so ${count(workersPerZone, 'worker')} per ` +
    `zone buys ${count(extra, 'worker')} more than needed across the ${zones} zones.`
  );
}

/** What the zone no-waste check says when the plan does not hold the target after a loss. */
export function explainZoneWasteUnchecked(profile: ServiceProfile, measured: ZoneLossMeasurement): string {
  return (
    `Not checked yet: waste is only measured once the plan holds the target after a zone is lost, and with ` +
    `${count(measured.workersPerZone, 'worker')} per zone p99 was ${ms(measured.p99Ms)} against ${ms(profile.p99TargetMs)}. ` +
    'Make the zone-loss test for this service pass first.'
  );
}
