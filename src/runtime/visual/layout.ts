/**
 * Where the cluster view draws each node: one column per group on a wide screen (clients
 * on the left, servers to their right, as a request flows), one row per group on a phone.
 * Pure geometry, so it is tested without a browser.
 */

export interface GroupSpec {
  readonly name: string;
  readonly nodes: readonly number[];
}

export interface PlacedNode {
  readonly node: number;
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

export interface PlacedGroup {
  readonly name: string;
  /** The group's box. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface ClusterLayout {
  readonly width: number;
  readonly height: number;
  readonly orientation: 'columns' | 'rows';
  readonly nodes: readonly PlacedNode[];
  readonly groups: readonly PlacedGroup[];
  /** Lines of note under each node's name: 0 without notes, 1 in columns, 2 in rows (their slots are narrow). */
  readonly noteLines: number;
  /** How wide a node's note may be, in pixels, before it runs into its neighbour's. */
  readonly noteWidth: number;
}

/** Below this width the groups stack as rows. */
export const NARROW_PX = 480;
const LABEL_PX = 22;
/** Room for a node's name under its circle. */
const NAME_PX = 12;
const PAD = 8;
const MAX_R = 26;
const MIN_R = 7;
/** Height of one line of a node's note (11 px text). */
export const NOTE_LINE_PX = 12;
/**
 * Below a node's circle: its name, each line of its note, and a gap before the next
 * circle. The name's baseline is 13 px below the circle and each note line 12 px lower.
 */
const belowCircle = (noteLines: number) => 13 + noteLines * NOTE_LINE_PX + 7;

/**
 * Lays the groups out in `width` pixels; the height follows from the largest group. With
 * `notes`, nodes stand far enough apart for a line of state under each name (two lines on
 * a phone, where a node's slot is too narrow for one).
 */
export function layoutCluster(groups: readonly GroupSpec[], width: number, options: { readonly notes?: boolean } = {}): ClusterLayout {
  const w = Math.max(width, 200);
  const biggest = Math.max(1, ...groups.map((g) => g.nodes.length));
  if (w >= NARROW_PX) {
    // Columns: a node's pitch is 2.6 radii, and the tallest column decides the height.
    const colWidth = w / Math.max(groups.length, 1);
    const r = clamp(Math.min(colWidth / 4, 240 / (biggest * 1.3)), MIN_R, MAX_R);
    const noteLines = options.notes ? 1 : 0;
    const pitch = noteLines > 0 ? Math.max(r * 2.6, r * 2 + belowCircle(noteLines)) : r * 2.6;
    // The last node's name (and note) sits below its circle and needs room inside the group's box.
    const height = LABEL_PX + PAD * 2 + biggest * pitch + NAME_PX + noteLines * NOTE_LINE_PX;
    const nodes: PlacedNode[] = [];
    const placed: PlacedGroup[] = groups.map((g, gi) => {
      const x = gi * colWidth;
      const top = LABEL_PX + PAD + (biggest - g.nodes.length) * pitch * 0.5;
      g.nodes.forEach((node, i) => nodes.push({ node, x: x + colWidth / 2, y: top + pitch * (i + 0.5), r }));
      return { name: g.name, x: x + PAD / 2, y: PAD / 2, width: colWidth - PAD, height: height - PAD };
    });
    // A note may use its column, less the group box's margins.
    return { width: w, height, orientation: 'columns', nodes, groups: placed, noteLines, noteWidth: colWidth - PAD * 3 };
  }
  // Rows: nodes spread across the width; a row wraps onto more lines when they would not fit.
  const perLine = Math.max(1, Math.floor((w - PAD * 2) / (MIN_R * 2.6)));
  const r = clamp((w - PAD * 2) / (Math.min(biggest, perLine) * 2.6), MIN_R, MAX_R);
  const pitch = r * 2.6;
  const noteLines = options.notes ? 2 : 0;
  // Lines of one group are further apart than nodes side by side when notes sit between them.
  const linePitch = noteLines > 0 ? Math.max(pitch, r * 2 + belowCircle(noteLines)) : pitch;
  const nodes: PlacedNode[] = [];
  const placed: PlacedGroup[] = [];
  let y = 0;
  for (const g of groups) {
    const lines = Math.max(1, Math.ceil(g.nodes.length / perLine));
    const rowHeight = LABEL_PX + PAD * 2 + lines * linePitch + NAME_PX + noteLines * NOTE_LINE_PX - (linePitch - pitch);
    g.nodes.forEach((node, i) => {
      const line = Math.floor(i / perLine);
      const inLine = Math.min(perLine, g.nodes.length - line * perLine);
      const left = (w - inLine * pitch) / 2;
      nodes.push({ node, x: left + pitch * ((i % perLine) + 0.5), y: y + LABEL_PX + PAD + pitch * 0.5 + linePitch * line, r });
    });
    placed.push({ name: g.name, x: PAD / 2, y: y + PAD / 2, width: w - PAD, height: rowHeight - PAD });
    y += rowHeight;
  }
  // Side by side, a note has its node's slot, less a little air either side.
  return { width: w, height: y, orientation: 'rows', nodes, groups: placed, noteLines, noteWidth: pitch - 6 };
}

/**
 * A node's note as the lines drawn under it: whole when it fits `maxWidth`; otherwise, with
 * more than one line to fill, broken at its " · " separators ("leader · term 3" becomes
 * "leader" and "term 3"), and any line still too wide cut short with an ellipsis (the
 * table beside the view has the full text). `measure` gives a text's width in pixels.
 */
export function fitNote(text: string, maxWidth: number, maxLines: number, measure: (text: string) => number): string[] {
  if (text === '' || maxLines < 1) return [];
  if (measure(text) <= maxWidth) return [text];
  const lines: string[] = [];
  if (maxLines > 1) {
    const parts = text.split(' · ');
    for (const part of parts) {
      const last = lines.length - 1;
      if (last >= 0 && measure(`${lines[last]} · ${part}`) <= maxWidth) lines[last] = `${lines[last]} · ${part}`;
      else lines.push(part);
    }
    // The rest of the note crowds into the last line allowed, to be cut short there.
    if (lines.length > maxLines) lines.splice(maxLines - 1, lines.length, lines.slice(maxLines - 1).join(' · '));
  } else {
    lines.push(text);
  }
  return lines.map((line) => ellipsize(line, maxWidth, measure));
}

/** `text` cut short with an ellipsis to fit `maxWidth` (as much of it as fits, at least the ellipsis). */
function ellipsize(text: string, maxWidth: number, measure: (text: string) => number): string {
  if (measure(text) <= maxWidth) return text;
  // The longest prefix that fits with its ellipsis (widths grow with length, so halve the
  // range), without a separator left dangling before the ellipsis.
  const cut = (n: number) => `${text.slice(0, n).replace(/[\s·]+$/, '')}…`;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(cut(mid)) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

/** Where a message is at time `t` on its way from `a` to `b`, as a point on the link. */
export function messagePosition(
  a: { readonly x: number; readonly y: number },
  b: { readonly x: number; readonly y: number },
  sendMs: number,
  endMs: number,
  t: number,
): { x: number; y: number } {
  const span = endMs - sendMs;
  const f = span > 0 && Number.isFinite(span) ? clamp((t - sendMs) / span, 0, 1) : 0.5;
  return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
}

/** Fill level of a node's load ring, 0..1: in service over workers, plus queued beyond that. */
export function loadFraction(inService: number, queueDepth: number, scale: number): number {
  if (scale <= 0) return 0;
  return clamp((inService + queueDepth) / scale, 0, 1);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/**
 * The SVG path of a node's load fill: the part of its circle (centre `cx, cy`, radius
 * `r`) below a level that rises with `fraction` (0 empty, 1 full). A path drawn directly,
 * rather than a rectangle clipped to the circle, because moving a clipped shape
 * invalidates the clip and every element that uses it, in every frame.
 */
export function loadFillPath(cx: number, cy: number, r: number, fraction: number): string {
  const f = clamp(fraction, 0, 1);
  if (f <= 0) return '';
  const round = (v: number) => Math.round(v * 100) / 100;
  if (f >= 1) return `M${round(cx - r)},${round(cy)}A${round(r)},${round(r)} 0 1 0 ${round(cx + r)},${round(cy)}A${round(r)},${round(r)} 0 1 0 ${round(cx - r)},${round(cy)}Z`;
  const top = cy + r - f * 2 * r;
  const half = Math.sqrt(Math.max(0, r * r - (top - cy) * (top - cy)));
  // From the left end of the chord round the bottom to its right end: counter-clockwise on
  // screen (sweep 0), the long way once the level is above the centre.
  return `M${round(cx - half)},${round(top)}A${round(r)},${round(r)} 0 ${f > 0.5 ? 1 : 0} 0 ${round(cx + half)},${round(top)}Z`;
}
