/**
 * The exercise panel: loads an exercise when the learner reaches it, puts its files in an
 * editor, saves as they type, runs the tests on a grading host and shows the results.
 * The server-rendered markup (src/components/Exercise.astro) already holds the buttons
 * and regions; this module brings them to life.
 */
import type { ExercisePayload } from '../../content/exercise-payload.ts';
import type { GradeEvent, GradeResult, TestResult } from '../../grader/types.ts';
import { browserProgress } from '../progress.ts';
import { browserCodeStore } from './code-store.ts';
import type { EditorMarker, ExerciseEditor } from './editor-api.ts';
import { createPlainEditor } from './plain-editor.ts';
import type { HostChoice, Submission } from '../hosts/host.ts';
import { el } from '../dom.ts';

const EDITOR_PREFERENCE_KEY = 'faultlines:editor';
/** Console lines shown at most; the rest are counted. The grader caps its own capture too. */
const MAX_CONSOLE_LINES = 500;
/** How long a finished run waits for the type checker before showing results without it. */
const DIAGNOSTICS_WAIT_MS = 1_500;

/** Resolves to the markers, or to none if the type checker fails or is slower than `ms`. */
function bounded(promise: Promise<EditorMarker[]>, ms: number): Promise<EditorMarker[]> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([]), ms);
    promise.then(
      (markers) => {
        clearTimeout(timer);
        resolve(markers);
      },
      () => {
        clearTimeout(timer);
        resolve([]);
      },
    );
  });
}

type Theme = 'light' | 'dark';

