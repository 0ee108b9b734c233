/**
 * A fault schedule as data: what goes wrong in a run, when, and for how long. A scenario
 * draws one from its seed, prints it (so that a learner can read what their system went
 * through, and rerun the same day), applies it to a {@link Simulation}, and hands its
 * windows to a report that measures latency and errors inside and outside them.
 *
 * Every fault is plain data (its latencies are `Distribution` objects), so a schedule
 * travels in a report file unchanged.
 */
import type { Distribution } from './distributions.ts';
import type { Simulation } from './simulation.ts';

/** What every scheduled fault has. */
interface FaultBase {
  /** What a reader sees: `zone b cut off from zones a and c`. */
  readonly label: string;
  /** When it starts, in true simulation milliseconds. */
  readonly atMs: number;
}

/** The network split into groups that cannot reach each other, from `atMs` to `untilMs`. */
export interface PartitionFault extends FaultBase {
  readonly kind: 'partition';
  readonly untilMs: number;
  /** The groups, by node name; nodes not listed keep every link. */
  readonly groups: readonly (readonly string[])[];
}

/** A node crashes at `atMs`, and restarts at `untilMs` if given. */
export interface CrashFault extends FaultBase {
  readonly kind: 'crash';
  readonly node: string;
  /** When it restarts, with what its disk kept. @default never */
  readonly untilMs?: number;
}

/** A node's disk syncs with `syncLatency` from `atMs` to `untilMs`, as it did before afterwards. */
export interface SlowDiskFault extends FaultBase {
  readonly kind: 'slow-disk';
  readonly untilMs: number;
  readonly node: string;
  readonly syncLatency: Distribution;
}

/** Every link without a loss of its own loses `dropProbability` of its messages, from `atMs` to `untilMs`. */
export interface LossFault extends FaultBase {
  readonly kind: 'loss';
  readonly untilMs: number;
  readonly dropProbability: number;
}

/**
 * Something the scenario does itself at `atMs` (a shard rebalance, a deploy): listed and
 * measured like a fault, but {@link applyFaults} leaves it to the scenario.
 */
export interface ScenarioEvent extends FaultBase {
  readonly kind: 'event';
  /** When it is expected to be over, for the report's window. */
  readonly untilMs: number;
}

/** One entry of a fault schedule. */
export type ScheduledFault = PartitionFault | CrashFault | SlowDiskFault | LossFault | ScenarioEvent;

/** A span of time in which something was wrong, as a report marks it. */
export interface FaultWindow {
  readonly kind: ScheduledFault['kind'];
  readonly label: string;
  readonly startMs: number;
  /** When it ended; the end of the run for a crash without a restart. */
  readonly endMs: number;
}

/**
 * Applies every fault of `faults` to `sim` (scenario events excepted: the scenario runs
 * those). Checks the schedule first and throws, naming the entry, when a time is negative,
 * an end comes before its start, or a node is unknown.
 */
export function applyFaults(sim: Simulation, faults: readonly ScheduledFault[]): void {
  const known = new Set(sim.nodes);
  for (const fault of faults) checkFault(fault, known);
  for (const fault of faults) {
    switch (fault.kind) {
      case 'partition':
        sim.partition(fault.groups, { atMs: fault.atMs, healAtMs: fault.untilMs, label: fault.label });
        break;
      case 'crash':
        sim.crash(fault.node, { atMs: fault.atMs, ...(fault.untilMs !== undefined ? { restartAtMs: fault.untilMs } : {}) });
        break;
      case 'slow-disk':
        sim.setDisk(fault.node, { syncLatency: fault.syncLatency }, { atMs: fault.atMs, untilMs: fault.untilMs });
        break;
      case 'loss':
        sim.setLoss(fault.dropProbability, { atMs: fault.atMs, untilMs: fault.untilMs });
        break;
      case 'event':
        break;
    }
  }
}

function checkFault(fault: ScheduledFault, known: ReadonlySet<string>): void {
  const name = `The fault "${fault.label}"`;
  if (!(fault.atMs >= 0 && Number.isFinite(fault.atMs))) throw new RangeError(`${name} starts at ${fault.atMs} ms; a start is a time >= 0.`);
  const until = fault.untilMs;
  if (until !== undefined && !(until >= fault.atMs)) {
    throw new RangeError(`${name} ends at ${until} ms, before it starts (${fault.atMs} ms).`);
  }
  const nodes = fault.kind === 'partition' ? fault.groups.flat() : fault.kind === 'crash' || fault.kind === 'slow-disk' ? [fault.node] : [];
  for (const node of nodes) {
    if (!known.has(node)) throw new RangeError(`${name} names the node ${node}, which the simulation does not have.`);
  }
}

/** The windows of `faults` in start order, a crash without a restart lasting to `runEndMs`. */
export function faultWindows(faults: readonly ScheduledFault[], runEndMs: number): FaultWindow[] {
  return faults
    .map((fault) => ({ kind: fault.kind, label: fault.label, startMs: fault.atMs, endMs: fault.untilMs ?? runEndMs }))
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

/** `m:ss.s` for a time in milliseconds: `1:05.3`. */
export function clockTime(ms: number): string {
  const tenths = Math.round(ms / 100);
  const minutes = Math.floor(tenths / 600);
  const seconds = (tenths % 600) / 10;
  return `${minutes}:${seconds < 10 ? '0' : ''}${seconds.toFixed(1)}`;
}

/**
 * The schedule as lines a person reads, in start order, with the seed that drew it first:
 *
 * ```text
 * Faults of seed 42:
 *   0:00.0–1:00.0  background loss: 0.1% of messages (loss)
 *   0:31.5–0:37.5  zone b cut off from zones a and c (partition)
 * ```
 */
export function describeFaults(faults: readonly ScheduledFault[], seed: number | string, runEndMs: number): string {
  const lines = faultWindows(faults, runEndMs).map(
    (w) => `  ${clockTime(w.startMs)}–${clockTime(w.endMs)}  ${w.label} (${w.kind})`,
  );
  return [`Faults of seed ${seed}:`, ...(lines.length > 0 ? lines : ['  none'])].join('\n');
}
