/**
 * The words and geometry behind the message sequence diagram: what a message's details
 * say, where its arrow ends, and which arrow the pointer is on. Pure, tested in Node.
 */
import type { RunMeta } from './protocol.ts';
import type { MessageView } from './store.ts';
import { formatMs } from './scales.ts';

/**
 * What the message view says instead of a diagram when the scenario records no message
 * trace (big runs may turn it off to run fast); `undefined` when there are messages to draw.
 * An empty diagram would read as "no messages were sent", which is not what happened.
 */
export function untracedNote(meta: Pick<RunMeta, 'traced'>): string | undefined {
  if (meta.traced) return undefined;
  return (
    'This simulation runs without a message trace, so there are no messages to draw here (and none in flight in the cluster view). ' +
    'Its requests still run: the charts and tables below are the simulator’s own measurements.'
  );
}

/** How a message's fate reads in a sentence. */
export function outcomeText(m: MessageView): string {
  switch (m.outcome) {
    case 'pending':
      return 'still in flight';
    case 'delivered':
      return `delivered at ${formatMs(m.endMs)} (${formatMs(m.endMs - m.sendMs)} later)`;
    case 'loss':
      return `✕ lost by the network at ${formatMs(m.endMs)}`;
    case 'partition':
      return `✕ dropped at ${formatMs(m.endMs)}: the link was cut by a partition`;
    case 'node-down':
      return `✕ dropped at ${formatMs(m.endMs)}: the receiver was down`;
    case 'queue-full':
      return `✕ rejected at ${formatMs(m.endMs)}: the receiver's queue was full`;
    case 'late-reply':
      return `✕ discarded at ${formatMs(m.endMs)}: the reply came after the caller gave up`;
  }
}

/** One line for the list and the details panel, e.g. "1.20 s · request clients → server: put …". */
export function describeMessage(m: MessageView, nodes: readonly string[]): string {
  const route = `${nodes[m.from] ?? '?'} → ${nodes[m.to] ?? '?'}`;
  const body = m.body ? `: ${m.body}` : '';
  return `${formatMs(m.sendMs)} · ${m.kind} #${m.id} ${route}${body} — ${outcomeText(m)}`;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * Where a message's arrow ends: at the receiver's lane when delivered, part of the way
 * there (where the ✕ goes) when dropped, and at the edge of what is known when pending.
 */
export function arrowEnd(from: Point, to: Point, endX: number, dropped: boolean): Point {
  if (!dropped) return { x: endX, y: to.y };
  return { x: endX, y: from.y + (to.y - from.y) * 0.6 };
}

/** Distance from point `p` to the segment `a`–`b`, in the same units. */
export function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.min(1, Math.max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2)) : 0;
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** The index of the segment nearest to `p` within `maxDistance`, or -1. */
export function nearestSegment(p: Point, segments: readonly { readonly a: Point; readonly b: Point }[], maxDistance: number): number {
  let best = -1;
  let bestD = maxDistance;
  segments.forEach((s, i) => {
    const d = segmentDistance(p, s.a, s.b);
    if (d <= bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/** The default width of the sequence diagram's window: a hundredth of the run, at least 1 ms. */
export function defaultWindowMs(durationMs: number): number {
  return Math.max(1, Math.min(durationMs, durationMs / 100));
}

/**
 * The arrows of one redraw, packed into typed arrays (row, then both ends) so that a
 * redraw does not allocate an object per arrow; reused from one redraw to the next.
 */
export class SegmentList {
  #rows = new Int32Array(256);
  #xy = new Float64Array(256 * 4);
  length = 0;

  /** Empties the list and makes room for `n` arrows; returns the list. */
  reserve(n: number): this {
    this.length = 0;
    if (n > this.#rows.length) {
      let size = this.#rows.length;
      while (size < n) size *= 2;
      this.#rows = new Int32Array(size);
      this.#xy = new Float64Array(size * 4);
    }
    return this;
  }

  push(row: number, ax: number, ay: number, bx: number, by: number): void {
    if (this.length === this.#rows.length) {
      const rows = new Int32Array(this.length * 2);
      rows.set(this.#rows);
      const xy = new Float64Array(this.length * 8);
      xy.set(this.#xy);
      this.#rows = rows;
      this.#xy = xy;
    }
    const i = this.length++;
    const xy = this.#xy;
    this.#rows[i] = row;
    xy[i * 4] = ax;
    xy[i * 4 + 1] = ay;
    xy[i * 4 + 2] = bx;
    xy[i * 4 + 3] = by;
  }

  row(i: number): number {
    return this.#rows[i]!;
  }
  /** A copy of the ends, four numbers per arrow, that can be handed to a worker. */
  packed(): Float64Array {
    return this.#xy.slice(0, this.length * 4);
  }
  ax(i: number): number {
    return this.#xy[i * 4]!;
  }
  ay(i: number): number {
    return this.#xy[i * 4 + 1]!;
  }
  bx(i: number): number {
    return this.#xy[i * 4 + 2]!;
  }
  by(i: number): number {
    return this.#xy[i * 4 + 3]!;
  }

  /** The index of the arrow nearest to `p` within `maxDistance`, or -1 (as {@link nearestSegment}). */
  nearest(p: Point, maxDistance: number): number {
    let best = -1;
    let bestD = maxDistance;
    for (let i = 0; i < this.length; i++) {
      const d = segmentDistance(p, { x: this.ax(i), y: this.ay(i) }, { x: this.bx(i), y: this.by(i) });
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }
}

/** Adds an arrowhead at `b`, pointing away from `a`, to `path` (a closed triangle to fill). */
export function arrowHead(path: { moveTo(x: number, y: number): void; lineTo(x: number, y: number): void; closePath(): void }, ax: number, ay: number, bx: number, by: number, size: number): void {
  const angle = Math.atan2(by - ay, bx - ax);
  path.moveTo(bx, by);
  path.lineTo(bx - size * Math.cos(angle - 0.45), by - size * Math.sin(angle - 0.45));
  path.lineTo(bx - size * Math.cos(angle + 0.45), by - size * Math.sin(angle + 0.45));
  path.closePath();
}