function currentTheme(): Theme {
  const set = document.documentElement.dataset.theme;
  if (set === 'light' || set === 'dark') return set;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function preferredEditor(): 'monaco' | 'plain' {
  try {
    const saved = localStorage.getItem(EDITOR_PREFERENCE_KEY);
    if (saved === 'plain' || saved === 'monaco') return saved;
  } catch {
    // Fall through to the default.
  }
  return 'monaco';
}

let hostChoice: Promise<HostChoice> | undefined;
/** One grading host per page, chosen (and the WebContainer booted) in the background. */
export function pageHost(): Promise<HostChoice> {
  hostChoice ??= import('../hosts/select-host.ts').then((m) => m.chooseHost());
  return hostChoice;
}

export async function mountExercise(section: HTMLElement): Promise<void> {
  if (section.dataset.mounted) return;
  section.dataset.mounted = 'loading';
  const id = section.dataset.exercise!;
  const q = <T extends HTMLElement>(selector: string) => section.querySelector<T>(selector)!;
  const status = q<HTMLElement>('[data-status]');
  const editorHost = q<HTMLElement>('[data-editor]');
  const tabs = q<HTMLElement>('[data-tabs]');
  const results = q<HTMLElement>('[data-results]');
  const consoleOut = q<HTMLElement>('[data-console]');
  const hintsList = q<HTMLOListElement>('[data-hints]');
  const button = (action: string) => q<HTMLButtonElement>(`[data-action="${action}"]`);

  status.textContent = 'Loading the exercise…';
  // Start choosing a host (and booting the WebContainer) while the editor loads.
  void pageHost();

  let payload: ExercisePayload;
  try {
    const response = await fetch(`/exercises/${id}.json`);
    if (!response.ok) throw new Error(`the server answered ${response.status} for /exercises/${id}.json`);
    payload = (await response.json()) as ExercisePayload;
  } catch (error) {
    status.textContent = `This exercise could not be loaded: ${(error as Error).message}. Reload the page to try again.`;
    section.dataset.mounted = 'failed';
    return;
  }

  const store = browserCodeStore();
  const progress = browserProgress();
  const saved = store.load(id);
  let helped = Boolean(saved?.helped);
  const editable = payload.files.filter((f) => f.role === 'editable').map((f) => f.path);
  // The tests and read-only files never change: the host can prepare them before Run.
  const fixed = Object.fromEntries(payload.files.filter((f) => f.role !== 'editable').map((f) => [f.path, f.starter]));
  void pageHost().then((choice) => choice.host.preload?.(fixed));
  const visible = payload.files.filter((f) => f.role !== 'hidden');
  const initial = visible.map((f) => ({
    path: f.path,
    text: f.role === 'editable' && saved?.files[f.path] !== undefined ? saved.files[f.path]! : f.starter,
    readOnly: f.role !== 'editable',
  }));

  let editor: ExerciseEditor;
  let editorNote = '';
  editorHost.replaceChildren();
  if (preferredEditor() === 'monaco') {
    try {
      const { createMonacoEditor } = await import('./monaco-editor.ts');
      editor = createMonacoEditor(editorHost, id, initial, currentTheme());
    } catch (error) {
      editor = createPlainEditor(editorHost, initial);
      editorNote = `The full editor could not load (${(error as Error).message}); this is a plain text editor.`;
    }
  } else {
    editor = createPlainEditor(editorHost, initial);
  }
  section.dataset.editor = editor.kind;
  const switchEditor = button('switch-editor');
  switchEditor.textContent = editor.kind === 'monaco' ? 'Use plain text editor' : 'Use full editor';
  switchEditor.addEventListener('click', () => {
    try {
      localStorage.setItem(EDITOR_PREFERENCE_KEY, editor.kind === 'monaco' ? 'plain' : 'monaco');
    } catch {
      // Without storage the choice cannot outlive the reload.
    }
    saveNow();
    location.reload();
  });

  // Tabs: one per visible file, arrow keys move between them (WAI-ARIA tabs pattern).
  let activePath = initial[0]!.path;
  const tabButtons = initial.map((f) =>
    el('button', {
      type: 'button',
      role: 'tab',
      id: `${id}-tab-${f.path}`,
      textContent: f.readOnly ? `${f.path} (read-only)` : f.path,
      tabIndex: f.path === activePath ? 0 : -1,
    }),
  );
  tabButtons.forEach((b, i) => {
    b.setAttribute('aria-selected', String(i === 0));
    b.setAttribute('aria-controls', `${id}-editor`);
    b.addEventListener('click', () => selectTab(initial[i]!.path));
    b.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      event.preventDefault();
      const next = (i + step + tabButtons.length) % tabButtons.length;
      selectTab(initial[next]!.path);
      tabButtons[next]!.focus();
    });
  });
  tabs.replaceChildren(...tabButtons);
  editorHost.id = `${id}-editor`;
  editorHost.setAttribute('role', 'tabpanel');

  function selectTab(path: string, line?: number, column?: number): void {
    activePath = path;
    tabButtons.forEach((b, i) => {
      const selected = initial[i]!.path === path;
      b.setAttribute('aria-selected', String(selected));
      b.tabIndex = selected ? 0 : -1;
    });
    editorHost.setAttribute('aria-labelledby', `${id}-tab-${path}`);
    editor.show(path, line, column);
  }
  selectTab(activePath);

  // Autosave: every change is saved shortly after typing stops, and at once when the page hides.
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const storageNote = q<HTMLElement>('[data-storage]');
  function saveNow(): void {
    clearTimeout(saveTimer);
    const files: Record<string, string> = {};
    for (const path of editable) files[path] = editor.getValue(path);
    const ok = store.save(id, files, Date.now(), helped);
    storageNote.hidden = ok;
    if (!ok) {
      storageNote.textContent = `Your code cannot be saved in this browser (${store.error}). It is kept while this tab is open; use Export progress on the course map to keep a copy.`;
    }
  }
  editor.onChange((path) => {
    if (!editable.includes(path)) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveNow, 300);
  });
  addEventListener('pagehide', saveNow);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && saveNow());

  // The WebContainer host's process output, in a terminal the learner can open.
  let terminal: Promise<{ write(text: string): void; setTheme(theme: Theme): void }> | undefined;
  const terminalPanel = q<HTMLDetailsElement>('[data-terminal-panel]');
  document.addEventListener('faultlines:terminal', (event) => {
    const { exerciseId, text } = (event as CustomEvent<{ exerciseId: string; text: string }>).detail;
    if (exerciseId !== id) return;
    terminalPanel.hidden = false;
    terminal ??= import('./terminal.ts').then((m) => m.createTerminal(q<HTMLElement>('[data-terminal]'), currentTheme()));
    void terminal.then((t) => t.write(text));
  });

  const syncTheme = () => {
    editor.setTheme(currentTheme());
    void terminal?.then((t) => t.setTheme(currentTheme()));
  };
  document.addEventListener('faultlines:theme', syncTheme);
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', syncTheme);

  // Hints, one at a time.
  let hintsShown = 0;
  const hintButton = button('hint');
  const updateHintButton = () => {
    hintButton.textContent =
      hintsShown < payload.hints.length ? `Show hint ${hintsShown + 1} of ${payload.hints.length}` : 'All hints shown';
    hintButton.disabled = hintsShown >= payload.hints.length;
  };
  hintButton.addEventListener('click', () => {
    if (hintsShown >= payload.hints.length) return;
    const item = el('li', { tabIndex: -1 }, payload.hints[hintsShown]!);
    hintsList.append(item);
    hintsShown++;
    updateHintButton();
    item.focus();
  });
  updateHintButton();

  let solution: Record<string, string> | undefined;
  async function loadSolution(): Promise<Record<string, string> | undefined> {
    if (solution) return solution;
    try {
      const response = await fetch(`/exercises/${id}/solution.json`);
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      solution = (await response.json()) as Record<string, string>;
      return solution;
    } catch (error) {
      status.textContent = `The reference solution could not be loaded: ${(error as Error).message}.`;
      return undefined;
    }
  }

  button('reset').addEventListener('click', () => {
    if (!confirm('Reset every file of this exercise to its starting point? Your changes will be lost.')) return;
    for (const f of payload.files) if (f.role === 'editable') editor.setValue(f.path, f.starter);
    saveNow();
    status.textContent = 'The exercise is back to its starting point.';
  });

  button('solution').addEventListener('click', async () => {
    if (!confirm('Replace your code with the reference solution? The exercise will count as solved with help.')) return;
    const reference = await loadSolution();
    if (!reference) return;
    helped = true;
    for (const [path, text] of Object.entries(reference)) editor.setValue(path, text);
    saveNow();
    status.textContent = 'Your editor now holds the reference solution. Read it, then run the tests.';
  });

  const compare = button('compare');
  let comparing = false;
  const comparison = q<HTMLElement>('[data-comparison]');
  compare.addEventListener('click', async () => {
    if (comparing) {
      comparing = false;
      compare.textContent = 'Compare with solution';
      compare.setAttribute('aria-pressed', 'false');
      editor.showDiff(undefined);
      comparison.hidden = true;
      return;
    }
    if (!helped && !confirm('Compare your code with the reference solution? The exercise will count as solved with help.')) return;
    const reference = await loadSolution();
    if (!reference) return;
    helped = true;
    saveNow();
    const path = editable.includes(activePath) ? activePath : editable[0]!;
    comparing = true;
    compare.textContent = 'Close comparison';
    compare.setAttribute('aria-pressed', 'true');
    const layout = editor.showDiff(path, reference[path]);
    if (!layout) {
      comparison.hidden = false;
      comparison.replaceChildren(
        el('h4', { textContent: `Reference solution: ${path}` }),
        el('pre', { textContent: reference[path] ?? '' }),
      );
    }
    status.textContent =
      layout === 'side-by-side'
        ? `Comparing your ${path} (left) with the reference (right). Close the comparison to keep editing.`
        : layout === 'inline'
          ? `Comparing your ${path} with the reference in one column (the panel is too narrow for two): lines only in your code are marked −, lines only in the reference +. Close the comparison to keep editing.`
          : `The reference ${path} is shown below the editor. Close the comparison to keep editing.`;
  });

  // Running the tests.
  const run = button('run');
  /** The submission whose result is on screen, for "Show trace". */
  let shownSubmission: Submission | undefined;
  let running = false;
  async function runTests(): Promise<void> {
    if (running) return;
    running = true;
    run.disabled = true;
    run.setAttribute('aria-busy', 'true');
    saveNow();
    results.replaceChildren();
    consoleOut.replaceChildren();
    delete status.dataset.outcome;
    try {
      // Type checking runs beside the tests, not before them: the TypeScript worker can take
      // seconds to start on a cold page, and the grader reports syntax errors itself, with
      // file, line and a code frame.
      const diagnostics = bounded(editor.diagnostics(editable), DIAGNOSTICS_WAIT_MS);
      status.textContent = 'Starting the test runner…';
      const choice = await pageHost();
      const files: Record<string, string> = {};
      for (const f of payload.files) files[f.path] = f.role === 'editable' ? editor.getValue(f.path) : f.starter;
      const submission: Submission = {
        exerciseId: id,
        files,
        testFiles: payload.testFiles,
        seed: payload.seed,
        testTimeoutMs: payload.testTimeoutMs,
        runTimeoutMs: payload.runTimeoutMs,
      };
      let started = 0;
      const live = el('ol', { className: 'live-tests' });
      results.append(live);
      const logs: string[] = [];
      const onEvent = (event: GradeEvent) => {
        if (event.type === 'test-start') {
          started++;
          status.textContent = `Running test ${started}: ${event.name}`;
        } else if (event.type === 'log' && logs.length < MAX_CONSOLE_LINES) {
          logs.push(event.line.text);
        }
      };
      const result = await choice.host.grade(submission, onEvent);
      live.remove();
      shownSubmission = submission;
      renderResult(result, choice.explanation);
      // Timings for the bench and for anyone curious: wall time at the host, and the tests' own.
      section.dataset.hostMs = String(Math.round(result.hostDurationMs ?? result.durationMs));
      section.dataset.testsMs = String(Math.round(result.testsDurationMs));
      if (result.ok) {
        progress.setExercise(id, helped ? 'passed-with-help' : 'passed', Date.now());
        section.dataset.passed = helped ? 'passed-with-help' : 'passed';
      }
      const markers = await diagnostics;
      if (markers.length > 0) results.prepend(renderDiagnostics(markers));
      // Markers for failures that point into the learner's files.
      const failureMarkers: EditorMarker[] = [];
      for (const t of result.tests) {
        if (t.status === 'fail' && t.location && editable.includes(t.location.file)) {
          failureMarkers.push({ ...t.location, path: t.location.file, message: t.message ?? 'failed here', severity: 'error' });
        }
      }
      for (const e of result.errors) {
        if (e.location && editable.includes(e.location.file)) {
          failureMarkers.push({ ...e.location, path: e.location.file, message: e.message, severity: 'error' });
        }
      }
      for (const path of editable) {
        editor.setMarkers(path, [...markers.filter((m) => m.path === path), ...failureMarkers.filter((m) => m.path === path)]);
      }
    } catch (error) {
      status.textContent = `The tests could not run: ${(error as Error).message}`;
    } finally {
      running = false;
      run.disabled = false;
      run.removeAttribute('aria-busy');
    }
  }
  run.addEventListener('click', () => void runTests());
  editor.onRunShortcut(() => void runTests());
  section.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void runTests();
    }
  });

  function locationLink(file: string, line: number, column: number): HTMLElement {
    const text = `${file}:${line}:${column}`;
    if (!initial.some((f) => f.path === file)) return el('code', { textContent: text });
    const link = el('button', { type: 'button', className: 'link-button', textContent: text });
    link.addEventListener('click', () => selectTab(file, line, column));
    return link;
  }

  function renderDiagnostics(markers: readonly EditorMarker[]): HTMLElement {
    return el(
      'section',
      { className: 'diagnostics' },
      el('h4', { textContent: 'The type checker found problems' }),
      el('ul', {}, ...markers.map((m) => el('li', {}, locationLink(m.path, m.line, m.column), ` ${m.message}`))),
    );
  }

  function renderTest(t: TestResult): HTMLElement {
    const icon = t.status === 'pass' ? '✓' : t.status === 'fail' ? '✗' : '–';
    const label = t.status === 'pass' ? 'passed' : t.status === 'fail' ? 'failed' : 'skipped';
    const item = el(
      'li',
      { className: `test ${t.status}` },
      el('span', { className: 'icon', ariaHidden: 'true', textContent: icon }),
      el('span', { className: 'visually-hidden', textContent: `${label}: ` }),
      el('span', { className: 'name', textContent: t.name }),
      el('span', { className: 'duration', textContent: ` ${t.durationMs < 1 ? '<1' : Math.round(t.durationMs)} ms` }),
    );
    if (t.status === 'fail') {
      const detail = el('div', { className: 'failure' });
      if (t.message) detail.append(el('pre', { className: 'message', textContent: t.message }));
      if (t.diff) detail.append(el('pre', { className: 'diff', textContent: t.diff }));
      for (const other of t.otherMessages ?? []) detail.append(el('pre', { className: 'message', textContent: other }));
      if (t.location) detail.append(el('p', {}, 'At ', locationLink(t.location.file, t.location.line, t.location.column)));
      const traceButton = el('button', { type: 'button', className: 'button show-trace', textContent: 'Show trace' });
      traceButton.setAttribute('aria-expanded', 'false');
      traceButton.dataset.action = 'trace';
      const traceHost = el('div', { className: 'trace-host' });
      traceButton.addEventListener('click', () => void showTrace(t, traceButton, traceHost));
      detail.append(el('p', {}, traceButton), traceHost);
      item.append(detail);
    }
    return item;
  }

  /** Runs the test again with its simulations traced, and draws their messages under it. */
  const hideTrace = new WeakMap<HTMLElement, () => void>();
  async function showTrace(t: TestResult, trigger: HTMLButtonElement, into: HTMLElement): Promise<void> {
    const hide = hideTrace.get(into);
    if (hide) {
      hide();
      hideTrace.delete(into);
      trigger.textContent = 'Show trace';
      trigger.setAttribute('aria-expanded', 'false');
      return;
    }
    const submission = shownSubmission;
    if (!submission) return;
    trigger.disabled = true;
    trigger.setAttribute('aria-busy', 'true');
    const note = el('p', { className: 'trace-status', textContent: `Running "${t.name}" again with its simulations traced…` });
    note.setAttribute('role', 'status');
    into.replaceChildren(note);
    try {
      const choice = await pageHost();
      if (!choice.host.trace) throw new Error('this page cannot trace a run');
      const [outcome, view] = await Promise.all([choice.host.trace(submission, t.id), import('../visual/test-trace.ts')]);
      hideTrace.set(into, view.mountTestTrace(into, outcome, t));
      trigger.textContent = 'Hide trace';
      trigger.setAttribute('aria-expanded', 'true');
    } catch (error) {
      note.textContent = `The trace could not be made: ${(error as Error).message}`;
    } finally {
      trigger.disabled = false;
      trigger.removeAttribute('aria-busy');
    }
  }

  function renderResult(result: GradeResult, explanation: string): void {
    const { passed, total } = result.summary;
    const syntax = result.errors.find((e) => e.kind === 'syntax');
    const headline = result.ok
      ? `All ${total} tests passed.`
      : result.errors.some((e) => e.kind === 'deadline')
        ? 'Stopped: the code did not finish in time.'
        : syntax
          ? `Not run: a syntax error in ${syntax.location?.file ?? syntax.file ?? 'a file'}${syntax.location ? ` at line ${syntax.location.line}` : ''}.`
          : `${passed} of ${total} tests passed.`;
    // The status line is the one live region: it announces the headline, and is styled as the score.
    status.textContent = headline;
    status.dataset.outcome = result.ok ? 'pass' : 'fail';
    const children: Node[] = [];
    for (const e of result.errors) {
      const box = el('div', { className: `run-error ${e.kind}` }, el('p', { textContent: e.message }));
      if (e.location) box.append(el('p', {}, 'At ', locationLink(e.location.file, e.location.line, e.location.column)));
      if (e.codeFrame) box.append(el('pre', { textContent: e.codeFrame }));
      if (e.test) box.append(el('p', { textContent: `While running: ${e.test}` }));
      children.push(box);
    }
    children.push(el('ol', { className: 'tests' }, ...result.tests.map(renderTest)));
    const timing = result.hostDurationMs ?? result.durationMs;
    children.push(
      el('p', {
        className: 'host',
        textContent: `${explanation} Seed ${result.seed ?? payload.seed}; ${Math.round(timing)} ms in all.`,
      }),
    );
    results.replaceChildren(...children);
    const lines = result.logs.slice(0, MAX_CONSOLE_LINES).map((l) => (l.stream === 'stderr' ? `! ${l.text}` : l.text));
    const dropped = result.droppedLogLines + Math.max(0, result.logs.length - MAX_CONSOLE_LINES);
    if (dropped > 0) lines.push(`… ${dropped} more line${dropped > 1 ? 's' : ''} not shown`);
    consoleOut.textContent = lines.length ? lines.join('\n') : '(no console output)';
  }

  for (const action of ['run', 'hint', 'reset', 'solution', 'compare', 'switch-editor']) button(action).disabled = false;
  updateHintButton();
  status.textContent = [
    saved ? 'Your saved code is back in the editor.' : 'The exercise is ready.',
    editorNote,
    'Run the tests with the button or Ctrl+Enter (⌘+Enter on a Mac).',
  ]
    .filter(Boolean)
    .join(' ');
  section.dataset.mounted = 'ready';
}
