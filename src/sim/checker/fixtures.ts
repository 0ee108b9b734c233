/**
 * Parsers for recorded histories in the two formats of the reference fixtures: Jepsen's
 * etcd logs (one register) and Porcupine-style EDN lines (many keys). Pure string
 * parsing, so that tests, benchmarks and the visual counterexample view can share them.
 *
 * Neither format carries timestamps, only the order of events, so an event's time is its
 * position among the events (0, 1, 2, ...). Order is all that linearizability depends on.
 */
import type { History, KvInput, KvOutput, Operation } from '../history.ts';

/** Options for {@link parseEtcdLog}. */
export interface EtcdLogOptions {
  /**
   * The key the register's operations are given in the parsed history.
   *
   * @default 'register'
   */
  readonly key?: string;
}

/** An operation being assembled while its completion has not been read yet. */
interface Draft {
  clientId: number;
  input: KvInput;
  invokeMs: number;
  returnMs?: number;
  status: 'ok' | 'failed' | 'unknown';
  output?: KvOutput;
  error?: string;
}

/** A parse error that names the line, so a broken fixture is quick to find. */
function lineError(lineNo: number, message: string, line: string): Error {
  return new Error(`line ${lineNo}: ${message}: ${line.trim()}`);
}

/**
 * Parses a Jepsen etcd log (`INFO jepsen.util - <process> <type> <f> <value>` per line)
 * into a history of `get` / `put` / `cas` operations on one key, to be checked with
 * `registerModel()` (the register starts absent).
 *
 * - `:ok :read N` (or `nil`) becomes a `get` returning `"N"` (or `null`).
 * - `:ok :write N` a `put`; `:ok :cas [A B]` a `cas` that swapped.
 * - `:fail :cas [A B]` is a `cas` that completed and reported no swap: an observation of
 *   the register (it did not hold A), so its status is `'ok'` with `swapped: false`.
 * - `:fail` of a read or write constrains nothing: status `'failed'`.
 * - `:info` (timed out) and invocations never completed: status `'unknown'`.
 *
 * @throws Error naming the line when a line cannot be read.
 */
export function parseEtcdLog(text: string, options: EtcdLogOptions = {}): History<KvInput, KvOutput> {
  const key = options.key ?? 'register';
  const lines = text.split('\n');
  const ops: Draft[] = [];
  const open = new Map<number, Draft>();
  let time = 0;
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.trim() === '') continue;
    const match = /^\s*INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(\w+)\s+:(\w+)\s*(.*?)\s*$/.exec(line);
    if (match === null) throw lineError(l + 1, 'not a jepsen.util event', line);
    const process = Number(match[1]);
    const type = match[2]!;
    const f = match[3]!;
    const value = match[4]!;
    if (type === 'invoke') {
      if (open.has(process)) throw lineError(l + 1, `process ${process} invokes while an operation is open`, line);
      const draft: Draft = { clientId: process, input: etcdInput(f, value, key, l + 1, line), invokeMs: time++, status: 'unknown' };
      ops.push(draft);
      open.set(process, draft);
      continue;
    }
    const draft = open.get(process);
    if (draft === undefined) throw lineError(l + 1, `process ${process} completes an operation it never invoked`, line);
    if (f !== kindToEtcd(draft.input.kind)) throw lineError(l + 1, `completion :${f} does not match the invocation`, line);
    open.delete(process);
    const at = time++;
    if (type === 'ok') {
      draft.status = 'ok';
      draft.returnMs = at;
      draft.output = etcdOutput(draft.input, value, l + 1, line);
    } else if (type === 'fail') {
      draft.returnMs = at;
      if (draft.input.kind === 'cas') {
        draft.status = 'ok';
        draft.output = { kind: 'cas', swapped: false };
      } else {
        draft.status = 'failed';
        draft.error = value.replace(/^:/, '') || 'failed';
      }
    } else if (type === 'info') {
      draft.status = 'unknown';
      draft.error = value.replace(/^:/, '') || 'unknown outcome';
    } else {
      throw lineError(l + 1, `unknown event type :${type}`, line);
    }
  }
  return ops.map(freeze);
}

function kindToEtcd(kind: KvInput['kind']): string {
  return kind === 'get' ? 'read' : kind === 'put' ? 'write' : kind;
}

function etcdInput(f: string, value: string, key: string, lineNo: number, line: string): KvInput {
  if (f === 'read') return { kind: 'get', key };
  if (f === 'write') return { kind: 'put', key, value: etcdValue(value, lineNo, line) };
  if (f === 'cas') {
    const [expected, next] = etcdPair(value, lineNo, line);
    return { kind: 'cas', key, expected, value: next };
  }
  throw lineError(lineNo, `unknown operation :${f}`, line);
}

function etcdOutput(input: KvInput, value: string, lineNo: number, line: string): KvOutput {
  switch (input.kind) {
    case 'get':
      return { kind: 'get', value: value === 'nil' ? null : etcdValue(value, lineNo, line) };
    case 'put':
      return { kind: 'put' };
    case 'append':
      return { kind: 'append' };
    case 'cas':
      return { kind: 'cas', swapped: true };
  }
}

function etcdValue(value: string, lineNo: number, line: string): string {
  if (!/^-?\d+$/.test(value)) throw lineError(lineNo, `expected an integer value, got "${value}"`, line);
  return value;
}

function etcdPair(value: string, lineNo: number, line: string): [string, string] {
  const match = /^\[\s*(-?\d+)\s+(-?\d+)\s*\]$/.exec(value);
  if (match === null) throw lineError(lineNo, `expected [FROM TO], got "${value}"`, line);
  return [match[1]!, match[2]!];
}

