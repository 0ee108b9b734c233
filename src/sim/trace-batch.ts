/**
 * Turns simulator trace events into batches of trace columns (see trace-columns.ts):
 * message columns, message endings, lane events and partitions. The page's visual worker
 * streams them to the views, and the grader captures them from test runs. Pure, so it is
 * tested in Node. Operations are not counted here: the page's metrics come from the
 * simulator's own counters (`src/runtime/visual/run-feed.ts`), which do not depend on the
 * trace being on.
 */
import type { TraceEvent } from './trace.ts';
import { BODY_CHARS, KINDS, OUTCOMES, type CutEvent, type EndColumns, type LaneEvent, type MessageColumns } from './trace-columns.ts';

/** A one-line description of a message body or operation, short enough for a tooltip. */
export function describeBody(body: unknown): string {
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body === undefined) text = '';
  else if (body !== null && typeof body === 'object' && 'kind' in body) {
    const { kind, ...rest } = body as Record<string, unknown>;
    const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : safeJson(v)}`);
    text = [String(kind), ...fields].join(' ');
  } else text = safeJson(body);
  return text.length > BODY_CHARS ? `${text.slice(0, BODY_CHARS - 1)}…` : text;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    // Circular or otherwise unserialisable bodies still deserve a label.
    return Object.prototype.toString.call(value);
  }
}

/** One batch's worth of converted events. */
export interface ConvertedBatch {
  readonly messages: MessageColumns;
  readonly ends: EndColumns;
  readonly lanes: LaneEvent[];
  readonly cuts: CutEvent[];
}

/**
 * Collects converted events until {@link take} hands them over as one batch. Events that
 * name a node the run did not have when it started are skipped: the views lay out the
 * nodes once.
 */
export class TraceBatcher {
  readonly #index: ReadonlyMap<string, number>;
  #ids: number[] = [];
  #sendMs: number[] = [];
  #from: number[] = [];
  #to: number[] = [];
  #kind: number[] = [];
  #body: string[] = [];
  #endIds: number[] = [];
  #endMs: number[] = [];
  #outcome: number[] = [];
  #lanes: LaneEvent[] = [];
  #cuts: CutEvent[] = [];

  constructor(nodes: readonly string[]) {
    this.#index = new Map(nodes.map((n, i) => [n, i]));
  }

  /** How many messages and endings wait to be taken. */
  get size(): number {
    return this.#ids.length + this.#endIds.length + this.#lanes.length;
  }

  add(e: TraceEvent): void {
    const index = this.#index;
    switch (e.type) {
      case 'send': {
        const from = index.get(e.from);
        const to = index.get(e.to);
        if (from === undefined || to === undefined) return;
        this.#ids.push(e.id);
        this.#sendMs.push(e.t);
        this.#from.push(from);
        this.#to.push(to);
        this.#kind.push(KINDS.indexOf(e.kind));
        this.#body.push(describeBody(e.body));
        return;
      }
      case 'deliver':
        this.#end(e.id, e.t, 1);
        return;
      case 'drop':
        this.#end(e.id, e.t, OUTCOMES.indexOf(e.reason));
        return;
      case 'partition': {
        const cuts: [number, number][] = [];
        for (const [a, b] of e.cuts) {
          const from = index.get(a);
          const to = index.get(b);
          if (from !== undefined && to !== undefined) cuts.push([from, to]);
        }
        this.#cuts.push({ t: e.t, type: 'partition', label: e.label, cuts });
        return;
      }
      case 'heal':
        this.#cuts.push({ t: e.t, type: 'heal', label: e.label, cuts: [] });
        return;
      case 'timer-set':
        this.#lane(e.t, e.node, e.type, `timer ${e.timer} set to fire at ${e.atMs} ms`);
        return;
      case 'timer-fire':
        this.#lane(e.t, e.node, e.type, `timer ${e.timer} fired`);
        return;
      case 'crash':
      case 'restart':
      case 'pause':
      case 'resume':
        this.#lane(e.t, e.node, e.type, e.type);
        return;
      case 'rpc-timeout':
        this.#lane(e.t, e.node, e.type, `request ${e.id} to ${e.to} timed out`);
        return;
      case 'reject':
        // The request reached the node and was turned away: drawn as a dropped message.
        this.#end(e.id, e.t, OUTCOMES.indexOf('queue-full'));
        this.#lane(e.t, e.node, e.type, `request ${e.id} rejected: queue full`);
        return;
      case 'error':
        this.#lane(e.t, e.node, e.type, e.message);
        return;
      default:
        // Queue, disk, duplicate, log and operation events are not drawn; the metrics carry
        // queues and operations.
        return;
    }
  }

  #end(id: number, t: number, outcome: number): void {
    this.#endIds.push(id);
    this.#endMs.push(t);
    this.#outcome.push(outcome < 0 ? 2 : outcome);
  }

  #lane(t: number, node: string, type: LaneEvent['type'], detail: string): void {
    const i = this.#index.get(node);
    if (i !== undefined) this.#lanes.push({ t, node: i, type, detail });
  }

  /** Hands over everything collected since the last call, as transferable columns. */
  take(): ConvertedBatch {
    const batch: ConvertedBatch = {
      messages: {
        id: Int32Array.from(this.#ids),
        sendMs: Float64Array.from(this.#sendMs),
        from: Uint16Array.from(this.#from),
        to: Uint16Array.from(this.#to),
        kind: Uint8Array.from(this.#kind),
        body: this.#body,
      },
      ends: { id: Int32Array.from(this.#endIds), endMs: Float64Array.from(this.#endMs), outcome: Uint8Array.from(this.#outcome) },
      lanes: this.#lanes,
      cuts: this.#cuts,
    };
    this.#ids = [];
    this.#sendMs = [];
    this.#from = [];
    this.#to = [];
    this.#kind = [];
    this.#body = [];
    this.#endIds = [];
    this.#endMs = [];
    this.#outcome = [];
    this.#lanes = [];
    this.#cuts = [];
    return batch;
  }
}

/** The buffers of a batch, for `postMessage`'s transfer list. */
export function transferables(batch: ConvertedBatch): ArrayBuffer[] {
  const m = batch.messages;
  const e = batch.ends;
  return [m.id, m.sendMs, m.from, m.to, m.kind, e.id, e.endMs, e.outcome].map((a) => a.buffer as ArrayBuffer);
}
