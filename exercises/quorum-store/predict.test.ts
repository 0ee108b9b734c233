/**
 * Your latency predictions (`predict.ts`) against your store (`replica.ts`), in four
 * settings with fixed latencies: CP with R = W = 3, and three AP settings of R and W.
 * One client sends one request at a time to n1, from 0.5 s after the replicas start, so
 * every request meets a quiet store and the prediction can be exact. The settings derive from the exercise's seed.
 * Your predictions for the four settings are asked for before any of them runs: they come
 * from the model of your protocol, not from timings your code noted in a run.
 */
import { assert, describe, inject, it } from 'vitest';
import { Random, type KvInput, type KvOutput, type Operation } from '@faultlines/sim';
import { REPLICAS, percentile, runStore, type StoreRun } from './store.ts';
import { createReplica } from './replica.ts';
import { predictLatency, predictLwwLost } from './predict.ts';
import type { LatencyPrediction, LatencySetting, LwwSetting } from './types.ts';

const seed = inject('seed');

/**
 * Within this much of the measured p99, in milliseconds, or 2% of it, whichever is more.
 * The reference and both alternatives predict the measured p99 exactly (to about 1e-13 ms)
 * in every setting of seeds 1–30, and the lost writes of last-writer-wins on all 30: the
 * model is the simulation's own, so any error is a wrong formula, not noise.
 */
const TOLERANCE_MS = 0.05;

/** R and W of the AP settings, three of which are drawn. */
const AP_QUORUMS = [
  [1, 1],
  [1, 3],
  [2, 2],
  [3, 1],
  [1, 5],
  [2, 4],
] as const;

function settings(): LatencySetting[] {
  const random = new Random(seed).fork('latency settings');
  const between = (min: number, max: number): number => Math.round((min + random.next() * (max - min)) * 100) / 100;
  const draw = (mode: 'cp' | 'ap', r: number, w: number): LatencySetting => ({
    mode,
    r,
    w,
    clientOneWayMs: between(0.05, 0.3),
    // n2 shares zone a with n1; n3 and n4 are a zone away, n5 further.
    oneWayMs: { n2: between(0.05, 0.2), n3: between(0.3, 1.2), n4: between(0.3, 1.2), n5: between(0.8, 2.5) },
  });
  const pairs = [...AP_QUORUMS];
  const ap: LatencySetting[] = [];
  for (let i = 0; i < 3; i++) {
    const [r, w] = pairs.splice(random.int(pairs.length), 1)[0]!;
    ap.push(draw('ap', r, w));
  }
  return [draw('cp', 3, 3), ...ap];
}

const ms = (value: number): string => `${value.toLocaleString('en-US', { maximumFractionDigits: 2 })} ms`;
const describeSetting = (s: LatencySetting): string =>
  `${s.mode.toUpperCase()}, R = ${s.r}, W = ${s.w}, client ↔ n1 ${ms(s.clientOneWayMs)} one way, n1 → ` +
  Object.entries(s.oneWayMs)
    .map(([name, oneWay]) => `${name} ${ms(oneWay)}`)
    .join(', ');

const runs = new Map<LatencySetting, Promise<StoreRun>>();
function measure(setting: LatencySetting, index: number): Promise<StoreRun> {
  let found = runs.get(setting);
  if (found === undefined) {
    found = runStore({
      seed: seed + 100 + index,
      createReplica,
      mode: setting.mode,
      r: setting.r,
      w: setting.w,
      keys: 4,
      stopMs: 3_500,
      endMs: 3_500,
      probe: { clientOneWayMs: setting.clientOneWayMs, oneWayMs: setting.oneWayMs, operations: 200 },
    });
    runs.set(setting, found);
  }
  return found;
}

const latency = (op: Operation<KvInput, KvOutput>): number => op.returnMs! - op.invokeMs;

