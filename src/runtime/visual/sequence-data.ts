/**
 * The words and geometry behind the message sequence diagram: what a message's details
 * say, where its arrow ends, and which arrow the pointer is on. Pure, tested in Node.
 */
import type { MessageView } from './store.ts';
import { formatMs } from './scales.ts';

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
