/**
 * The capstone's one editable file, `plan.ts`, holds your design decisions for the day and
 * your predictions of how the day will go. Everything else in the run is the code you wrote
 * in the earlier exercises (or, for an exercise you have not passed yet, its reference).
 *
 * This file is read-only.
 */

/**
 * Quorum sizes for every shard group: each group is five replicas of your quorum store
 * (`../quorum-store/replica.ts`), two in one zone, two in another and one in the third.
 */
export interface QuorumPlan {
  /** Replicas that must answer a read (the coordinator counts if it takes part), 1–5. */
  readonly r: number;
  /** Replicas that must store a write before it is acknowledged, 1–5. */
  readonly w: number;
}

/** What you expect the day to measure, written before you run it. */
export interface Predictions {
  /** The p99 latency of the requests of the busiest minute of the day outside fault windows, in milliseconds. */
  readonly p99AtPeakMs: number;
  /** Acknowledged writes lost over the whole day (the recovery point objective, in writes). */
  readonly ackedWritesLost: number;
  /**
   * How long after a zone is cut off the requests of a whole second succeed again at 99%
   * or better, in milliseconds (the recovery time objective for a zone cut).
   */
  readonly zoneCutRecoveryMs: number;
}

/** Your plan: `plan.ts` exports one called `plan`. */
export interface SystemPlan {
  readonly quorum: QuorumPlan;
  /**
   * How many router instances to run in each zone, or `'capacity plan'` to take what your
   * capacity plan (`workersPerZone` in `../capacity-planning/capacity.ts`) says for the
   * routers' profile at the busiest the day gets (the peak with the flash crowd on top),
   * with three zones.
   */
  readonly routersPerZone: number | 'capacity plan';
  readonly predictions: Predictions;
}
