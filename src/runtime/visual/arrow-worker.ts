/**
 * Draws the sequence diagram's arrows into a canvas the page handed over, off the page's
 * main thread. Frames that arrive faster than they can be drawn are skipped: only the
 * latest matters.
 */
import { drawArrows, type ArrowFrame } from './arrow-layer.ts';

export type ToArrowWorker = { readonly type: 'canvas'; readonly canvas: OffscreenCanvas } | { readonly type: 'frame'; readonly frame: ArrowFrame };

let ctx: OffscreenCanvasRenderingContext2D | undefined;
let latest: ArrowFrame | undefined;
let scheduled = false;

const draw = () => {
  scheduled = false;
  const frame = latest;
  latest = undefined;
  if (!ctx || !frame) return;
  const canvas = ctx.canvas;
  if (canvas.width !== frame.width) canvas.width = frame.width;
  if (canvas.height !== frame.height) canvas.height = frame.height;
  drawArrows(ctx, frame, true);
};

self.addEventListener('message', (event: MessageEvent<ToArrowWorker>) => {
  const message = event.data;
  if (message.type === 'canvas') {
    ctx = message.canvas.getContext('2d') ?? undefined;
    return;
  }
  latest = message.frame;
  if (!scheduled) {
    scheduled = true;
    // Messages already queued run first, so a backlog collapses into its last frame.
    setTimeout(draw, 0);
  }
});
