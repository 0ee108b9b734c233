/**
 * The message arrows of the sequence diagram as one self-contained frame: the geometry
 * packed in typed arrays and the few colours needed, so the same drawing runs either on
 * the page (into uPlot's canvas) or in a worker (into a canvas handed over with
 * `transferControlToOffscreen`), where rasterising hundreds of arrows many times a second
 * costs the page's main thread nothing.
 */
import { arrowHead } from './sequence-data.ts';

/** Bits of an arrow's code: its colour (0 request, 1 reply, 2 dropped) in the low two. */
export const PENDING = 4;
export const DROPPED = 8;
export const SELECTED = 16;

export interface ArrowFrame {
  /** The canvas's size in device pixels. */
  readonly width: number;
  readonly height: number;
  /** The plotting area, in device pixels: left, top, width, height. */
  readonly clip: readonly [number, number, number, number];
  readonly ratio: number;
  /** Request, reply and dropped colours, then the playhead's. */
  readonly colours: readonly [string, string, string, string];
  readonly font: string;
  readonly count: number;
  /** Per arrow: from x, from y, to x, to y. */
  readonly xy: Float64Array;
  readonly codes: Uint8Array;
  /** The playhead's x, or NaN when it is outside the window. */
  readonly playheadX: number;
}

type Context = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** Draws a frame's arrows (and the playhead over them); `clear` first empties the canvas. */
export function drawArrows(ctx: Context, f: ArrowFrame, clear: boolean): void {
  const { ratio, xy, codes, colours } = f;
  const [left, top, width, height] = f.clip;
  if (clear) ctx.clearRect(0, 0, f.width, f.height);
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  // Batched by look: a path per colour for the shafts (solid or dashed) and one for the
  // heads, so a window of a thousand arrows is a handful of draw calls.
  const shafts = [new Path2D(), new Path2D(), new Path2D()];
  const dashed = [new Path2D(), new Path2D(), new Path2D()];
  const heads = [new Path2D(), new Path2D(), new Path2D()];
  const used = [0, 0, 0];
  const crosses: number[] = [];
  const headSize = 6 * ratio;
  let selected = -1;
  for (let i = 0; i < f.count; i++) {
    const code = codes[i]!;
    if (code & SELECTED) {
      selected = i;
      continue;
    }
    const ax = xy[i * 4]!;
    const ay = xy[i * 4 + 1]!;
    const bx = xy[i * 4 + 2]!;
    const by = xy[i * 4 + 3]!;
    const colour = code & 3;
    used[colour]!++;
    const path = code & PENDING ? dashed[colour]! : shafts[colour]!;
    path.moveTo(ax, ay);
    path.lineTo(bx, by);
    if (code & DROPPED) crosses.push(bx, by);
    else if (!(code & PENDING)) arrowHead(heads[colour]!, ax, ay, bx, by, headSize);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  // One device pixel exactly: the rasteriser draws such lines as hairlines, several
  // times faster than any wider stroke, and the diagram redraws many times a second.
  ctx.lineWidth = ratio;
  for (let c = 0; c < 3; c++) {
    if (used[c] === 0) continue;
    ctx.strokeStyle = colours[c]!;
    ctx.fillStyle = colours[c]!;
    ctx.stroke(shafts[c]!);
    ctx.fill(heads[c]!);
    ctx.setLineDash([4 * ratio, 3 * ratio]);
    ctx.stroke(dashed[c]!);
    ctx.setLineDash([]);
  }
  const crossFont = `bold ${13 * ratio}px ${f.font}`;
  if (crosses.length > 0) {
    ctx.font = crossFont;
    ctx.fillStyle = colours[2];
    for (let i = 0; i < crosses.length; i += 2) ctx.fillText('✕', crosses[i]!, crosses[i + 1]!);
  }
  // The selected message last, thicker, so it stands out from its neighbours.
  if (selected >= 0) {
    const code = codes[selected]!;
    const ax = xy[selected * 4]!;
    const ay = xy[selected * 4 + 1]!;
    const bx = xy[selected * 4 + 2]!;
    const by = xy[selected * 4 + 3]!;
    ctx.strokeStyle = colours[code & 3]!;
    ctx.fillStyle = colours[code & 3]!;
    ctx.lineWidth = 3 * ratio;
    ctx.setLineDash(code & PENDING ? [4 * ratio, 3 * ratio] : []);
    ctx.beginPath();
    ctx.moveTo(ax, ay);
    ctx.lineTo(bx, by);
    ctx.stroke();
    ctx.setLineDash([]);
    if (code & DROPPED) {
      ctx.font = crossFont;
      ctx.fillText('✕', bx, by);
    } else if (!(code & PENDING)) {
      const head = new Path2D();
      arrowHead(head, ax, ay, bx, by, headSize * 1.4);
      ctx.fill(head);
    }
  }
  // The playhead.
  if (!Number.isNaN(f.playheadX)) {
    ctx.strokeStyle = colours[3];
    ctx.lineWidth = ratio;
    ctx.setLineDash([2 * ratio, 2 * ratio]);
    ctx.beginPath();
    ctx.moveTo(f.playheadX, top);
    ctx.lineTo(f.playheadX, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  ctx.restore();
}
