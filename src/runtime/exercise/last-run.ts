/**
 * What an exercise panel shows besides the code, kept across a reload: the hints already
 * opened and the last result (with where it ran). Code has its own store (code-store.ts);
 * progress (passed, passed with help) lives in progress.ts. This is a convenience, not a
 * record: when storage refuses, the panel simply starts without it.
 */
import type { ChosenSummary } from './components.ts';
import type { GradeResult } from '../../grader/types.ts';
import type { HostNote } from '../hosts/host.ts';
import type { KeyValueStorage } from '../progress.ts';

const PREFIX = 'faultlines:panel:v1:';

/** Console lines kept with a stored result; the panel shows at most this many anyway. */
export const STORED_LOG_LINES = 500;
/**
 * Characters of console output kept with a stored result, so that a run that printed a lot
 * cannot fill the storage the learner's code needs (browsers allow about 5 MB per site).
 */
export const STORED_LOG_CHARS = 20_000;

export interface StoredRun {
  readonly result: GradeResult;
  readonly note: HostNote;
  /** When the run finished (ms since the epoch). */
  readonly at: number;
  /** The editable files as they were graded, to tell whether the result still describes the code. */
  readonly files: Readonly<Record<string, string>>;
  /** Which version of each earlier component the run used. */
  readonly components?: readonly ChosenSummary[];
}

export interface PanelState {
  /** How many hints the learner has opened. */
  readonly hintsShown: number;
  readonly lastRun?: StoredRun;
}

export class PanelStateStore {
  readonly #storage: KeyValueStorage | undefined;
  readonly #memory = new Map<string, PanelState>();

  constructor(storage: KeyValueStorage | undefined) {
    this.#storage = storage;
  }

  load(exerciseId: string): PanelState {
    const remembered = this.#memory.get(exerciseId);
    if (remembered) return remembered;
    try {
      const text = this.#storage?.getItem(PREFIX + exerciseId);
      if (!text) return { hintsShown: 0 };
      return parsePanelState(JSON.parse(text));
    } catch {
      return { hintsShown: 0 };
    }
  }

  /** Saves, keeping the state in memory for this page when storage refuses. */
  save(exerciseId: string, state: PanelState): void {
    this.#memory.set(exerciseId, state);
    try {
      this.#storage?.setItem(PREFIX + exerciseId, JSON.stringify(state));
      this.#memory.delete(exerciseId);
    } catch {
      // A full quota: the code store tells the learner; this state is only a convenience.
    }
  }
}

/** Trims a result for storage: stacks, and console output past a few hundred lines or 20,000 characters, are left out. */
export function storableResult(result: GradeResult): GradeResult {
  const { logs, ...rest } = result;
  const kept: GradeResult['logs'][number][] = [];
  let chars = 0;
  for (const line of logs) {
    if (kept.length >= STORED_LOG_LINES || chars + line.text.length > STORED_LOG_CHARS) break;
    kept.push(line);
    chars += line.text.length;
  }
  return {
    ...rest,
    logs: kept,
    droppedLogLines: result.droppedLogLines + logs.length - kept.length,
    tests: result.tests.map(({ stack: _stack, ...test }) => test),
    errors: result.errors.map(({ stack: _stack, ...error }) => error),
  };
}

/** Reads stored state leniently: anything malformed is dropped, never thrown. */
export function parsePanelState(value: unknown): PanelState {
  if (typeof value !== 'object' || value === null) return { hintsShown: 0 };
  const raw = value as { hintsShown?: unknown; lastRun?: unknown };
  const hintsShown = typeof raw.hintsShown === 'number' && Number.isInteger(raw.hintsShown) && raw.hintsShown > 0 ? raw.hintsShown : 0;
  const run = raw.lastRun as Partial<StoredRun> | undefined;
  const valid =
    run &&
    typeof run === 'object' &&
    typeof run.at === 'number' &&
    typeof run.files === 'object' &&
    run.files !== null &&
    typeof run.note?.summary === 'string' &&
    typeof run.result === 'object' &&
    run.result !== null &&
    Array.isArray(run.result.tests) &&
    Array.isArray(run.result.errors) &&
    Array.isArray(run.result.logs) &&
    typeof run.result.summary === 'object';
  if (!valid) return { hintsShown };
  const { components, ...rest } = run as StoredRun;
  const kept = Array.isArray(components)
    ? components.filter((c) => typeof c === 'object' && c !== null && typeof c.name === 'string' && (c.source === 'yours' || c.source === 'reference'))
    : [];
  return { hintsShown, lastRun: kept.length > 0 ? { ...rest, components: kept } : rest };
}

export function browserPanelState(): PanelStateStore {
  try {
    return new PanelStateStore(globalThis.localStorage);
  } catch {
    return new PanelStateStore(undefined);
  }
}