/**
 * Parses Porcupine-style EDN lines (`{:process 3, :type :invoke, :f :append, :key "4",
 * :value "x 3 7 y"}`) into a key-value history. In these fixtures every key starts as
 * the empty string, so check them with `kvModel({ initialValue: '' })`.
 *
 * - `:invoke` opens an operation; `:ok` completes it (a `get` carries the value read).
 * - `:fail` marks it failed; `:info`, and an invocation never completed, unknown.
 *
 * @throws Error naming the line when a line cannot be read.
 */
export function parseKvEdn(text: string): History<KvInput, KvOutput> {
  const lines = text.split('\n');
  const ops: Draft[] = [];
  const open = new Map<number, Draft>();
  let time = 0;
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.trim() === '') continue;
    const map = parseEdnMap(line, l + 1);
    const process = map.get('process');
    const type = map.get('type');
    const f = map.get('f');
    const key = map.get('key');
    const value = map.get('value');
    if (typeof process !== 'number') throw lineError(l + 1, ':process must be an integer', line);
    if (typeof type !== 'object' || type === null) throw lineError(l + 1, ':type must be a keyword', line);
    if (typeof f !== 'object' || f === null) throw lineError(l + 1, ':f must be a keyword', line);
    if (typeof key !== 'string') throw lineError(l + 1, ':key must be a string', line);
    if (value !== null && typeof value !== 'string') throw lineError(l + 1, ':value must be a string or nil', line);
    if (type.keyword === 'invoke') {
      if (open.has(process)) throw lineError(l + 1, `process ${process} invokes while an operation is open`, line);
      let input: KvInput;
      if (f.keyword === 'get') input = { kind: 'get', key };
      else if ((f.keyword === 'put' || f.keyword === 'append') && typeof value === 'string') {
        input = { kind: f.keyword, key, value };
      } else throw lineError(l + 1, `cannot read :f :${f.keyword} with this :value`, line);
      const draft: Draft = { clientId: process, input, invokeMs: time++, status: 'unknown' };
      ops.push(draft);
      open.set(process, draft);
      continue;
    }
    const draft = open.get(process);
    if (draft === undefined) throw lineError(l + 1, `process ${process} completes an operation it never invoked`, line);
    if (f.keyword !== draft.input.kind) throw lineError(l + 1, `completion :${f.keyword} does not match the invocation`, line);
    open.delete(process);
    const at = time++;
    if (type.keyword === 'ok') {
      draft.status = 'ok';
      draft.returnMs = at;
      const kind = draft.input.kind;
      draft.output = kind === 'get' ? { kind, value } : kind === 'put' ? { kind } : { kind: 'append' };
    } else if (type.keyword === 'fail') {
      draft.status = 'failed';
      draft.returnMs = at;
    } else if (type.keyword === 'info') {
      draft.status = 'unknown';
    } else {
      throw lineError(l + 1, `unknown event type :${type.keyword}`, line);
    }
  }
  return ops.map(freeze);
}

/** A parsed EDN value of the few kinds these fixtures use. */
type EdnValue = string | number | null | { readonly keyword: string };

/**
 * Reads one flat EDN map whose keys are keywords and whose values are strings, integers,
 * keywords or `nil`. Commas are whitespace in EDN.
 */
function parseEdnMap(line: string, lineNo: number): Map<string, EdnValue> {
  const out = new Map<string, EdnValue>();
  let i = 0;
  const skip = (): void => {
    while (i < line.length && /[\s,]/.test(line[i]!)) i++;
  };
  skip();
  if (line[i] !== '{') throw lineError(lineNo, 'expected "{"', line);
  i++;
  // Each iteration consumes at least one character, so the loop ends with the line.
  while (i < line.length) {
    skip();
    if (line[i] === '}') return out;
    const name = readKeyword();
    skip();
    out.set(name, readValue());
  }
  throw lineError(lineNo, 'expected "}"', line);

  function readKeyword(): string {
    if (line[i] !== ':') throw lineError(lineNo, `expected a keyword at column ${i + 1}`, line);
    const start = ++i;
    while (i < line.length && /[^\s,{}\[\]"]/.test(line[i]!)) i++;
    if (i === start) throw lineError(lineNo, `empty keyword at column ${i}`, line);
    return line.slice(start, i);
  }

  function readValue(): EdnValue {
    const c = line[i];
    if (c === ':') return { keyword: readKeyword() };
    if (c === '"') {
      let s = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\') {
          const esc = line[i + 1];
          s += esc === 'n' ? '\n' : esc === 't' ? '\t' : (esc ?? '');
          i += 2;
        } else {
          s += line[i];
          i++;
        }
      }
      if (line[i] !== '"') throw lineError(lineNo, 'unterminated string', line);
      i++;
      return s;
    }
    const start = i;
    while (i < line.length && /[^\s,{}\[\]"]/.test(line[i]!)) i++;
    const token = line.slice(start, i);
    if (token === 'nil') return null;
    if (/^-?\d+$/.test(token)) return Number(token);
    throw lineError(lineNo, `cannot read the value "${token}" at column ${start + 1}`, line);
  }
}

/** Turns a draft into a plain operation with only the fields that apply. */
function freeze(d: Draft): Operation<KvInput, KvOutput> {
  return {
    clientId: d.clientId,
    input: d.input,
    invokeMs: d.invokeMs,
    ...(d.returnMs !== undefined && d.status !== 'unknown' ? { returnMs: d.returnMs } : {}),
    status: d.status,
    ...(d.output !== undefined ? { output: d.output } : {}),
    ...(d.error !== undefined ? { error: d.error } : {}),
  };
}
