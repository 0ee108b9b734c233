/**
 * A live simulation on a lesson page. The server-rendered markup (Simulation.astro) holds
 * the controls and regions; this module starts the worker, wires the controls, and draws
 * the views once per animation frame from what has streamed in — only the part of the run
 * that is visible, so the page stays responsive however many events the run produces.
 * What it decides is done by pure functions elsewhere: stepping.ts (where the playhead
 * and the worker go next), sim-status.ts (what the status line says) and sim-tables.ts.
 */
import { nextSeed, parseSeed } from './controls.ts';
import { snapshot } from './metrics-data.ts';
import { ParamControls } from './param-controls.ts';
import { Playback, SPEEDS } from './playback.ts';
import type { FromWorker, RunMeta, ToWorker } from './protocol.ts';
import { RedrawScheduler } from './redraw-scheduler.ts';
import { formatMs } from './scales.ts';
import { bindSimulationParts } from './simulation-parts.ts';
import { finishedText, noDropText, playingText, readyText, timeText } from './sim-status.ts';
import { SimTables } from './sim-tables.ts';
import { createViews, destroyViews, repaintViews, resizeViews, type Views } from './sim-views.ts';
import { demandTarget, dropSearchFromMs, nextStep } from './stepping.ts';
import { onThemeChange, readPalette } from './theme.ts';

export async function mountSimulation(section: HTMLElement): Promise<void> {
  if (section.dataset.mounted) return;
  section.dataset.mounted = 'loading';
  const scenarioId = section.dataset.simulation!;
  const parts = bindSimulationParts(section, scenarioId);
  const paramControls = new ParamControls(parts.paramsBox, scenarioId, `simulation ${scenarioId}`);
  const { status, play, step, restart, newSeed, speedSelect, seedInput, scrubber, timeOut, viewsBox, paramsBox, follow, title, description } = parts;
  const tables = new SimTables(parts);

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
    destroyViews(views);
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
    views = createViews(section, parts, meta, palette);
    playback = new Playback(meta.durationMs, speed);
    scrubber.max = String(meta.durationMs);
    scrubber.step = String(meta.bucketMs / 10);
    demand(true);
    for (const control of section.querySelectorAll<HTMLInputElement | HTMLButtonElement | HTMLSelectElement>('button, input, select')) control.disabled = false;
    dirty = true;
    playback.playing = wasPlaying;
    setState(wasPlaying ? 'playing' : 'ready');
    status.textContent = readyText(seed, meta.durationMs, wasPlaying, speed);
    section.dataset.mounted = 'ready';
  };

  const demand = (force = false) => {
    if (!playback || !views) return;
    const { store } = views;
    const untilMs = demandTarget({ wantMs: playback.demandMs(), lastMs: lastDemand, force, done: store.done, bucketMs: store.meta.bucketMs, durationMs: store.meta.durationMs });
    if (untilMs === undefined) return;
    lastDemand = untilMs;
    send({ type: 'demand', runId, untilMs });
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
      status.textContent = playingText(speed);
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
  /** Steps once the worker has run far enough to know where the next thing happens. */
  const doStep = () => {
    if (!playback || !views || !pendingStep) return;
    const target = nextStep(views.store, playback.playheadMs);
    if (target.kind === 'wait') {
      // The worker has not run that far yet: ask, and the frame loop tries again while the step is pending.
      send({ type: 'demand', runId, untilMs: target.untilMs });
      return;
    }
    pendingStep = false;
    if (target.kind === 'end') {
      status.textContent = 'Nothing more happens in this run.';
      return;
    }
    playback.seek(target.atMs);
    status.textContent = `Stepped to ${formatMs(target.atMs)}.`;
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
  const seqButton = (button: HTMLButtonElement, action: (v: Views) => void) =>
    button.addEventListener('click', () => {
      if (views) action(views);
      dirty = true;
    });
  seqButton(parts.zoomIn, (v) => v.sequence.zoom(0.5));
  seqButton(parts.zoomOut, (v) => v.sequence.zoom(2));
  seqButton(parts.earlier, (v) => v.sequence.pan(-0.5));
  seqButton(parts.later, (v) => v.sequence.pan(0.5));
  seqButton(parts.nextDrop, (v) => {
    const row = v.store.nextDropped(dropSearchFromMs(v.sequence.follow, v.sequence.window));
    if (row < 0) {
      status.textContent = noDropText(v.store.done);
      return;
    }
    v.sequence.reveal(row);
    status.textContent = `Showing a dropped message at ${formatMs(v.store.sendMs(row))}.`;
  });

  // Theme and size.
  onThemeChange(() => {
    palette = readPalette(section);
    if (!views) return;
    repaintViews(views, palette);
    dirty = true;
    redraws.chartsChanged();
  });
  let lastWidth = section.clientWidth;
  new ResizeObserver(() => {
    if (!views || section.clientWidth === lastWidth) return;
    lastWidth = section.clientWidth;
    resizeViews(views);
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
        status.textContent = finishedText(snapshot(store.meta, store.buckets, store.buckets.length - 1, playback.playheadMs));
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
      const text = timeText(t, pb.durationMs);
      if (text !== timeOut.textContent) {
        scrubber.setAttribute('aria-valuetext', text);
        timeOut.textContent = text;
      }
    }
    const upTo = v.store.bucketIndexAt(t);
    if (idle) {
      // Paused or scrubbing: everything at once, so the picture is whole at once.
      redraws.drewEverything(now);
      v.sequence.update(t);
      v.charts.update(v.store, upTo);
      tables.render(v.store, v.cluster, upTo, t);
    } else {
      // Playing: at most one of the heavier redraws per frame, taking turns.
      const heavy = redraws.heavyRedraw(now, v.charts.pending);
      if (heavy === 'sequence') v.sequence.update(t);
      else if (heavy === 'next-chart') v.charts.drawNext();
      else if (heavy === 'charts') v.charts.update(v.store, upTo, false, true);
      else if (heavy === 'tables') tables.render(v.store, v.cluster, upTo, t);
    }
    // Read by the end-to-end tests and the benchmark; cheap to keep current.
    section.dataset.playheadMs = String(Math.round(t));
    section.dataset.availableMs = String(Math.round(v.store.availableMs));
    section.dataset.messages = String(v.store.count);
  };

  if (!SPEEDS.includes(speed as (typeof SPEEDS)[number])) speed = 1_000;
  start();
  requestAnimationFrame(frame);
}
