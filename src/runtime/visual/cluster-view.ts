/**
 * The cluster view: nodes as circles in their groups (SVG, so each has a name and a
 * label), the links messages have used, messages as moving dots (a canvas over the SVG,
 * since hundreds move every frame), crashed nodes greyed, partitions drawn as a cut
 * across the links they sever, each node's load as a rising fill, and, when the scenario
 * keeps one, each node's line of state under its name.
 */
import { NOTE_LINE_PX, fitNote, layoutCluster, loadFillPath, loadFraction, messagePosition, type ClusterLayout } from './layout.ts';
import type { RunStore } from './store.ts';
import { sizeCanvas, type Palette } from './theme.ts';

const SVG = 'http://www.w3.org/2000/svg';
/** Most dots drawn in one frame; beyond this the picture is a blur anyway. */
const MAX_DOTS = 600;
/** Links are keyed `low * LINK_KEY + high` by node index (indices travel as 16-bit). */
const LINK_KEY = 65_536;
/** Size of a node's note, a notch under its name's 12 px. */
const NOTE_FONT_PX = 11;

/**
 * A node's SVG parts, with the attribute values last written: the frame loop asks for
 * the same values most frames, and skipping those writes spares a restyle and repaint.
 */
class NodeParts {
  readonly fill: SVGPathElement;
  readonly circle: SVGCircleElement;
  readonly label: SVGTextElement;
  readonly load: SVGTextElement;
  /** The node's note, one `tspan` per line; absent when the scenario keeps none. */
  readonly noteText: SVGTextElement | undefined;
  readonly #written = new Map<string, string>();
  #text = '';
  #note = '';

  constructor(fill: SVGPathElement, circle: SVGCircleElement, label: SVGTextElement, load: SVGTextElement, noteText?: SVGTextElement) {
    this.fill = fill;
    this.circle = circle;
    this.label = label;
    this.load = load;
    this.noteText = noteText;
  }

