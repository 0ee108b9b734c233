/** One measured figure. Names are stable once published: scripts compare runs by them. */
export interface Figure {
  /** Dotted, stable name such as `sim.events_per_s`. */
  readonly name: string;
  readonly value: number;
  /** The unit, e.g. `events/s`, `s`, `ms`, `bytes`. */
  readonly unit: string;
  /** A short note printed beside the figure: the target, or what was measured. */
  readonly note?: string;
}

export type Report = (figure: Figure) => void;

/** A bench suite measures one area and reports its figures. */
export interface BenchSuite {
  readonly name: string;
  run(report: Report): Promise<void>;
}
