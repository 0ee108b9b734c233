/**
 * Saving the learner's code as they type: a change is saved once typing has paused for a
 * moment, and `flush` saves at once (the page hides, a run starts, the editor switches),
 * dropping the pending save so the same text is not written twice.
 */

/** The timer functions the autosave uses; a test passes its own clock. */
export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AutosaveOptions {
  /** Writes the code now. */
  readonly save: () => void;
  /** How long typing must pause before a save. @default 300 */
  readonly delayMs?: number;
  readonly timers?: Timers;
}

export class Autosave {
  readonly #save: () => void;
  readonly #delayMs: number;
  readonly #timers: Timers;
  #pending: unknown;

  constructor(options: AutosaveOptions) {
    this.#save = options.save;
    this.#delayMs = options.delayMs ?? 300;
    this.#timers = options.timers ?? { setTimeout: (run, ms) => setTimeout(run, ms), clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) };
  }

  /** Whether a save is waiting for typing to pause. */
  get pending(): boolean {
    return this.#pending !== undefined;
  }

  /** The code changed: save once typing pauses, restarting the wait on each change. */
  changed(): void {
    this.#cancel();
    this.#pending = this.#timers.setTimeout(() => {
      this.#pending = undefined;
      this.#save();
    }, this.#delayMs);
  }

  /** Saves now, instead of any save still waiting. */
  flush(): void {
    this.#cancel();
    this.#save();
  }

  #cancel(): void {
    if (this.#pending !== undefined) this.#timers.clearTimeout(this.#pending);
    this.#pending = undefined;
  }
}
