/**
 * A live simulation on a lesson page. The server-rendered markup (Simulation.astro) holds
 * the controls and regions; this module starts the worker, wires the controls, and draws
 * the views once per animation frame from what has streamed in — only the part of the run
 * that is visible, so the page stays responsive however many events the run produces.
 */
import { MetricCharts } from './charts.ts';
import { ClusterView } from './cluster-view.ts';
import { nextSeed, parseSeed } from './controls.ts';
import { ParamControls } from './param-controls.ts';
import { snapshot } from './metrics-data.ts';
import { Playback, SPEEDS, nextEventTime } from './playback.ts';
import type { FromWorker, RunMeta, ToWorker } from './protocol.ts';
import { formatMs, formatPercent } from './scales.ts';
import { untracedNote } from './sequence-data.ts';
import { SequenceView } from './sequence-view.ts';
import { RunStore } from './store.ts';
import { onThemeChange, readPalette } from './theme.ts';
import { bindParts, el } from '../dom.ts';
import { RedrawScheduler } from './redraw-scheduler.ts';

/** Whole numbers as "12,345"; one formatter, since toLocaleString builds one per call. */
const counts = new Intl.NumberFormat('en-US');
const formatCount = (n: number) => counts.format(n);

interface Views {
  readonly store: RunStore;
  readonly cluster: ClusterView;
  readonly sequence: SequenceView;
  readonly charts: MetricCharts;
}

/** The parts of Simulation.astro's markup this module drives, found once (see `bindParts`). */
interface SimulationParts {
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
  readonly follow: HTMLButtonElement;
  readonly title: HTMLElement;
  readonly description: HTMLElement;
  /** Shown instead of the message diagram when the scenario records no messages. */
  readonly noTrace: HTMLElement;
  readonly cluster: HTMLElement;
  readonly seqPlot: HTMLElement;
  readonly seqDetails: HTMLElement;
  readonly seqList: HTMLOListElement;
  readonly seqNote: HTMLElement;
  readonly latencyChart: HTMLElement;
  readonly histogramChart: HTMLElement;
  readonly loadChart: HTMLElement;
  readonly throughputChart: HTMLElement;
}

const simulationParts: { readonly [K in keyof SimulationParts]: string } = {
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
  follow: '[data-seq="follow"]',
  title: '[data-title]',
  description: '[data-description]',
  noTrace: '[data-seq-empty]',
  cluster: '[data-cluster]',
  seqPlot: '[data-seq-plot]',
  seqDetails: '[data-seq-details]',
  seqList: '[data-seq-list]',
  seqNote: '[data-seq-note]',
  latencyChart: '[data-chart="latency"]',
  histogramChart: '[data-chart="histogram"]',
  loadChart: '[data-chart="load"]',
  throughputChart: '[data-chart="throughput"]',
};

