/**
 * The parts of Simulation.astro's markup that the live simulation drives, found once and
 * typed; a part that is missing is named (see `bindParts`).
 */
import { bindParts, type PartsRoot } from '../dom.ts';

export interface SimulationParts {
  readonly status: HTMLElement;
  readonly play: HTMLButtonElement;
  readonly step: HTMLButtonElement;
  readonly restart: HTMLButtonElement;
  readonly newSeed: HTMLButtonElement;
  readonly speedSelect: HTMLSelectElement;
  readonly seedInput: HTMLInputElement;
  readonly scrubber: HTMLInputElement;
  readonly timeOut: HTMLOutputElement;
  readonly viewsBox: HTMLElement;
  readonly paramsBox: HTMLFieldSetElement;
  readonly summaryBody: HTMLTableSectionElement;
  readonly nodeBody: HTMLTableSectionElement;
  readonly nodeHead: HTMLTableRowElement;
  readonly title: HTMLElement;
  readonly description: HTMLElement;
  /** Shown instead of the message diagram when the scenario records no messages. */
  readonly noTrace: HTMLElement;
  readonly cluster: HTMLElement;
  readonly seqPlot: HTMLElement;
  readonly seqDetails: HTMLElement;
  readonly seqList: HTMLOListElement;
  readonly seqNote: HTMLElement;
  /** The message view's toolbar buttons. */
  readonly zoomIn: HTMLButtonElement;
  readonly zoomOut: HTMLButtonElement;
  readonly earlier: HTMLButtonElement;
  readonly later: HTMLButtonElement;
  readonly follow: HTMLButtonElement;
  readonly nextDrop: HTMLButtonElement;
  readonly latencyChart: HTMLElement;
  readonly histogramChart: HTMLElement;
  readonly loadChart: HTMLElement;
  readonly throughputChart: HTMLElement;
}

const selectors: { readonly [K in keyof SimulationParts]: string } = {
  status: '[data-status]',
  play: '[data-action="play"]',
  step: '[data-action="step"]',
  restart: '[data-action="restart"]',
  newSeed: '[data-action="new-seed"]',
  speedSelect: '[data-speed]',
  seedInput: '[data-seed-input]',
  scrubber: '[data-scrubber]',
  timeOut: '[data-time]',
  viewsBox: '[data-views]',
  paramsBox: '[data-params]',
  summaryBody: '[data-summary-table] tbody',
  nodeBody: '[data-node-table] tbody',
  nodeHead: '[data-node-table] thead tr',
  title: '[data-title]',
  description: '[data-description]',
  noTrace: '[data-seq-empty]',
  cluster: '[data-cluster]',
  seqPlot: '[data-seq-plot]',
  seqDetails: '[data-seq-details]',
  seqList: '[data-seq-list]',
  seqNote: '[data-seq-note]',
  zoomIn: '[data-seq="zoom-in"]',
  zoomOut: '[data-seq="zoom-out"]',
  earlier: '[data-seq="earlier"]',
  later: '[data-seq="later"]',
  follow: '[data-seq="follow"]',
  nextDrop: '[data-seq="next-drop"]',
  latencyChart: '[data-chart="latency"]',
  histogramChart: '[data-chart="histogram"]',
  loadChart: '[data-chart="load"]',
  throughputChart: '[data-chart="throughput"]',
};

/** The simulation's parts inside `section`; throws, naming every missing one, if any is missing. */
export function bindSimulationParts(section: PartsRoot, scenarioId: string): SimulationParts {
  return bindParts<SimulationParts>(section, selectors, `simulation ${scenarioId}`);
}
