/**
 * A node's `ctx`: what one incarnation of a node's code reaches of the simulation (send,
 * rpc, timers and sleep, its local clock, its random stream, its disk, the log). Every call
 * counts as activity, which the run loop watches to know when learner code has gone quiet.
 * Once the incarnation has crashed, its sends, timers and writes do nothing and its
 * promises never settle.
 */
import { DiskHandle } from './disk.ts';
import type { Engine } from './engine.ts';
import { KIND_MESSAGE } from './network.ts';
import type { NodeContext, NodeDisk, RpcOptions, SendOptions } from './node.ts';
import type { Random } from './random.ts';
import { startRpc } from './rpc.ts';
import type { SimNode } from './sim-node.ts';
import { cancelTimer, setTimer } from './timers.ts';

/** The context of one incarnation of a node; see `NodeContext` for the documentation. */
export class Context implements NodeContext {
  readonly #engine: Engine;
  readonly #node: SimNode;
  readonly #incarnation: number;
  readonly disk: NodeDisk;
  readonly random: Random;
  readonly name: string;

  constructor(engine: Engine, node: SimNode) {
    this.#engine = engine;
    this.#node = node;
    this.#incarnation = node.incarnation;
    this.name = node.name;
    this.random = node.rng;
    this.disk = new DiskHandle(engine, node, this);
  }

  get nodes(): readonly string[] {
    return this.#engine.nodeNames;
  }

  get alive(): boolean {
    return this.#node.up && this.#node.incarnation === this.#incarnation;
  }

  now(): number {
    return this.#node.localTime(this.#engine.now);
  }

  send(to: string, body: unknown, options?: SendOptions): void {
    this.#engine.activity++;
    if (!this.alive) return;
    this.#engine.sendByName(this.#node, to, body, KIND_MESSAGE, options?.sizeBytes);
  }

  rpc<R = unknown>(to: string, body: unknown, options?: RpcOptions): Promise<R> {
    this.#engine.activity++;
    // A crashed incarnation's calls go nowhere: like a dead process, it never hears back.
    if (!this.alive) return new Promise<R>(() => {});
    return new Promise<R>((resolve, reject) => {
      startRpc(this.#engine, this.#node, to, body, options?.timeoutMs ?? 1000, options?.sizeBytes, {
        settlesPromise: true,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
    });
  }

  setTimer(delayMs: number, callback: () => void | Promise<void>): number {
    this.#engine.activity++;
    if (!this.alive) return 0;
    return setTimer(this.#engine, this.#node, delayMs, callback, false);
  }

  cancelTimer(timerId: number): void {
    this.#engine.activity++;
    if (!this.alive) return;
    cancelTimer(this.#engine, this.#node, timerId);
  }

  sleep(delayMs: number): Promise<void> {
    this.#engine.activity++;
    if (!this.alive) return new Promise<void>(() => {});
    return new Promise<void>((resolve) => {
      setTimer(this.#engine, this.#node, delayMs, resolve, true);
    });
  }

  log(message: string): void {
    this.#engine.activity++;
    const trace = this.#engine.trace;
    if (trace.enabled && this.alive) trace.record({ t: this.#engine.now, type: 'log', node: this.name, message });
  }
}