  set(element: SVGElement, name: string, value: string): void {
    const key = `${element === this.fill ? 'f' : 'c'}:${name}`;
    if (this.#written.get(key) === value) return;
    this.#written.set(key, value);
    element.setAttribute(name, value);
  }

  text(value: string): void {
    if (value === this.#text) return;
    this.#text = value;
    this.load.textContent = value;
  }

  /**
   * Shows `value` as the node's note, in the lines `fit` breaks it into. Notes change a few
   * times a run, so the text is measured and rewritten only when it does.
   */
  note(value: string, fit: (text: string) => string[]): void {
    const element = this.noteText;
    if (!element || value === this.#note) return;
    this.#note = value;
    element.dataset.note = value;
    const x = element.getAttribute('x') ?? '0';
    element.replaceChildren(
      ...fit(value).map((line, i) => {
        const span = svg('tspan', { x, dy: i === 0 ? 0 : NOTE_LINE_PX });
        span.textContent = line;
        return span;
      }),
    );
  }
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export class ClusterView {
  readonly #host: HTMLElement;
  readonly #svg: SVGSVGElement;
  readonly #canvas: HTMLCanvasElement;
  #ctx: CanvasRenderingContext2D | undefined;
  #layout: ClusterLayout | undefined;
  #palette: Palette;
  readonly #store: RunStore;
  #links = new Set<number>();
  /** The cut links last drawn; a value no real key has forces the next draw to redraw the links. */
  #cutKey = '\u0000';
  #linkLayer: SVGGElement | undefined;
  #nodeParts: NodeParts[] = [];
  /** Each node's place, by node index. */
  #pos = new Map<number, { x: number; y: number; r: number }>();
  /**
   * The fill's scale at each bucket: the largest load (requests queued and in service) any
   * node had in that bucket or an earlier one, at least 1. A node's fill at a moment then
   * depends on the run up to that moment alone, never on which frames playback happened to
   * draw before it (a maximum of the frames drawn differed from one playback to the next).
   * Buckets only ever arrive at the end, so the list grows as they do.
   */
  readonly #loadScales: number[] = [];

  constructor(host: HTMLElement, store: RunStore, palette: Palette) {
    this.#host = host;
    this.#store = store;
    this.#palette = palette;
    this.#svg = svg('svg', { role: 'img' });
    this.#canvas = document.createElement('canvas');
    this.#canvas.setAttribute('aria-hidden', 'true');
    host.replaceChildren(this.#svg, this.#canvas);
    this.relayout();
  }

  setPalette(palette: Palette): void {
    this.#palette = palette;
    this.relayout();
  }

  /** Describes the picture for assistive technology. */
  setLabel(text: string): void {
    this.#svg.setAttribute('aria-label', text);
  }

  relayout(): void {
    const width = Math.floor(this.#host.clientWidth || 320);
    const meta = this.#store.meta;
    const layout = layoutCluster(meta.groups, width, { notes: meta.notes === true });
    this.#layout = layout;
    const p = this.#palette;
    const s = this.#svg;
    s.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
    s.setAttribute('width', String(layout.width));
    s.setAttribute('height', String(layout.height));
    s.replaceChildren();
    for (const g of layout.groups) {
      s.append(svg('rect', { x: g.x, y: g.y, width: g.width, height: g.height, rx: 8, fill: p.bgSoft, stroke: p.border }));
      const label = svg('text', { x: g.x + 8, y: g.y + 16, fill: p.muted, 'font-size': 12, 'font-family': p.font });
      label.textContent = g.name;
      s.append(label);
    }
    this.#linkLayer = svg('g');
    s.append(this.#linkLayer);
    this.#nodeParts = [];
    for (const n of layout.nodes) {
      const circle = svg('circle', { cx: n.x, cy: n.y, r: n.r, fill: p.bg, stroke: p.fg, 'stroke-width': 1.5 });
      const fill = svg('path', { d: '', fill: p.warn, opacity: 0.55 });
      const label = svg('text', { x: n.x, y: n.y + n.r + 13, fill: p.fg, 'font-size': 12, 'font-family': p.font, 'text-anchor': 'middle' });
      label.textContent = meta.nodes[n.node] ?? '';
      const load = svg('text', { x: n.x, y: n.y + 4, fill: p.fg, 'font-size': 11, 'font-family': p.mono, 'text-anchor': 'middle' });
      s.append(circle, fill, label, load);
      let note: SVGTextElement | undefined;
      if (layout.noteLines > 0) {
        // Links run between nodes of a column; a halo of the group's colour keeps them off the words.
        note = svg('text', {
          x: n.x,
          y: n.y + n.r + 13 + NOTE_LINE_PX,
          fill: p.muted,
          stroke: p.bgSoft,
          'stroke-width': 3,
          'stroke-linejoin': 'round',
          'paint-order': 'stroke',
          'font-size': NOTE_FONT_PX,
          'font-family': p.font,
          'text-anchor': 'middle',
        });
        s.append(note);
      }
      this.#nodeParts[n.node] = new NodeParts(fill, circle, label, load, note);
    }
    this.#ctx = sizeCanvas(this.#canvas, layout.width, layout.height);
    this.#links = new Set();
    this.#cutKey = '\u0000';
    this.#pos = new Map(layout.nodes.map((n) => [n.node, n]));
  }

  /** Draws the state at virtual time `t`. */
  draw(t: number): void {
    const layout = this.#layout;
    const ctx = this.#ctx;
    if (!layout || !ctx) return;
    const store = this.#store;
    const p = this.#palette;
    const pos = this.#pos;
    const flying = store.inFlightAt(t, MAX_DOTS);

    // Links appear once a message has used them, so the picture shows who talks to whom.
    // Keyed by number, not string: this runs for every dot in every frame.
    let newLinks = false;
    for (const row of flying) {
      const a = store.from(row);
      const b = store.to(row);
      const key = a < b ? a * LINK_KEY + b : b * LINK_KEY + a;
      if (!this.#links.has(key)) {
        this.#links.add(key);
        newLinks = true;
      }
    }
    const cuts = store.cutLinksAt(t);
    // The link layer is rebuilt only when what it shows changes, not every frame of a partition.
    const cutKey = [...cuts].sort().join(' ');
    if (newLinks || cutKey !== this.#cutKey) {
      this.#cutKey = cutKey;
      this.#drawLinks(pos, cuts);
    }

    // Node fill: load at the bucket containing t; grey when down. Attributes are written
    // only when their value changes, since each write restyles and repaints the SVG.
    const bucketIndex = Math.min(Math.max(0, store.bucketIndexAt(t) + 1), store.buckets.length - 1);
    const bucket = store.buckets[bucketIndex];
    for (let i = this.#loadScales.length; i < store.buckets.length; i++) {
      let most = i > 0 ? this.#loadScales[i - 1]! : 1;
      for (const sample of store.buckets[i]!.nodes) if (sample) most = Math.max(most, sample.queueDepth + sample.inService);
      this.#loadScales.push(most);
    }
    const loadScale = this.#loadScales[bucketIndex] ?? 1;
    const down = store.nodesDownAt(t);
    for (const n of layout.nodes) {
      const parts = this.#nodeParts[n.node];
      if (!parts) continue;
      const sample = bucket?.nodes[n.node];
      const inSystem = sample ? sample.queueDepth + sample.inService : 0;
      const f = loadFraction(sample?.inService ?? 0, sample?.queueDepth ?? 0, loadScale);
      const isDown = down.has(n.node) || sample?.up === false;
      parts.set(parts.fill, 'd', loadFillPath(n.x, n.y, n.r, f));
      parts.set(parts.fill, 'fill', f > 0.75 ? p.bad : p.warn);
      parts.set(parts.circle, 'fill', isDown ? p.border : p.bg);
      parts.set(parts.circle, 'stroke', isDown ? p.muted : p.fg);
      parts.set(parts.circle, 'stroke-dasharray', isDown ? '3 3' : '');
      parts.text(isDown ? '✕' : inSystem > 0 ? String(inSystem) : '');
      parts.note(sample?.note ?? '', this.#fitNote);
    }

    // Messages in flight: one path per colour, so hundreds of dots are three fills.
    ctx.clearRect(0, 0, layout.width, layout.height);
    const dots = [new Path2D(), new Path2D(), new Path2D()];
    const used = [0, 0, 0];
    for (const row of flying) {
      const a = pos.get(store.from(row));
      const b = pos.get(store.to(row));
      if (!a || !b) continue;
      const end = store.endMs(row);
      const at = messagePosition(a, b, store.sendMs(row), Number.isNaN(end) ? store.availableMs : end, t);
      const dropped = store.dropped(row);
      const colour = dropped ? 2 : store.isReply(row) ? 1 : 0;
      const r = dropped ? 4 : 3.2;
      used[colour]!++;
      dots[colour]!.moveTo(at.x + r, at.y);
      dots[colour]!.arc(at.x, at.y, r, 0, Math.PI * 2);
    }
    const colours = [p.accent, p.ok, p.bad];
    for (let c = 0; c < 3; c++) {
      if (used[c] === 0) continue;
      ctx.fillStyle = colours[c]!;
      ctx.fill(dots[c]!);
    }
  }

  /** A note as the lines that fit under its node, measured in the note's own font. */
  readonly #fitNote = (text: string): string[] => {
    const layout = this.#layout;
    const ctx = this.#ctx;
    if (!layout || !ctx) return [];
    ctx.font = `${NOTE_FONT_PX}px ${this.#palette.font}`;
    return fitNote(text, layout.noteWidth, layout.noteLines, (t) => ctx.measureText(t).width);
  };

  #drawLinks(pos: Map<number, { x: number; y: number; r: number }>, cuts: Set<string>): void {
    const layer = this.#linkLayer;
    if (!layer) return;
    const p = this.#palette;
    layer.replaceChildren();
    layer.dataset.cuts = String(cuts.size);
    const drawn = new Set(this.#links);
    // A cut link that no message has used yet is still worth showing.
    for (const key of cuts) {
      const [a, b] = key.split('>').map(Number) as [number, number];
      drawn.add(a < b ? a * LINK_KEY + b : b * LINK_KEY + a);
    }
    for (const key of drawn) {
      const a = Math.floor(key / LINK_KEY);
      const b = key % LINK_KEY;
      const pa = pos.get(a);
      const pb = pos.get(b);
      if (!pa || !pb) continue;
      const cut = cuts.has(`${a}>${b}`) || cuts.has(`${b}>${a}`);
      layer.append(svg('line', { x1: pa.x, y1: pa.y, x2: pb.x, y2: pb.y, stroke: cut ? p.bad : p.border, 'stroke-width': cut ? 2 : 1.5, 'stroke-dasharray': cut ? '5 4' : '' }));
      if (cut) {
        // The cut: a short bar across the link at its midpoint.
        const mx = (pa.x + pb.x) / 2;
        const my = (pa.y + pb.y) / 2;
        const len = Math.hypot(pb.x - pa.x, pb.y - pa.y) || 1;
        const nx = (-(pb.y - pa.y) / len) * 10;
        const ny = ((pb.x - pa.x) / len) * 10;
        layer.append(svg('line', { x1: mx - nx, y1: my - ny, x2: mx + nx, y2: my + ny, stroke: p.bad, 'stroke-width': 3 }));
      }
    }
  }
}