export async function mountSimulation(section: HTMLElement): Promise<void> {
  if (section.dataset.mounted) return;
  section.dataset.mounted = 'loading';
  const scenarioId = section.dataset.simulation!;
  const parts = bindParts<SimulationParts>(section, simulationParts, `simulation ${scenarioId}`);
  const paramControls = new ParamControls(parts.paramsBox, scenarioId, `simulation ${scenarioId}`);
  const { status, play, step, restart, newSeed, speedSelect, seedInput, scrubber, timeOut, viewsBox, paramsBox, summaryBody, nodeBody, nodeHead, follow, title, description, noTrace } = parts;

  status.textContent = 'Starting the simulator…';
  let worker: Worker;
  try {
    worker = new Worker(new URL('./sim-worker.ts', import.meta.url), { type: 'module', name: 'simulation' });
  } catch (error) {
    status.textContent = `The simulation cannot run in this browser: ${(error as Error).message}`;
    section.dataset.mounted = 'failed';
    return;
  }
  const send = (message: ToWorker) => worker.postMessage(message);

  let runId = 0;
  let seed = Number(section.dataset.seed ?? '1');
  let params: Record<string, number | string | boolean> = {};
  let views: Views | undefined;
  let playback: Playback | undefined;
  let speed = Number(speedSelect.value) || 1_000;
  let lastDemand = 0;
  let dirty = true;
  const redraws = new RedrawScheduler();
  let pendingStep = false;
  let palette = readPalette(section);

  const setState = (state: string) => {
    section.dataset.state = state;
    play.textContent = state === 'playing' ? 'Pause' : 'Play';
    play.setAttribute('aria-label', state === 'playing' ? 'Pause the simulation' : 'Play the simulation');
  };

  const start = () => {
    runId++;
    params = paramControls.values();
    views?.sequence.destroy();
    views?.charts.destroy();
    views = undefined;
    playback = undefined;
    lastDemand = 0;
    setState('loading');
    status.textContent = `Building the run with seed ${seed}…`;
    send({ type: 'start', runId, scenarioId, params, seed });
  };

  const onReady = (meta: RunMeta) => {
    paramControls.matchRun(meta.params, params);
    title.textContent = meta.title;
    description.textContent = meta.description;
    const wasPlaying = section.dataset.autoplay === 'true';
    viewsBox.hidden = false;
    const store = new RunStore(meta);
    const cluster = new ClusterView(parts.cluster, store, palette);
    // A scenario without a message trace gets words, not an empty diagram.
    const note = untracedNote(meta);
    noTrace.textContent = note ?? '';
    noTrace.hidden = note === undefined;
    for (const part of section.querySelectorAll<HTMLElement>('.seq-toolbar, [data-seq-plot], [data-seq-plot] + .hint, [data-seq-details], .seq-list-box')) {
      part.hidden = note !== undefined;
    }
    const sequence = new SequenceView(
      { plot: parts.seqPlot, details: parts.seqDetails, list: parts.seqList, listNote: parts.seqNote },
      store,
      palette,
    );
    sequence.onFollowChange = (on) => follow.setAttribute('aria-pressed', String(on));
    follow.setAttribute('aria-pressed', 'true');
    const charts = new MetricCharts(
      { latency: parts.latencyChart, histogram: parts.histogramChart, load: parts.loadChart, throughput: parts.throughputChart },
      meta,
      palette,
    );
    views = { store, cluster, sequence, charts };
    playback = new Playback(meta.durationMs, speed);
    scrubber.max = String(meta.durationMs);
    scrubber.step = String(meta.bucketMs / 10);
    demand(true);
    for (const control of section.querySelectorAll<HTMLInputElement | HTMLButtonElement | HTMLSelectElement>('button, input, select')) control.disabled = false;
    dirty = true;
    if (wasPlaying) {
      playback.playing = true;
      setState('playing');
      status.textContent = `Playing seed ${seed} at ${speed.toLocaleString('en-US')} virtual ms per second.`;
    } else {
      setState('ready');
      status.textContent = `Ready: seed ${seed}, ${formatMs(meta.durationMs)} of virtual time. Press Play.`;
    }
    section.dataset.mounted = 'ready';
  };

  const demand = (force = false) => {
    if (!playback || !views) return;
    const want = playback.demandMs();
    if (force || (want > lastDemand && !views.store.done)) {
      // Ask in steps, not every frame: one message per few buckets is plenty.
      if (!force && want - lastDemand < views.store.meta.bucketMs * 4 && want < views.store.meta.durationMs) return;
      lastDemand = want;
      send({ type: 'demand', runId, untilMs: want });
    }
  };

  worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (message.runId !== runId) return;
    if (message.type === 'ready') onReady(message.meta);
    else if (message.type === 'batch') {
      views?.store.ingest(message);
      dirty = true;
    } else {
      setState('error');
      status.textContent = `The simulation stopped with an error: ${message.message}`;
    }
  });
  worker.addEventListener('error', (event) => {
    setState('error');
    status.textContent = `The simulator failed to load: ${event.message || 'unknown error'}. Reload the page to try again.`;
  });

  // Controls.
  play.addEventListener('click', () => {
    if (!playback) return;
    if (playback.playing) {
      playback.playing = false;
      setState('paused');
      status.textContent = `Paused at ${formatMs(playback.playheadMs)}.`;
      // While playing, the picture (and this attribute) lag the playhead by up to one
      // throttled redraw; where it paused is known now, and the next frame draws it.
      section.dataset.playheadMs = String(Math.round(playback.playheadMs));
    } else {
      if (playback.playheadMs >= playback.durationMs) playback.seek(0);
      playback.playing = true;
      setState('playing');
      status.textContent = `Playing at ${speed.toLocaleString('en-US')} virtual ms per second.`;
    }
    dirty = true;
  });
  step.addEventListener('click', () => {
    if (!playback || !views) return;
    playback.playing = false;
    setState('paused');
    pendingStep = true;
    doStep();
  });
  const doStep = () => {
    if (!playback || !views || !pendingStep) return;
    const store = views.store;
    const t = playback.playheadMs;
    const candidates: number[] = [];
    const row = store.lowerBound(t + 1e-6);
    if (row < store.count) candidates.push(store.sendMs(row));
    const lane = store.laneLowerBound(t + 1e-6);
    if (lane < store.lanes.length) candidates.push(store.lanes[lane]!.t);
    for (const r of store.inFlightAt(t, 200)) if (!Number.isNaN(store.endMs(r))) candidates.push(store.endMs(r));
    const next = nextEventTime(t, candidates);
    if (next === undefined || next > store.availableMs) {
      if (store.done) {
        pendingStep = false;
        status.textContent = 'Nothing more happens in this run.';
        return;
      }
      // The worker has not run that far yet; ask, and try again when the batch arrives.
      send({ type: 'demand', runId, untilMs: Math.min(store.meta.durationMs, store.availableMs + store.meta.bucketMs * 20) });
      return;
    }
    pendingStep = false;
    playback.seek(next);
    status.textContent = `Stepped to ${formatMs(next)}.`;
    dirty = true;
  };
  speedSelect.addEventListener('change', () => {
    speed = Number(speedSelect.value) || 1_000;
    if (playback) playback.speed = speed;
    demand();
  });
  restart.addEventListener('click', () => {
    const typed = parseSeed(seedInput.value);
    if (typed !== undefined) seed = typed;
    seedInput.value = String(seed);
    start();
  });
  newSeed.addEventListener('click', () => {
    seed = nextSeed(seed);
    seedInput.value = String(seed);
    start();
  });
  seedInput.addEventListener('change', () => {
    const typed = parseSeed(seedInput.value);
    if (typed === undefined) {
      status.textContent = 'A seed is a whole number from 0 to 4294967296.';
      return;
    }
    seed = typed;
    start();
  });
  paramsBox.addEventListener('input', (event) => paramControls.showValue(event.target));
  paramsBox.addEventListener('change', () => {
    // Keep playing after a change if the run was playing: the reader is exploring.
    section.dataset.autoplay = String(playback?.playing ?? false);
    start();
  });
  scrubber.addEventListener('input', () => {
    if (!playback) return;
    playback.playing = false;
    setState('paused');
    playback.seek(Number(scrubber.value));
    demand(true);
    dirty = true;
  });
  follow.addEventListener('click', () => views?.sequence.setFollow(follow.getAttribute('aria-pressed') !== 'true'));
  const seqButton = (name: string, action: (v: Views) => void) =>
    section.querySelector<HTMLButtonElement>(`[data-seq="${name}"]`)!.addEventListener('click', () => {
      if (views) action(views);
      dirty = true;
    });
  seqButton('zoom-in', (v) => v.sequence.zoom(0.5));
  seqButton('zoom-out', (v) => v.sequence.zoom(2));
  seqButton('earlier', (v) => v.sequence.pan(-0.5));
  seqButton('later', (v) => v.sequence.pan(0.5));
  seqButton('next-drop', (v) => {
    const row = v.store.nextDropped(v.sequence.follow ? 0 : v.sequence.window.startMs + (v.sequence.window.endMs - v.sequence.window.startMs) / 2 + 1e-6);
    if (row < 0) {
      status.textContent = v.store.done ? 'No message was dropped in this run.' : 'No dropped message yet in what has been simulated.';
      return;
    }
    v.sequence.reveal(row);
    status.textContent = `Showing a dropped message at ${formatMs(v.store.sendMs(row))}.`;
  });

  // Theme and size.
  onThemeChange(() => {
    palette = readPalette(section);
    if (!views) return;
    views.cluster.setPalette(palette);
    views.sequence.setPalette(palette);
    views.charts.rebuild(palette);
    dirty = true;
    redraws.chartsChanged();
  });
  let lastWidth = section.clientWidth;
  new ResizeObserver(() => {
    if (!views || section.clientWidth === lastWidth) return;
    lastWidth = section.clientWidth;
    views.cluster.relayout();
    views.sequence.resize();
    views.charts.resize();
    dirty = true;
  }).observe(section);

  // The frame loop.
  let lastFrame = performance.now();
  const frame = (now: number) => {
    const dt = now - lastFrame;
    lastFrame = now;
    if (views && playback) {
      const store = views.store;
      const tick = playback.tick(dt, store.availableMs);
      if (tick.moved) dirty = true;
      if (tick.finished) {
        setState('finished');
        const s = snapshot(store.meta, store.buckets, store.buckets.length - 1, playback.playheadMs);
        status.textContent = `Finished: ${s.ok.toLocaleString('en-US')} requests succeeded, p99 ${formatMs(s.p99Ms)}, availability ${formatPercent(s.availability)}.`;
      }
      if (playback.playing || tick.moved) demand();
      if (pendingStep) doStep();
      if (redraws.drawDue(now, dirty, playback.playing)) {
        dirty = false;
        draw(views, playback, now);
      }
    }
    requestAnimationFrame(frame);
  };

  const draw = (v: Views, pb: Playback, now: number) => {
    const t = pb.playheadMs;
    const idle = !pb.playing;
    v.cluster.draw(t);
    scrubber.value = String(t);
    if (redraws.timeTextDue(now, !idle)) {
      const timeText = `${formatMs(t)} of ${formatMs(pb.durationMs)}`;
      if (timeText !== timeOut.textContent) {
        scrubber.setAttribute('aria-valuetext', timeText);
        timeOut.textContent = timeText;
      }
    }
    const upTo = v.store.bucketIndexAt(t);
    if (idle) {
      // Paused or scrubbing: everything at once, so the picture is whole at once.
      redraws.drewEverything(now);
      v.sequence.update(t);
      v.charts.update(v.store, upTo);
      renderTables(v, upTo, t);
    } else {
      // Playing: at most one of the heavier redraws per frame, taking turns.
      const heavy = redraws.heavyRedraw(now, v.charts.pending);
      if (heavy === 'sequence') v.sequence.update(t);
      else if (heavy === 'next-chart') v.charts.drawNext();
      else if (heavy === 'charts') v.charts.update(v.store, upTo, false, true);
      else if (heavy === 'tables') renderTables(v, upTo, t);
    }
    // Read by the end-to-end tests and the benchmark; cheap to keep current.
    section.dataset.playheadMs = String(Math.round(t));
    section.dataset.availableMs = String(Math.round(v.store.availableMs));
    section.dataset.messages = String(v.store.count);
  };

  /**
   * The summary and per-node tables, updated in place: rows are built once per run (or
   * when the set of rows changes) and afterwards only cells whose text changed are written.
   */
  const summaryCells = new Map<string, HTMLTableCellElement>();
  let summaryKeys = '';
  let nodeCells: HTMLTableCellElement[][] = [];
  /** Each node's State cell (its note), when the scenario keeps notes. */
  let noteCells: HTMLTableCellElement[] = [];
  let nodeRowsFor: RunStore | undefined;
  const setText = (cell: HTMLElement | undefined, text: string) => {
    if (cell && cell.textContent !== text) cell.textContent = text;
  };
  /**
   * The State column, after Status, holds each node's note; only a scenario that keeps
   * notes has one, and a run of another scenario in the same place drops it again.
   */
  const setNoteColumn = (on: boolean) => {
    const present = nodeHead.querySelector<HTMLElement>('[data-note-column]');
    if (on === (present !== null)) return;
    if (!on) {
      present!.remove();
      return;
    }
    const th = el('th', { scope: 'col', textContent: 'State' });
    th.dataset.noteColumn = '';
    nodeHead.children[1]!.after(th);
  };
  const renderTables = (v: Views, upTo: number, t: number) => {
    const meta = v.store.meta;
    const s = snapshot(meta, v.store.buckets, upTo, t);
    const rows: [label: string, value: string, key: string][] = [
      ['Virtual time', formatMs(t), 'time'],
      ['Requests completed', formatCount(s.completed), 'completed'],
      ['p50 latency so far', formatMs(s.p50Ms), 'p50'],
      ['p99 latency so far', formatMs(s.p99Ms), 'p99'],
      ['Throughput, last second', `${s.throughputPerS.toFixed(0)} ok/s`, 'throughput'],
      ['Availability so far', formatPercent(s.availability), 'availability'],
      ...s.slo.map((o): [string, string, string] => [`SLO: ${o.label} ${o.target}`, o.pass === undefined ? 'not measured yet' : o.pass ? 'met' : 'missed', `slo-${o.label}`]),
    ];
    if (v.store.traceTruncated) rows.push(['Note', 'the trace reached its capacity; later messages are not drawn', 'note']);
    const keys = rows.map((r) => `${r[2]}=${r[0]}`).join('\n');
    if (keys !== summaryKeys) {
      summaryKeys = keys;
      summaryCells.clear();
      summaryBody.replaceChildren(
        ...rows.map(([label, , key]) => {
          const td = el('td', { className: 'num' });
          td.dataset.key = key;
          summaryCells.set(key, td);
          return el('tr', {}, el('th', { scope: 'row', textContent: label }), td);
        }),
      );
    }
    for (const [, value, key] of rows) setText(summaryCells.get(key), value);

    if (nodeRowsFor !== v.store) {
      nodeRowsFor = v.store;
      nodeCells = [];
      noteCells = [];
      setNoteColumn(meta.notes === true);
      nodeBody.replaceChildren(
        ...meta.nodes.map((name) => {
          const cells = [el('td'), ...Array.from({ length: 4 }, () => el('td', { className: 'num' }))];
          nodeCells.push(cells);
          const note = meta.notes ? [el('td', { className: 'note' })] : [];
          noteCells.push(...note);
          return el('tr', {}, el('th', { scope: 'row', textContent: name }), cells[0]!, ...note, ...cells.slice(1));
        }),
      );
    }
    const bucket = v.store.buckets[Math.max(0, upTo)];
    const down = v.store.nodesDownAt(t);
    const num = (x: number | undefined) => (x === undefined ? '–' : formatCount(x));
    meta.nodes.forEach((_, i) => {
      const n = bucket?.nodes[i];
      const cells = nodeCells[i]!;
      setText(cells[0], down.has(i) || n?.up === false ? 'down' : n?.paused ? 'paused' : 'up');
      setText(cells[1], num(n?.queueDepth));
      setText(cells[2], num(n?.inService));
      setText(cells[3], num(n?.served));
      setText(cells[4], num(n?.rejected));
      setText(noteCells[i], n?.note ?? '');
    });
    const p99 = formatMs(s.p99Ms);
    v.cluster.setLabel(
      `Cluster of ${meta.nodes.length} nodes in ${meta.groups.length} groups at ${formatMs(t)}: p99 latency so far ${p99}. The tables below list each node's load${meta.notes ? ' and state' : ''}.`,
    );
  };

  if (!SPEEDS.includes(speed as (typeof SPEEDS)[number])) speed = 1_000;
  start();
  requestAnimationFrame(frame);
}
