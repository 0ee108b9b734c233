/**
 * A node's disk, with the one property that matters for durability: a write is only safe
 * once a later `sync()` has finished. A crash throws away every write that was not yet
 * synced, exactly as a real machine loses its page cache.
 *
 * `DiskState` is the storage; `DiskHandle` is `ctx.disk`, what one incarnation of the node
 * sees of it; a sync takes the node's sampled `syncLatency` and completes as an
 * `EV_SYNC_DONE` event.
 */
import type { Engine } from './engine.ts';
import { EV_SYNC_DONE } from './event-kinds.ts';
import type { NodeContext, NodeDisk } from './node.ts';
import type { SimNode } from './sim-node.ts';

/** Upper bound on writes waiting for a sync, so that a node that never syncs fails clearly. */
export const MAX_UNSYNCED_WRITES = 1_000_000;

/** One buffered write; `deleted` marks a removal. */
interface PendingWrite {
  readonly key: string;
  readonly value: unknown;
  readonly deleted: boolean;
  readonly seq: number;
}

/**
 * The storage behind `ctx.disk`. Reads see every write (synced or not); only synced writes
 * survive a crash. Store plain data (strings, numbers, arrays, objects you no longer
 * mutate): the disk keeps references, not copies.
 */
export class DiskState {
  /** What survives a crash. */
  readonly #durable = new Map<string, unknown>();
  /** What reads see: durable state with the unsynced writes applied on top. */
  #view = new Map<string, unknown>();
  /** Unsynced writes, in the order they were made. */
  #pending: PendingWrite[] = [];
  #nextSeq = 1;

  /** Number of writes not yet made durable. */
  get unsyncedWrites(): number {
    return this.#pending.length;
  }

  /** The value last written under `key`, synced or not; `undefined` if none. */
  read(key: string): unknown {
    return this.#view.get(key);
  }

  /** Whether `key` has a value (synced or not). */
  has(key: string): boolean {
    return this.#view.has(key);
  }

  /** All keys with a value, in insertion order. */
  keys(): string[] {
    return [...this.#view.keys()];
  }

  /** Buffers a write; it becomes durable when a sync started after it completes. */
  write(key: string, value: unknown): void {
    this.#buffer({ key, value, deleted: false, seq: this.#nextSeq++ });
    this.#view.set(key, value);
  }

  /** Buffers a removal of `key`. */
  delete(key: string): void {
    this.#buffer({ key, value: undefined, deleted: true, seq: this.#nextSeq++ });
    this.#view.delete(key);
  }

  /** The sequence number of the latest write; a sync started now will cover up to it. */
  get lastWriteSeq(): number {
    return this.#nextSeq - 1;
  }

  /** Makes durable every buffered write with a sequence number up to `seq`; returns how many. */
  commitUpTo(seq: number): number {
    let count = 0;
    while (count < this.#pending.length && this.#pending[count]!.seq <= seq) {
      const write = this.#pending[count]!;
      if (write.deleted) this.#durable.delete(write.key);
      else this.#durable.set(write.key, write.value);
      count++;
    }
    if (count > 0) this.#pending = this.#pending.slice(count);
    return count;
  }

  /** Forgets every unsynced write, as a crash does. */
  loseUnsynced(): void {
    this.#pending = [];
    this.#view = new Map(this.#durable);
  }

  /** A copy of the durable contents, for tests and the debugger. */
  durableSnapshot(): Map<string, unknown> {
    return new Map(this.#durable);
  }

  #buffer(write: PendingWrite): void {
    if (this.#pending.length >= MAX_UNSYNCED_WRITES) {
      throw new RangeError(
        `A node has ${MAX_UNSYNCED_WRITES} unsynced disk writes. Call ctx.disk.sync() now and then.`,
      );
    }
    this.#pending.push(write);
  }
}

/** `ctx.disk`: one incarnation's access to its node's disk, which goes dead with it. */
export class DiskHandle implements NodeDisk {
  readonly #engine: Engine;
  readonly #node: SimNode;
  readonly #ctx: NodeContext;

  constructor(engine: Engine, node: SimNode, ctx: NodeContext) {
    this.#engine = engine;
    this.#node = node;
    this.#ctx = ctx;
  }

  get unsyncedWrites(): number {
    return this.#ctx.alive ? this.#node.disk.unsyncedWrites : 0;
  }

  read(key: string): unknown {
    this.#engine.activity++;
    return this.#ctx.alive ? this.#node.disk.read(key) : undefined;
  }

  has(key: string): boolean {
    this.#engine.activity++;
    return this.#ctx.alive && this.#node.disk.has(key);
  }

  keys(): string[] {
    this.#engine.activity++;
    return this.#ctx.alive ? this.#node.disk.keys() : [];
  }

  write(key: string, value: unknown): void {
    this.#engine.activity++;
    if (!this.#ctx.alive) return;
    this.#node.disk.write(key, value);
    const trace = this.#engine.trace;
    if (trace.enabled) trace.record({ t: this.#engine.now, type: 'disk-write', node: this.#node.name, key });
  }

  delete(key: string): void {
    this.#engine.activity++;
    if (!this.#ctx.alive) return;
    this.#node.disk.delete(key);
    const trace = this.#engine.trace;
    if (trace.enabled) trace.record({ t: this.#engine.now, type: 'disk-write', node: this.#node.name, key });
  }

  sync(): Promise<void> {
    this.#engine.activity++;
    if (!this.#ctx.alive) return new Promise<void>(() => {});
    return new Promise<void>((resolve) => startSync(this.#engine, this.#node, resolve));
  }
}

/** A sync in progress, queued under `EV_SYNC_DONE`: it covers the writes made before it started. */
export class SyncRecord {
  readonly node: SimNode;
  readonly incarnation: number;
  readonly upToSeq: number;
  readonly resolve: () => void;

  constructor(node: SimNode, upToSeq: number, resolve: () => void) {
    this.node = node;
    this.incarnation = node.incarnation;
    this.upToSeq = upToSeq;
    this.resolve = resolve;
  }
}

/** Starts a sync of `node`'s disk; `resolve` is called when it completes. */
export function startSync(engine: Engine, node: SimNode, resolve: () => void): void {
  const record = new SyncRecord(node, node.disk.lastWriteSeq, resolve);
  if (engine.trace.enabled) engine.trace.record({ t: engine.now, type: 'disk-sync', node: node.name });
  engine.queue.push(engine.now + node.syncLatency(node.serviceRng), EV_SYNC_DONE, node.id, record);
}

/** Handles an `EV_SYNC_DONE` event: the writes the sync covers become durable. */
export function syncDone(engine: Engine, record: SyncRecord): void {
  const node = record.node;
  if (node.incarnation !== record.incarnation) return;
  if (node.paused) {
    node.park(EV_SYNC_DONE, record);
    return;
  }
  const writes = node.disk.commitUpTo(record.upToSeq);
  if (engine.trace.enabled) engine.trace.record({ t: engine.now, type: 'disk-synced', node: node.name, writes });
  engine.asyncPending = true;
  record.resolve();
}
