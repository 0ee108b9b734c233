/**
 * The message sequence diagram: one lane per node, time running left to right, an arrow
 * per message (a ✕ where one was dropped), timers, timeouts and crashes marked on the
 * lanes. Drawn with uPlot, which supplies the time axis, the lane axis and drag-to-zoom;
 * the arrows are drawn in its draw hook. A list of the messages in view, navigable with
 * the arrow keys, is the keyboard's and screen reader's way to the same details.
 */
import uPlot from 'uplot';
import { axis } from './charts.ts';
import { followWindow, formatMs, formatTicks, panWindow, zoomWindow, type TimeWindow } from './scales.ts';
import { DROPPED, PENDING, SELECTED, drawArrows, type ArrowFrame } from './arrow-layer.ts';
import type { ToArrowWorker } from './arrow-worker.ts';
import { SegmentList, defaultWindowMs, describeMessage } from './sequence-data.ts';
import type { RunStore } from './store.ts';
import type { Palette } from './theme.ts';

/** Most arrows drawn at once; zoom in to see the rest. */
const MAX_ARROWS = 1_500;
/** Most messages listed for keyboard navigation. */
const MAX_LISTED = 100;
const LANE_PX = 34;

export class SequenceView {
  readonly #store: RunStore;
  readonly #plotHost: HTMLElement;
  readonly #details: HTMLElement;
  readonly #list: HTMLOListElement;
  readonly #listNote: HTMLElement;
  #plot: uPlot | undefined;
  /**
   * The arrows' own canvas, drawn by a worker, over uPlot's (which keeps the axes, lanes
   * and lane marks); undefined where the browser cannot hand a canvas to a worker, and
   * the arrows are then drawn on the page.
   */
  #arrows: { readonly canvas: HTMLCanvasElement; readonly worker: Worker } | undefined;
  #palette: Palette;
  #window: TimeWindow;
  #widthMs: number;
  follow = true;
  #playhead = 0;
  /** The arrows last drawn, for finding the one under the pointer. */
  readonly #segments = new SegmentList();
  #laneKey = '';
  #laneYs = new Float64Array(0);
  /** The message picked by pointer or keyboard, drawn highlighted. */
  #selected = -1;
  #listedRows: number[] = [];
  #listStamp = 0;
  #listBox: HTMLDetailsElement | null = null;
  readonly #listeners = new AbortController();
  readonly #lanePosition: Map<number, number>;
  /** Called when the user takes the window away from the playhead, or gives it back. */
  onFollowChange: (follow: boolean) => void = () => {};

