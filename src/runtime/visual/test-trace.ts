/**
 * "Show trace" for a test in an exercise's results: the message sequence diagram of every
 * simulation the test created, from a traced re-run of that one test (see
 * src/grader/trace-capture.ts). Loaded only when a learner asks for a trace.
 *
 * The diagram is the lessons' own (SequenceView) over a store filled in one go, with a
 * scrubber to move through simulated time. A table per run says in words what the
 * picture shows: per node, messages sent, delivered to it, lost on the way, and the
 * crashes, timeouts and errors on its lane.
 */
import type { TestResult, TracedRun } from '../../grader/types.ts';
import type { TracedOutcome } from '../hosts/host.ts';
import { OUTCOMES, type RunMeta } from './protocol.ts';
import { formatMs } from './scales.ts';
import { SequenceView } from './sequence-view.ts';
import { RunStore } from './store.ts';
import { onThemeChange, readPalette } from './theme.ts';
import './test-trace.css';
import { el } from '../dom.ts';

let counter = 0;

const DELIVERED = OUTCOMES.indexOf('delivered');

/** Per-node counts for the text alternative. */
export function summariseRun(run: TracedRun): { node: string; sent: number; received: number; lost: number; marks: string }[] {
  const rows = run.nodes.map((node) => ({ node, sent: 0, received: 0, lost: 0, marks: new Map<string, number>() }));
  const m = run.batch.messages;
  const rowById = new Map<number, number>();
  for (let i = 0; i < m.id.length; i++) {
    rowById.set(m.id[i]!, i);
    rows[m.from[i]!]!.sent++;
  }
  const e = run.batch.ends;
  const ended = new Set<number>();
  for (let i = 0; i < e.id.length; i++) {
    const row = rowById.get(e.id[i]!);
    if (row === undefined || ended.has(row)) continue;
    ended.add(row);
    if (e.outcome[i] === DELIVERED) rows[m.to[row]!]!.received++;
    else rows[m.to[row]!]!.lost++;
  }
  for (const lane of run.batch.lanes) {
    if (lane.type === 'timer-set' || lane.type === 'timer-fire') continue;
    const marks = rows[lane.node]!.marks;
    marks.set(lane.type, (marks.get(lane.type) ?? 0) + 1);
  }
  return rows.map((r) => ({
    node: r.node,
    sent: r.sent,
    received: r.received,
    lost: r.lost,
    marks: [...r.marks].map(([type, n]) => `${n} ${type}${n > 1 ? 's' : ''}`).join(', ') || '—',
  }));
}

/** The meta a run's store needs: one group of lanes, in the order the nodes were added. */
export function metaFor(run: TracedRun, test: TestResult): RunMeta {
  return {
    scenarioId: 'test-trace',
    title: test.name,
    description: `Simulation ${run.index} of the test "${test.name}"`,
    params: [],
    seed: typeof run.seed === 'number' ? run.seed : 0,
    nodes: run.nodes,
    groups: [{ name: 'nodes', nodes: run.nodes.map((_, i) => i) }],
    durationMs: Math.max(1, run.durationMs),
    bucketMs: 1_000,
    slo: {},
    // Show trace records every run it draws.
    traced: true,
  };
}

function describeRun(run: TracedRun): string {
  const messages = run.batch.messages.id.length;
  return (
    `Simulation ${run.index}: ${run.nodes.length} nodes, ${messages.toLocaleString('en-US')} messages over ` +
    `${formatMs(run.durationMs)} of simulated time (seed ${run.seed})` +
    (run.truncated ? `; only its first ${run.events.toLocaleString('en-US')} events were kept` : '')
  );
}

/**
 * Shows the traced re-run of `test` inside `host` (replacing what was there) and returns a
 * function that removes it.
 */
