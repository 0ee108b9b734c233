/**
 * Makes a module's exports unchangeable, so that code under test cannot alter what the tests
 * measure with. The learner's modules share the simulator module (and the exercise's harness
 * modules) with the tests: without this, `Simulation.prototype.summary = …` in a learner's
 * file would change the p99 a test reads, and `exports.ownerAt = …` would change a harness's
 * answer.
 *
 * {@link hardenModule} freezes the module object, every exported function and class, each
 * class's prototype and its methods, static members, and exported plain data (arrays and
 * plain objects, deeply). Instances stay as they are: each simulation's state lives in its
 * own objects, created after this, and is not frozen. Built-in prototypes (`Object`,
 * `Function`, `Error`…) are never reached, since only own properties are followed.
 *
 * Once frozen, an assignment in a module (strict mode, as every ES module is) throws
 * `TypeError: Cannot assign to read only property 'summary' of object '#<Simulation>'`, and
 * `Object.defineProperty` throws `Cannot redefine property`; the grader reports either at the
 * learner's file and line.
 */

/**
 * Freezes a module's exports as described above. Safe to call more than once.
 *
 * `mutable` names the exports the module itself declares with `export let` (or `var`): the
 * grader's loader gives each module a plain exports object, and a module that updates such
 * a binding later (`export let count = 0; … count++`) writes to it. Those stay writable (and
 * cannot be redefined or deleted); every other export is read-only.
 */
export function hardenModule(exports: unknown, mutable: readonly string[] = []): void {
  if (!isObjectLike(exports)) return;
  try {
    if (mutable.length === 0) Object.freeze(exports);
    else {
      for (const key of Reflect.ownKeys(exports)) {
        const writable = typeof key === 'string' && mutable.includes(key);
        const descriptor = Object.getOwnPropertyDescriptor(exports, key);
        if (descriptor?.configurable !== true) continue;
        Object.defineProperty(exports, key, 'value' in descriptor ? { writable, configurable: false } : { configurable: false });
      }
      Object.preventExtensions(exports);
    }
  } catch {
    // A native ES module namespace cannot be frozen (its bindings stay writable from inside
    // the module) but is already read-only from outside: no one else can assign to it.
  }
  for (const key of Reflect.ownKeys(exports)) {
    let value: unknown;
    try {
      value = (exports as Record<PropertyKey, unknown>)[key];
    } catch {
      continue; // an export still in its temporal dead zone
    }
    hardenValue(value, new Set());
  }
}

/**
 * Locks the built-ins the tests compute with, so that learner code cannot patch them either:
 * `Math.abs = () => 0` in a learner's file would make every "within x of" check pass, and
 * `Array.prototype.sort = …` would change every percentile a harness takes. Safe to call
 * more than once; it changes the whole realm, which each grade has to itself.
 *
 * - `Math`, `JSON` and `Reflect` are frozen whole: nothing inherits from them.
 * - The functions on `Object`, `Array`, `Number`, `String`, `Map` and `Set`, and every method
 *   of the prototypes of arrays, maps, sets, numbers and strings, become read-only.
 * - The global bindings of those names and of `structuredClone` (which harnesses copy
 *   messages with) become read-only.
 *
 * Left as they are: `Object.prototype`, `Function.prototype` and `Error.prototype`. Ordinary
 * code assigns own properties named like theirs (`error.name = …`, `obj.toString = …`), and
 * in strict mode a read-only inherited property turns such an assignment into a TypeError.
 * Timers, `Date` and `Promise` stay too: test runners replace them, and no test measures
 * with them.
 */
export function hardenIntrinsics(): void {
  if (intrinsicsHardened) return;
  intrinsicsHardened = true;
  for (const namespace of [Math, JSON, Reflect]) Object.freeze(namespace);
  for (const owner of [Object, Array, Number, String, Map, Set, Array.prototype, Map.prototype, Set.prototype, Number.prototype, String.prototype]) {
    lockProperties(owner);
  }
  const global = globalThis as unknown as Record<string, unknown>;
  for (const name of ['Math', 'JSON', 'Reflect', 'Object', 'Array', 'Number', 'String', 'Map', 'Set', 'structuredClone']) {
    const descriptor = Object.getOwnPropertyDescriptor(global, name);
    if (descriptor?.configurable && 'value' in descriptor) Object.defineProperty(global, name, { writable: false, configurable: false });
  }
}

let intrinsicsHardened = false;

/** Makes every own data property of `owner` read-only and every property unconfigurable. */
function lockProperties(owner: object): void {
  for (const key of Reflect.ownKeys(owner)) {
    const descriptor = Object.getOwnPropertyDescriptor(owner, key);
    if (descriptor === undefined || !descriptor.configurable) continue;
    // `prototype`, `length` and `name` are not writable already; the rest become so.
    Object.defineProperty(owner, key, 'value' in descriptor ? { writable: false, configurable: false } : { configurable: false });
  }
}

function hardenValue(value: unknown, seen: Set<object>): void {
  if (!isObjectLike(value) || seen.has(value) || !isHardenable(value)) return;
  seen.add(value);
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor === undefined) continue;
    if ('value' in descriptor) hardenValue(descriptor.value, seen);
    else {
      hardenValue(descriptor.get, seen);
      hardenValue(descriptor.set, seen);
    }
  }
}

/**
 * Functions (with their prototypes), arrays and plain objects. Not built-in prototypes and
 * not instances of classes (a `Map`, a `Random`): those may be state someone still changes.
 */
function isHardenable(value: object): boolean {
  if (intrinsics.has(value)) return false;
  if (typeof value === 'function') return true;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return true;
  // A class's prototype object: its constructor is the class that owns it.
  const ctor = Object.getOwnPropertyDescriptor(value, 'constructor')?.value as unknown;
  return typeof ctor === 'function' && (ctor as { prototype?: unknown }).prototype === value;
}

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** Shared by every realm's code: freezing them would change the language for everyone. */
const intrinsics = new Set<object>([
  Object,
  Object.prototype,
  Function,
  Function.prototype,
  Array,
  Array.prototype,
  Error,
  Error.prototype,
  Promise,
  Promise.prototype,
  Map,
  Map.prototype,
  Set,
  Set.prototype,
  Math,
  JSON,
  globalThis,
]);