  constructor(
    parts: { plot: HTMLElement; details: HTMLElement; list: HTMLOListElement; listNote: HTMLElement },
    store: RunStore,
    palette: Palette,
  ) {
    this.#store = store;
    this.#plotHost = parts.plot;
    this.#details = parts.details;
    this.#list = parts.list;
    this.#listNote = parts.listNote;
    this.#palette = palette;
    this.#lanePosition = new Map(store.meta.groups.flatMap((g) => g.nodes).map((node, i) => [node, i]));
    this.#widthMs = defaultWindowMs(store.meta.durationMs);
    this.#window = { startMs: 0, endMs: this.#widthMs };
    this.#startArrowLayer();
    this.#build();
    // The elements outlive this view (a restart makes a new one), so its listeners must go with it.
    const signal = this.#listeners.signal;
    this.#plotHost.addEventListener('keydown', (e) => this.#onKey(e), { signal });
    this.#list.addEventListener('keydown', (e) => this.#onListKey(e), { signal });
    // The list sits in a closed <details> most of the time; it is built when opened and
    // kept current only while open, rather than rebuilt unseen twice a second.
    this.#listBox = this.#list.closest('details');
    this.#listBox?.addEventListener(
      'toggle',
      () => {
        if (this.#listBox?.open) {
          this.#listStamp = performance.now();
          this.#renderList();
        }
      },
      { signal },
    );
    this.#list.addEventListener(
      'focusin',
      (e) => {
        const item = (e.target as HTMLElement).closest<HTMLElement>('[data-row]');
        if (item) this.#select(Number(item.dataset.row));
      },
      { signal },
    );
  }

  get window(): TimeWindow {
    return this.#window;
  }

  setPalette(palette: Palette): void {
    this.#palette = palette;
    this.#build();
  }

  resize(): void {
    this.#plot?.setSize({ width: this.#width(), height: this.#height() });
  }

  destroy(): void {
    this.#stopArrowLayer();
    this.#listeners.abort();
    this.#list.replaceChildren();
    this.#plot?.destroy();
    this.#plot = undefined;
  }

  #width(): number {
    return Math.max(260, Math.floor(this.#plotHost.clientWidth || 320));
  }

  #height(): number {
    return this.#store.meta.nodes.length * LANE_PX + 56;
  }

  /** Lanes follow the groups' order (clients first, as a request flows), top to bottom. */
  #laneValue(node: number): number {
    return this.#store.meta.nodes.length - 1 - (this.#lanePosition.get(node) ?? node);
  }

  #build(): void {
    this.#plot?.destroy();
    const p = this.#palette;
    const ordered = this.#store.meta.groups.flatMap((g) => g.nodes).map((i) => this.#store.meta.nodes[i]!);
    const names = ordered.length === this.#store.meta.nodes.length ? ordered : this.#store.meta.nodes;
    const n = names.length;
    const labelWidth = Math.min(120, 16 + Math.max(...names.map((s) => s.length)) * 7.5);
    this.#plot = new uPlot(
      {
        width: this.#width(),
        height: this.#height(),
        scales: {
          x: { time: false, auto: false, range: () => [this.#window.startMs, this.#window.endMs] },
          y: { auto: false, range: [-0.6, n - 0.4] },
        },
        series: [{}, { label: 'lanes', stroke: 'transparent', points: { show: false } }],
        axes: [
          axis(p, { values: (_u, s) => formatTicks(s) }),
          axis(p, {
            splits: () => names.map((_, i) => i),
            values: (_u, s) => s.map((v) => names[n - 1 - v] ?? ''),
            size: labelWidth,
            grid: { show: false },
          }),
        ],
        legend: { show: false },
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false }, y: false },
        hooks: {
          draw: [(u) => this.#draw(u)],
          setSelect: [(u) => this.#zoomToSelection(u)],
          setCursor: [(u) => this.#hover(u)],
        },
      },
      [[0, 1], [null, null]],
      this.#plotHost,
    );
    // Above the plot's canvas, below its cursor and selection layer.
    if (this.#arrows) this.#plot.ctx.canvas.after(this.#arrows.canvas);
  }

  #startArrowLayer(): void {
    const canvas = document.createElement('canvas');
    if (typeof canvas.transferControlToOffscreen !== 'function') return;
    try {
      const worker = new Worker(new URL('./arrow-worker.ts', import.meta.url), { type: 'module', name: 'sequence-arrows' });
      const offscreen = canvas.transferControlToOffscreen();
      worker.postMessage({ type: 'canvas', canvas: offscreen } satisfies ToArrowWorker, [offscreen]);
      canvas.setAttribute('aria-hidden', 'true');
      canvas.style.cssText = 'position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none';
      // Should the worker fail to load, the arrows go back to the page's canvas.
      worker.addEventListener('error', () => {
        this.#stopArrowLayer();
        this.#plot?.redraw(false, false);
      });
      this.#arrows = { canvas, worker };
    } catch {
      this.#arrows = undefined;
    }
  }

  #stopArrowLayer(): void {
    this.#arrows?.worker.terminate();
    this.#arrows?.canvas.remove();
    this.#arrows = undefined;
  }

  /** Shows the window ending at the playhead (when following) and redraws. */
  update(playheadMs: number): void {
    this.#playhead = playheadMs;
    if (this.follow) this.#window = followWindow(playheadMs, this.#widthMs, this.#store.meta.durationMs);
    this.#plot?.setScale('x', { min: this.#window.startMs, max: this.#window.endMs });
    const now = performance.now();
    // The list is rebuilt at most twice a second, and never under the keyboard's feet.
    if (now - this.#listStamp > 500 && this.#listBox?.open !== false && !this.#list.contains(document.activeElement)) {
      this.#listStamp = now;
      this.#renderList();
    }
  }

  zoom(factor: number): void {
    const anchor = this.follow ? this.#window.endMs : (this.#window.startMs + this.#window.endMs) / 2;
    this.#window = zoomWindow(this.#window, factor, anchor, this.#store.meta.durationMs);
    this.#widthMs = this.#window.endMs - this.#window.startMs;
    this.#refresh();
  }

  pan(fraction: number): void {
    this.#setFollow(false);
    this.#window = panWindow(this.#window, (this.#window.endMs - this.#window.startMs) * fraction, this.#store.meta.durationMs);
    this.#refresh();
  }

  setFollow(follow: boolean): void {
    this.#setFollow(follow);
    this.#refresh();
  }

  /** Centres the window on a message and selects it (used by tests and the list). */
  reveal(row: number): void {
    const s = this.#store;
    const mid = s.sendMs(row);
    this.#setFollow(false);
    const width = this.#window.endMs - this.#window.startMs;
    this.#window = panWindow({ startMs: mid - width / 2, endMs: mid + width / 2 }, 0, s.meta.durationMs);
    this.#select(row);
    this.#refresh();
  }

  #setFollow(follow: boolean): void {
    if (this.follow === follow) return;
    this.follow = follow;
    this.onFollowChange(follow);
  }

  #refresh(): void {
    this.#listStamp = 0;
    this.update(this.#playhead);
  }

  #zoomToSelection(u: uPlot): void {
    if (u.select.width < 4) return;
    const min = u.posToVal(u.select.left, 'x');
    const max = u.posToVal(u.select.left + u.select.width, 'x');
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.#setFollow(false);
    this.#window = { startMs: Math.max(0, min), endMs: Math.min(this.#store.meta.durationMs, max) };
    this.#widthMs = this.#window.endMs - this.#window.startMs;
    this.#refresh();
  }

  #onKey(e: KeyboardEvent): void {
    const actions: Record<string, () => void> = {
      '+': () => this.zoom(0.5),
      '=': () => this.zoom(0.5),
      '-': () => this.zoom(2),
      ArrowLeft: () => this.pan(-0.25),
      ArrowRight: () => this.pan(0.25),
      f: () => this.setFollow(true),
    };
    const action = actions[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  }

  #onListKey(e: KeyboardEvent): void {
    const items = [...this.#list.querySelectorAll<HTMLElement>('[data-row]')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next = e.key === 'ArrowDown' ? at + 1 : e.key === 'ArrowUp' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : undefined;
    if (next === undefined || items.length === 0) return;
    e.preventDefault();
    const target = items[Math.min(items.length - 1, Math.max(0, next))]!;
    for (const item of items) item.tabIndex = item === target ? 0 : -1;
    target.focus();
  }

  #select(row: number): void {
    this.#selected = row;
    if (row < 0 || row >= this.#store.count) {
      this.#details.textContent = 'Point at an arrow, or pick a message from the list, to see its details.';
    } else {
      this.#details.textContent = describeMessage(this.#store.message(row), this.#store.meta.nodes);
    }
    this.#plot?.redraw(false, false);
  }

  #hover(u: uPlot): void {
    const left = u.cursor.left ?? -1;
    const top = u.cursor.top ?? -1;
    if (left < 0 || top < 0) return;
    const ratio = globalThis.devicePixelRatio || 1;
    const i = this.#segments.nearest({ x: left * ratio + u.bbox.left, y: top * ratio + u.bbox.top }, 8 * ratio);
    const row = i >= 0 ? this.#segments.row(i) : -1;
    if (row !== this.#selected && row >= 0) this.#select(row);
  }

  #renderList(): void {
    const store = this.#store;
    const rows = store.messagesInWindow(this.#window.startMs, this.#window.endMs, MAX_LISTED + 1);
    const shown = rows.slice(0, MAX_LISTED);
    const same = shown.length === this.#listedRows.length && shown.every((r, i) => r === this.#listedRows[i]);
    if (same) return;
    this.#listedRows = shown;
    const items = shown.map((row, i) => {
      const m = store.message(row);
      const li = document.createElement('li');
      li.dataset.row = String(row);
      li.tabIndex = i === 0 ? 0 : -1;
      if (m.outcome !== 'delivered' && m.outcome !== 'pending') li.dataset.dropped = m.outcome;
      li.textContent = describeMessage(m, store.meta.nodes);
      return li;
    });
    this.#list.replaceChildren(...items);
    this.#listNote.textContent =
      rows.length > MAX_LISTED
        ? `The first ${MAX_LISTED} messages in view; zoom in to list the rest.`
        : `${shown.length} message${shown.length === 1 ? '' : 's'} in view (${formatMs(this.#window.startMs)} to ${formatMs(this.#window.endMs)}).`;
  }

  #draw(u: uPlot): void {
    const store = this.#store;
    const p = this.#palette;
    const ctx = u.ctx;
    const ratio = globalThis.devicePixelRatio || 1;
    const { left, top, width, height } = u.bbox;
    const { startMs, endMs } = this.#window;
    // The x scale is linear and fixed to the window, and each lane's y is fixed: mapping
    // by hand saves a uPlot call per coordinate, thousands per redraw.
    const span = endMs - startMs || 1;
    const x = (t: number) => left + ((t - startMs) / span) * width;
    const laneY = this.#laneY(u);
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    // Lanes.
    ctx.strokeStyle = p.border;
    ctx.lineWidth = ratio;
    ctx.beginPath();
    for (let i = 0; i < laneY.length; i++) {
      ctx.moveTo(left, laneY[i]!);
      ctx.lineTo(left + width, laneY[i]!);
    }
    ctx.stroke();
    // Lane events: timers as small ticks, timeouts and rejections as marks, crashes as a band.
    // Ticks go into one path and the font is set once: the canvas replays every call at
    // commit time, so one stroke for hundreds of ticks is far cheaper than hundreds.
    ctx.font = `${11 * ratio}px ${p.font}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    const ticks = new Path2D();
    let anyTick = false;
    for (let i = store.laneLowerBound(startMs); i < store.lanes.length; i++) {
      const l = store.lanes[i]!;
      if (l.t > endMs) break;
      const lx = x(l.t);
      const ly = laneY[l.node]!;
      if (l.type === 'timer-set' || l.type === 'timer-fire') {
        ticks.moveTo(lx, ly - 6 * ratio);
        ticks.lineTo(lx, ly + 6 * ratio);
        anyTick = true;
      } else if (l.type === 'crash' || l.type === 'error') {
        ctx.fillStyle = p.bad;
        ctx.fillText('✕', lx, ly - 10 * ratio);
      } else if (l.type === 'rpc-timeout') {
        ctx.fillStyle = p.warn;
        ctx.fillText('⏱', lx, ly - 10 * ratio);
      } else if (l.type === 'restart' || l.type === 'resume') {
        ctx.fillStyle = p.ok;
        ctx.fillText('↻', lx, ly - 10 * ratio);
      }
    }
    if (anyTick) {
      ctx.strokeStyle = p.muted;
      ctx.stroke(ticks);
    }
    // Crashed stretches of a lane, greyed.
    const downSince = new Map<number, number>();
    for (const l of store.faults) {
      if (l.t > endMs) break;
      if (l.type === 'crash') downSince.set(l.node, l.t);
      if (l.type === 'restart' && downSince.has(l.node)) {
        this.#band(ctx, x(downSince.get(l.node)!), x(l.t), laneY[l.node]!, ratio);
        downSince.delete(l.node);
      }
    }
    for (const [node, since] of downSince) this.#band(ctx, x(since), x(Math.min(endMs, store.availableMs)), laneY[node]!, ratio);

    // Messages: geometry here (the pointer needs it), pixels in the arrow layer.
    const rows = store.messagesInWindow(startMs, endMs, MAX_ARROWS);
    const segments = this.#segments.reserve(rows.length);
    const codes = new Uint8Array(rows.length);
    const stub = 10 * ratio;
    for (const row of rows) {
      const ax = x(store.sendMs(row));
      const ay = laneY[store.from(row)]!;
      const end = store.endMs(row);
      const pending = Number.isNaN(end);
      const dropped = store.dropped(row);
      const toY = laneY[store.to(row)]!;
      let bx = x(pending ? store.availableMs : end);
      // The same geometry as arrowEnd: a dropped arrow stops 60% of the way to its lane.
      const by = dropped ? ay + (toY - ay) * 0.6 : toY;
      // A message dropped the instant it was sent still needs a visible stub.
      if (dropped && bx - ax < stub) bx = ax + stub;
      codes[segments.length] =
        (dropped ? 2 : store.isReply(row) ? 1 : 0) | (pending ? PENDING : 0) | (dropped ? DROPPED : 0) | (row === this.#selected ? SELECTED : 0);
      segments.push(row, ax, ay, bx, by);
    }
    ctx.restore();
    const frame: ArrowFrame = {
      width: ctx.canvas.width,
      height: ctx.canvas.height,
      clip: [left, top, width, height],
      ratio,
      colours: [p.accent, p.ok, p.bad, p.fg],
      font: p.font,
      count: segments.length,
      xy: segments.packed(),
      codes,
      playheadX: this.#playhead >= startMs && this.#playhead <= endMs ? x(this.#playhead) : Number.NaN,
    };
    if (this.#arrows) this.#arrows.worker.postMessage({ type: 'frame', frame } satisfies ToArrowWorker, [frame.xy.buffer, codes.buffer]);
    else drawArrows(ctx, frame, false);
  }

  /** Each lane's y in canvas pixels, by node index; recomputed only when the plot's box moves. */
  #laneY(u: uPlot): Float64Array {
    const key = `${u.bbox.top},${u.bbox.height}`;
    if (key !== this.#laneKey) {
      this.#laneKey = key;
      const n = this.#store.meta.nodes.length;
      this.#laneYs = new Float64Array(n);
      for (let node = 0; node < n; node++) this.#laneYs[node] = u.valToPos(this.#laneValue(node), 'y', true);
    }
    return this.#laneYs;
  }

  #band(ctx: CanvasRenderingContext2D, x0: number, x1: number, ly: number, ratio: number): void {
    ctx.fillStyle = this.#palette.border;
    ctx.globalAlpha = 0.6;
    ctx.fillRect(x0, ly - 8 * ratio, Math.max(x1 - x0, ratio), 16 * ratio);
    ctx.globalAlpha = 1;
  }
}