export function mountTestTrace(host: HTMLElement, outcome: TracedOutcome, test: TestResult): () => void {
  const id = `trace-${++counter}`;
  const rerun = outcome.result.tests.find((t) => t.id === test.id);
  const verdict =
    rerun === undefined || outcome.result.errors.length > 0
      ? `The traced run did not finish normally: ${outcome.result.errors[0]?.message ?? 'the test did not run'}`
      : rerun.status === 'fail'
        ? 'In the traced run the test failed again, the same way.'
        : `In the traced run the test ${rerun.status === 'pass' ? 'passed' : 'was skipped'}: it ran alone this time, so it may depend on the tests before it.`;
  const box = el('section', { className: 'test-trace', ariaLabel: `Trace of ${test.name}` });
  box.append(el('p', { className: 'trace-verdict', textContent: verdict }));
  if (outcome.runs.length === 0) {
    box.append(el('p', { textContent: 'This test created no simulation, so there is no message diagram to show.' }));
    host.replaceChildren(box);
    return () => box.remove();
  }

  let current: { view: SequenceView; stopTheme: () => void; observer: ResizeObserver } | undefined;
  const figure = el('figure', { className: 'trace-figure' });
  const caption = el('figcaption', { id: `${id}-caption` });
  const plot = el('div', { className: 'seq-plot', tabIndex: 0 });
  plot.setAttribute('role', 'group');
  plot.setAttribute('aria-labelledby', `${id}-caption`);
  plot.setAttribute('aria-describedby', `${id}-keys`);
  const keys = el('p', {
    className: 'hint',
    id: `${id}-keys`,
    textContent: 'Drag across the diagram to zoom; with it focused, + and − zoom and ← and → move. The slider moves through simulated time.',
  });
  const details = el('p', { className: 'seq-details', textContent: 'Point at an arrow, or pick a message from the list, to see its details.' });
  details.setAttribute('aria-live', 'polite');
  const note = el('p', { className: 'hint' });
  const list = el('ol', { className: 'seq-list' });
  list.setAttribute('aria-label', 'Messages in view');
  const listBox = el('details', { className: 'seq-list-box' }, el('summary', { textContent: 'Messages in view' }), note, list);
  const scrubLabel = el('label', { htmlFor: `${id}-time`, textContent: 'Simulated time ' });
  const scrub = el('input', { type: 'range', id: `${id}-time`, min: '0', step: 'any' });
  const scrubValue = el('output');
  scrubValue.setAttribute('for', `${id}-time`);
  const table = el('table', { className: 'trace-table' });
  figure.append(caption, el('div', { className: 'trace-scrub' }, scrubLabel, scrub, scrubValue), plot, keys, details, listBox, table);

  const show = (run: TracedRun): void => {
    current?.view.destroy();
    current?.stopTheme();
    current?.observer.disconnect();
    caption.textContent = describeRun(run);
    const store = new RunStore(metaFor(run, test));
    store.ingest({ untilMs: run.durationMs, ...run.batch, buckets: [], traceTruncated: run.truncated, done: true });
    const view = new SequenceView({ plot, details, list, listNote: note }, store, readPalette(box));
    scrub.max = String(Math.ceil(store.meta.durationMs));
    const at = (t: number) => {
      scrubValue.textContent = formatMs(t);
      view.setFollow(true);
      view.update(t);
    };
    scrub.oninput = () => at(Number(scrub.value));
    // Start at the beginning of the run, one window wide.
    const first = Math.min(store.meta.durationMs, Math.max(1, store.meta.durationMs / 10));
    scrub.value = String(first);
    at(first);
    const stopTheme = onThemeChange(() => view.setPalette(readPalette(box)));
    const observer = new ResizeObserver(() => view.resize());
    observer.observe(plot);
    current = { view, stopTheme, observer };
    const rows = summariseRun(run);
    table.replaceChildren(
      el('caption', { textContent: `What simulation ${run.index} did, node by node` }),
      el(
        'thead',
        {},
        el('tr', {}, ...['Node', 'Sent', 'Delivered to it', 'Lost on the way to it', 'Marks on its lane'].map((h) => el('th', { scope: 'col', textContent: h }))),
      ),
      el(
        'tbody',
        {},
        ...rows.map((r) =>
          el(
            'tr',
            {},
            el('th', { scope: 'row', textContent: r.node }),
            el('td', { textContent: String(r.sent) }),
            el('td', { textContent: String(r.received) }),
            el('td', { textContent: String(r.lost) }),
            el('td', { textContent: r.marks }),
          ),
        ),
      ),
    );
  };

  // A test that ran more simulations than were kept usually failed on its last one (it stops
  // at the first seed that fails, or runs its worst seed again last): show that one first.
  const first = outcome.simulations > outcome.runs.length ? outcome.runs.length - 1 : 0;
  if (outcome.runs.length > 1) {
    const select = el('select', { id: `${id}-run` });
    outcome.runs.forEach((run, i) => select.append(el('option', { value: String(i), textContent: describeRun(run) })));
    select.value = String(first);
    select.onchange = () => show(outcome.runs[Number(select.value)]!);
    const created =
      outcome.simulations > outcome.runs.length
        ? `This test created ${outcome.simulations} simulations; the last ${outcome.runs.length} were traced. Show `
        : `This test created ${outcome.runs.length} simulations. Show `;
    box.append(el('p', {}, el('label', { htmlFor: `${id}-run`, textContent: created }), select));
  }
  box.append(figure);
  host.replaceChildren(box);
  show(outcome.runs[first]!);
  return () => {
    current?.view.destroy();
    current?.stopTheme();
    current?.observer.disconnect();
    box.remove();
  };
}