describe('what a quorum costs', () => {
  const all = settings();
  /** Your predictions for the four settings, asked for once, before the first of them runs. */
  let predictions: LatencyPrediction[] | undefined;
  const predicted = (): LatencyPrediction[] =>
    (predictions ??= all.map((setting) => predictLatency(Object.freeze({ ...setting, oneWayMs: Object.freeze({ ...setting.oneWayMs }) }))));
  for (const [kind, label] of [
    ['readMs', 'reads'],
    ['writeMs', 'writes'],
  ] as const) {
    it(`predicts the p99 of ${label} within 2% (or 0.05 ms) in four settings of R and W`, async () => {
      const made = predicted();
      for (const [i, setting] of all.entries()) {
        const r = await measure(setting, i);
        const failed = r.history.find((op) => op.status !== 'ok');
        assert(
          failed === undefined,
          `Not checked yet: in the setting ${describeSetting(setting)}, a request was not answered (${failed?.error ?? failed?.status}); ` +
            'with every replica reachable, every request must be answered: make the store tests pass first.',
        );
        const ops = r.history.filter((op) =>
          kind === 'readMs' ? op.input.kind === 'get' && op.output?.kind === 'get' && op.output.value !== null : op.input.kind === 'put',
        );
        const measured = percentile(ops.map(latency), 99);
        // The least a request can take: the client's round trip and one round of the quorum it needs.
        const trips = Object.values(setting.oneWayMs)
          .map((oneWay) => 2 * oneWay)
          .sort((a, b) => a - b);
        const need = kind === 'readMs' ? setting.r : setting.w;
        const floor = 2 * setting.clientOneWayMs + (need <= 1 ? 0 : trips[need - 2]!);
        assert(
          measured >= floor - 1e-6,
          `Not checked yet: in the setting ${describeSetting(setting)}, your store answered ${label} in ${ms(measured)} at the p99, sooner than ` +
            `${need} replicas can answer (${ms(floor)} with the client's round trip). A coordinator must wait for ${kind === 'readMs' ? 'r' : 'w'} answers, its own included; ` +
            'make it do so, then predict how long that takes.',
        );
        const predicted = made[i]![kind];
        const tolerance = Math.max(TOLERANCE_MS, 0.02 * measured);
        assert(
          typeof predicted === 'number' && Math.abs(predicted - measured) <= tolerance,
          `In the setting ${describeSetting(setting)}, your store's ${label} took ${ms(measured)} at the p99 (over ${ops.length} ${label}), ` +
            `and you predicted ${typeof predicted === 'number' ? ms(predicted) : String(predicted)}; the two must be within ${ms(tolerance)}. ` +
            'Follow one request: the client\'s trip to n1 and back, then each round in which n1 waits for answers. ' +
            'A round that needs k answers, n1\'s own counted at once, lasts as long as the (k − 1)-th fastest round trip to another replica.',
        );
      }
    });
  }
});

describe('what last-writer-wins loses', () => {
  it('predicts which of 40 writes, each acknowledged before the next, the store throws away', async () => {
    const random = new Random(seed).fork('lww setting');
    const clockOffsetMs = Object.fromEntries(REPLICAS.map((r) => [r, Math.round((random.next() * 24 - 12) * 10) / 10]));
    const coordinators = Array.from({ length: 40 }, () => REPLICAS[random.int(REPLICAS.length)]!);
    const r = await runStore({
      seed: seed + 200,
      createReplica,
      mode: 'ap',
      r: 1,
      w: 1,
      clockOffsetMs,
      sequence: { coordinators, gapMs: 8 },
      stopMs: 5_000,
      endMs: 5_000,
    });
    const puts = r.history.filter((op) => op.input.kind === 'put');
    const unanswered = puts.find((op) => op.status !== 'ok');
    assert(
      puts.length === 40 && unanswered === undefined,
      `Not checked yet: in AP mode with the whole network, ${unanswered ? `a write was not acknowledged (${unanswered.error ?? unanswered.status})` : `only ${puts.length} of 40 writes were sent`}; ` +
        'make "answers on both sides through a 10 s partition" pass first.',
    );
    const value = (op: (typeof puts)[number]): string => (op.input as { value: string }).value;
    const setting: LwwSetting = Object.freeze({
      clockOffsetMs: Object.freeze({ ...clockOffsetMs }),
      puts: Object.freeze(puts.map((op) => Object.freeze({ coordinator: r.received.get(value(op))!.coordinator, receivedMs: r.received.get(value(op))!.atMs }))),
    });
    // Lost: never held by any replica before the next write arrived, or replaced somewhere
    // by the value of an earlier write.
    const position = new Map(puts.map((op, i) => [value(op), i]));
    const replacedByEarlier = new Set<number>();
    const holding = new Map<string, string>();
    for (const w of r.writes) {
      const before = holding.get(w.replica);
      holding.set(w.replica, w.value);
      const was = before === undefined ? undefined : position.get(before);
      const now = position.get(w.value);
      if (was !== undefined && now !== undefined && now < was) replacedByEarlier.add(was);
    }
    const measured: number[] = [];
    puts.forEach((op, i) => {
      const until = i + 1 < puts.length ? r.received.get(value(puts[i + 1]!))!.atMs - 1e-6 : r.endMs;
      const stored = r.writes.some((w) => w.value === value(op) && w.atMs <= until);
      if (!stored || replacedByEarlier.has(i)) measured.push(i);
    });
    const predicted = predictLwwLost(setting);
    const list = (xs: readonly number[]): string => (xs.length === 0 ? 'none' : xs.join(', '));
    const offsets = Object.entries(clockOffsetMs)
      .map(([name, off]) => `${name} ${off > 0 ? '+' : ''}${off} ms`)
      .join(', ');
    assert(
      Array.isArray(predicted) && JSON.stringify([...predicted].sort((a, b) => a - b)) === JSON.stringify(measured),
      `With clocks off by ${offsets}, your store threw away the writes at positions ${list(measured)} (of 40, from 0), ` +
        `and you predicted ${Array.isArray(predicted) ? list(predicted) : String(predicted)}. ` +
        'Each write reached its coordinator after the one before was acknowledged, so a store that kept the latest would lose none. ' +
        'Work out the version your store gives each write from its coordinator and the time it arrived there (its receivedMs plus that clock\'s offset, if you stamp writes with the clock), ' +
        'and which earlier version beats it.',
    );
  });
});
