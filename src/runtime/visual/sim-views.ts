/**
 * The views of one run of a live simulation: the cluster picture, the message diagram and
 * the charts over one run store, made together for each run and retired together when the
 * next one starts.
 */
import { MetricCharts } from './charts.ts';
import { ClusterView } from './cluster-view.ts';
import type { RunMeta } from './protocol.ts';
import { untracedNote } from './sequence-data.ts';
import { SequenceView } from './sequence-view.ts';
import type { SimulationParts } from './simulation-parts.ts';
import { RunStore } from './store.ts';
import type { Palette } from './theme.ts';

export interface Views {
  readonly store: RunStore;
  readonly cluster: ClusterView;
  readonly sequence: SequenceView;
  readonly charts: MetricCharts;
}

/**
 * The views of the run `meta` describes, drawn into the simulation's parts. The parts of the
 * message view that only a traced run fills are hidden, with words in their place, when
 * the scenario records no messages.
 */
export function createViews(section: HTMLElement, parts: SimulationParts, meta: RunMeta, palette: Palette): Views {
  const store = new RunStore(meta);
  const cluster = new ClusterView(parts.cluster, store, palette);
  // A scenario without a message trace gets words, not an empty diagram.
  const note = untracedNote(meta);
  parts.noTrace.textContent = note ?? '';
  parts.noTrace.hidden = note === undefined;
  for (const part of section.querySelectorAll<HTMLElement>('.seq-toolbar, [data-seq-plot], [data-seq-plot] + .hint, [data-seq-details], .seq-list-box')) {
    part.hidden = note !== undefined;
  }
  const sequence = new SequenceView({ plot: parts.seqPlot, details: parts.seqDetails, list: parts.seqList, listNote: parts.seqNote }, store, palette);
  sequence.onFollowChange = (on) => parts.follow.setAttribute('aria-pressed', String(on));
  parts.follow.setAttribute('aria-pressed', 'true');
  const charts = new MetricCharts(
    { latency: parts.latencyChart, histogram: parts.histogramChart, load: parts.loadChart, throughput: parts.throughputChart },
    meta,
    palette,
  );
  return { store, cluster, sequence, charts };
}

/** Frees what the views hold outside the page's markup (their plots and observers). */
export function destroyViews(views: Views | undefined): void {
  views?.sequence.destroy();
  views?.charts.destroy();
}

/** Redraws the views in another palette, after the theme changed. */
export function repaintViews(views: Views, palette: Palette): void {
  views.cluster.setPalette(palette);
  views.sequence.setPalette(palette);
  views.charts.rebuild(palette);
}

/** Lays the views out again for a new width. */
export function resizeViews(views: Views): void {
  views.cluster.relayout();
  views.sequence.resize();
  views.charts.resize();
}
