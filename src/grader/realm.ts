/**
 * Keeping one grade from disturbing the next when they share a JavaScript realm.
 *
 * The hosts give every submission a fresh realm (a new Node process, a new Worker), and that
 * is the real guarantee. These helpers are the second line, for callers that grade several
 * times in one realm (the unit tests, a warm host): they put the global object and the
 * built-in prototypes back as they were, and cancel timers the exercise left running.
 */
import type { ModuleScope } from './loader.ts';

type Target = object;

interface Snapshot {
  readonly target: Target;
  readonly descriptors: Map<PropertyKey, PropertyDescriptor>;
}

/** Built-ins whose own properties exercise code is most likely to patch. */
function watchedTargets(): Target[] {
  const constructors = [Object, Array, Function, String, Number, Boolean, Symbol, Promise, Map, Set, WeakMap, WeakSet, Date, RegExp, Error, JSON, Math];
  const targets: Target[] = [globalThis];
  for (const c of constructors) {
    targets.push(c);
    const prototype = (c as { prototype?: object }).prototype;
    if (prototype) targets.push(prototype);
  }
  return targets;
}

/** Records the own properties of the global object and the built-ins. */
export function snapshotGlobals(): Snapshot[] {
  return watchedTargets().map((target) => {
    const descriptors = new Map<PropertyKey, PropertyDescriptor>();
    for (const key of Reflect.ownKeys(target)) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
      if (descriptor) descriptors.set(key, descriptor);
    }
    return { target, descriptors };
  });
}

/**
 * Deletes what was added since the snapshot and puts back what was changed. Properties that
 * cannot be deleted or redefined (the learner froze something) are left as they are: the
 * host's fresh realm is what covers that case.
 */
export function restoreGlobals(snapshots: readonly Snapshot[]): void {
  for (const { target, descriptors } of snapshots) {
    for (const key of Reflect.ownKeys(target)) {
      const before = descriptors.get(key);
      if (!before) {
        try {
          Reflect.deleteProperty(target, key);
        } catch {
          // Left in place; see the function's comment.
        }
        continue;
      }
      const now = Reflect.getOwnPropertyDescriptor(target, key);
      if (now && !sameDescriptor(before, now)) {
        try {
          Reflect.defineProperty(target, key, before);
        } catch {
          // Left in place; see the function's comment.
        }
      }
    }
    for (const [key, descriptor] of descriptors) {
      if (!Reflect.getOwnPropertyDescriptor(target, key)) Reflect.defineProperty(target, key, descriptor);
    }
  }
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return a.value === b.value && a.get === b.get && a.set === b.set && a.writable === b.writable && a.enumerable === b.enumerable && a.configurable === b.configurable;
}

type TimerFn = (callback: unknown, ms?: number, ...args: unknown[]) => unknown;
type ClearFn = (handle: unknown) => void;

/**
 * Timers for exercise code. Each callback is guarded: an exception thrown from a timer the
 * exercise forgot about is reported as an unhandled error (vitest fails the run for those)
 * instead of crashing the host. Every handle is remembered so the grade can cancel what is
 * still pending when it ends.
 */
export class GuardedTimers {
  readonly #pending = new Set<unknown>();
  readonly #report: (error: unknown) => void;

  constructor(report: (error: unknown) => void) {
    this.#report = report;
  }

  scope(console: Console): ModuleScope {
    const real = globalThis as unknown as {
      setTimeout: TimerFn;
      setInterval: TimerFn;
      clearTimeout: ClearFn;
      clearInterval: ClearFn;
      queueMicrotask: (callback: () => void) => void;
    };
    const guard = (callback: unknown, args: unknown[], after?: () => void) => () => {
      after?.();
      try {
        if (typeof callback === 'function') callback(...args);
      } catch (error) {
        this.#report(error);
      }
    };
    const setTimeoutGuarded = (callback: unknown, ms?: number, ...args: unknown[]): unknown => {
      const handle: unknown = real.setTimeout(
        guard(callback, args, () => this.#pending.delete(handle)),
        ms,
      );
      this.#pending.add(handle);
      return handle;
    };
    const setIntervalGuarded = (callback: unknown, ms?: number, ...args: unknown[]): unknown => {
      const handle = real.setInterval(guard(callback, args), ms);
      this.#pending.add(handle);
      return handle;
    };
    const clear = (handle: unknown): void => {
      this.#pending.delete(handle);
      real.clearTimeout(handle);
    };
    return {
      console,
      setTimeout: setTimeoutGuarded,
      setInterval: setIntervalGuarded,
      clearTimeout: clear,
      clearInterval: clear,
      queueMicrotask: (callback: unknown) => real.queueMicrotask(guard(callback, [])),
    };
  }

  /** Cancels every timer the exercise left pending. */
  cancelAll(): void {
    for (const handle of this.#pending) {
      (globalThis as unknown as { clearTimeout: ClearFn }).clearTimeout(handle);
    }
    this.#pending.clear();
  }
}
