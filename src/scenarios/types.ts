import type { Simulation, SloObjectives } from '../sim/index.ts';

/** A control the reader can change on a lesson's live simulation. */
export type ScenarioParam =
  | {
      readonly kind: 'number';
      readonly name: string;
      /** Shown beside the slider, e.g. "Requests per second". */
      readonly label: string;
      readonly min: number;
      readonly max: number;
      readonly step: number;
      readonly default: number;
      /** e.g. "QPS", "ms", "%". */
      readonly unit?: string;
    }
  | {
      readonly kind: 'select';
      readonly name: string;
      readonly label: string;
      readonly options: readonly { readonly value: string; readonly label: string }[];
      readonly default: string;
    }
  | { readonly kind: 'boolean'; readonly name: string; readonly label: string; readonly default: boolean };

export type ParamValues = Readonly<Record<string, number | string | boolean>>;

/** What a scenario's build returns: a simulation ready to run, and how to judge it. */
export interface BuiltScenario {
  readonly sim: Simulation;
  /** Run until this virtual time, in ms. */
  readonly durationMs: number;
  /** Objectives drawn as lines on the charts and checked at the end. */
  readonly slo?: SloObjectives;
  /** Node groups for the cluster view, e.g. `{ clients: ['clients'], servers: ['s1', 's2'] }`. */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /**
   * A short line of state for some nodes, e.g. a Raft server's term and log: sampled at the
   * end of every bucket and shown under the node in the cluster view and in its table.
   * Keep each line under about 40 characters; a node missing from the record shows nothing.
   * It reads the scenario's own records, never the nodes' private state through the
   * simulator, and must not change the run.
   */
  nodeNotes?(): Readonly<Record<string, string>>;
  /**
   * How the charts present this run, where the defaults do not suit it.
   * - `bucketMs`: the width of a chart bucket. By default a run is cut into about 400
   *   buckets (a 1-2-5 step); when requests are sparse, most buckets then hold one request or
   *   none and the latency lines break into dots, so widen them.
   * - `latencyScale: 'log'`: a logarithmic latency axis, for runs whose latencies span orders
   *   of magnitude (a 2 ms request beside one that waited out a 1 s election), which a linear
   *   axis would press flat against the floor.
   */
  readonly charts?: { readonly bucketMs?: number; readonly latencyScale?: 'linear' | 'log' };
}

/**
 * A named, parameterised simulation that a lesson embeds with
 * `<Simulation scenario="…" />`. It runs the reference code of the course, and is
 * registered in `src/scenarios/index.ts`. `build` must be deterministic for a given seed
 * and parameter values, and must not start the run itself.
 */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** One or two sentences: what the reader should watch for. */
  readonly description: string;
  readonly params: readonly ScenarioParam[];
  build(params: ParamValues, seed: number): BuiltScenario;
}

/** The parameter values a scenario starts with. */
export function defaultParams(scenario: Scenario): ParamValues {
  return Object.fromEntries(scenario.params.map((p) => [p.name, p.default]));
}
