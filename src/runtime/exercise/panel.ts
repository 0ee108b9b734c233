/**
 * The exercise panel: loads an exercise when the learner reaches it, puts its files in an
 * editor, saves as they type, runs the tests on a grading host and shows the results.
 * The server-rendered markup (src/components/Exercise.astro) already holds the buttons
 * and regions; this module brings them to life.
 */
import type { ExercisePayload } from '../../content/exercise-payload.ts';
import type { GradeEvent, GradeResult, TestResult } from '../../grader/types.ts';
import { browserProgress, exerciseLabel } from '../progress.ts';
import { browserCodeStore } from './code-store.ts';
import type { EditorMarker, ExerciseEditor } from './editor-api.ts';
import { createPlainEditor } from './plain-editor.ts';
import type { HostChoice, HostNote, Submission } from '../hosts/host.ts';
import { el } from '../dom.ts';
import { browserPanelState, storableResult, type StoredRun } from './last-run.ts';
import { consoleText, displayedMessage, failureMarkers, offersTrace, resultHeadline, typeCheckNote, type TypeCheck } from './result-text.ts';
import { PANEL_ACTIONS, bindPanelParts } from './panel-parts.ts';
import { chooseComponents, compareWithReference, gradeFiles, summarise, type ChosenSummary } from './components.ts';
import { renderBuiltOn } from './built-on-view.ts';

const EDITOR_PREFERENCE_KEY = 'faultlines:editor';
/** Console lines shown at most; the rest are counted. The grader caps its own capture too. */
const MAX_CONSOLE_LINES = 500;
/**
 * How long a finished run waits for the type checker before showing its results; a type
 * check that takes longer is added to the results when it arrives.
 */
const DIAGNOSTICS_WAIT_MS = 1_500;
/** How long the type checker may take at all before the panel says it gave up on it. */
const DIAGNOSTICS_GIVE_UP_MS = 30_000;

/** Settles with the type checker's answer, or with `pending` if it has not answered within `ms`. */
function within(promise: Promise<TypeCheck>, ms: number): Promise<TypeCheck> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ state: 'pending' }), ms);
    void promise.then((check) => {
      clearTimeout(timer);
      resolve(check);
    });
  });
}

/** The type check of the given files, never rejecting, bounded by {@link DIAGNOSTICS_GIVE_UP_MS}. */
function typeCheck(editor: ExerciseEditor, paths: readonly string[]): Promise<TypeCheck> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ state: 'failed', reason: `it did not answer within ${DIAGNOSTICS_GIVE_UP_MS / 1000} s` }), DIAGNOSTICS_GIVE_UP_MS);
    editor.diagnostics(paths).then(
      (markers) => {
        clearTimeout(timer);
        resolve({ state: 'done', markers });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ state: 'failed', reason: (error as Error).message ?? String(error) });
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
  const { status, editorHost, tabs, results, consoleOut, hintsList, storageNote, badge, comparison, terminalPanel, terminal: terminalHost, buttons } = bindPanelParts(section, id);

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
  const panelStore = browserPanelState();
  let panelState = panelStore.load(id);
  const saved = store.load(id);
  let helped = Boolean(saved?.helped);
  const editable = payload.files.filter((f) => f.role === 'editable').map((f) => f.path);
  /** What the learner wrote: may not import vitest (see GradeRequest.learnerFiles). */
  const learnerFiles = [...editable, ...payload.components.map((c) => c.path)];
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
      // The earlier exercises' files, so that imports of a component type-check.
      const context = Object.entries(gradeFiles(payload, {}, chooseComponents(payload, progress.data))).map(([path, text]) => ({ path, text }));
      editor = createMonacoEditor(editorHost, id, initial, currentTheme(), context);
    } catch (error) {
      editor = createPlainEditor(editorHost, initial);
      editorNote = `The full editor could not load (${(error as Error).message}); this is a plain text editor.`;
    }
  } else {
    editor = createPlainEditor(editorHost, initial);
  }
  section.dataset.editor = editor.kind;
  const switchEditor = buttons['switch-editor'];
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
  document.addEventListener('faultlines:terminal', (event) => {
    const { exerciseId, text } = (event as CustomEvent<{ exerciseId: string; text: string }>).detail;
    if (exerciseId !== id) return;
    terminalPanel.hidden = false;
    terminal ??= import('./terminal.ts').then((m) => m.createTerminal(terminalHost, currentTheme()));
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
  const hintButton = buttons.hint;
  const updateHintButton = () => {
    hintButton.textContent =
      hintsShown < payload.hints.length ? `Show hint ${hintsShown + 1} of ${payload.hints.length}` : 'All hints shown';
    hintButton.disabled = hintsShown >= payload.hints.length;
  };
  const showHint = (): HTMLElement => {
    const item = el('li', { tabIndex: -1 }, payload.hints[hintsShown]!);
    hintsList.append(item);
    hintsShown++;
    return item;
  };
  hintButton.addEventListener('click', () => {
    if (hintsShown >= payload.hints.length) return;
    const item = showHint();
    panelState = { ...panelState, hintsShown };
    panelStore.save(id, panelState);
    updateHintButton();
    item.focus();
  });
  // Hints opened before a reload are open again.
  while (hintsShown < Math.min(panelState.hintsShown, payload.hints.length)) showHint();
  updateHintButton();

  // Whether the exercise counts as solved, as the course map shows it.
  const renderBadge = () => {
    const state = progress.exercise(id);
    badge.hidden = !state;
    badge.dataset.state = state ?? '';
    // The course map's words: "passed", "passed with help".
    const label = state ? exerciseLabel(state) : '';
    badge.textContent = label.charAt(0).toUpperCase() + label.slice(1);
  };
  renderBadge();
  // A pass in another tab (or an import) shows here too.
  progress.subscribe(renderBadge);

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

  buttons.reset.addEventListener('click', () => {
    if (!confirm('Reset every file of this exercise to its starting point? Your changes will be lost.')) return;
    for (const f of payload.files) if (f.role === 'editable') editor.setValue(f.path, f.starter);
    saveNow();
    status.textContent = 'The exercise is back to its starting point.';
  });

  buttons.solution.addEventListener('click', async () => {
    if (!confirm('Replace your code with the reference solution? The exercise will count as solved with help.')) return;
    const reference = await loadSolution();
    if (!reference) return;
    helped = true;
    for (const [path, text] of Object.entries(reference)) editor.setValue(path, text);
    saveNow();
    status.textContent = 'Your editor now holds the reference solution. Read it, then run the tests.';
  });

  const compare = buttons.compare;
  let comparing = false;
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

  /** The exercise's own files as they are now: the editor's editable ones and the fixed ones. */
  function ownFiles(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const f of payload.files) files[f.path] = f.role === 'editable' ? editor.getValue(f.path) : f.starter;
    return files;
  }

  /**
   * Grades the code on screen again with the reference version of one component, and says
   * how that compares with the shown result. The shown result and the stored last run stay.
   */
  async function runWithReference(path: string, shown: GradeResult): Promise<string> {
    const component = payload.components.find((c) => c.path === path);
    if (!component) throw new Error(`this exercise does not use ${path}`);
    // A run still finishing (its type check) is waited for, not refused.
    while (running) await runFinished;
    running = true;
    run.disabled = true;
    try {
      const choice = await pageHost();
      const chosen = chooseComponents(payload, progress.data, new Set([path]));
      const submission: Submission = {
        exerciseId: id,
        files: gradeFiles(payload, ownFiles(), chosen),
        testFiles: payload.testFiles,
        learnerFiles,
        seed: payload.seed,
        testTimeoutMs: payload.testTimeoutMs,
        runTimeoutMs: payload.runTimeoutMs,
      };
      const result = await choice.host.grade(submission, () => undefined);
      return compareWithReference(component.name, shown, result);
    } finally {
      running = false;
      run.disabled = false;
    }
  }

  // Running the tests.
  const run = buttons.run;
  /** The submission whose result is on screen, for "Show trace". */
  let shownSubmission: Submission | undefined;
  let running = false;
  /** Settles when the run in progress ends. */
  let runFinished: Promise<void> = Promise.resolve();
  /** Counts runs, so that a late type check never lands on a newer run's results. */
  let runNumber = 0;
  async function runTests(): Promise<void> {
    if (running) return;
    running = true;
    let finish = (): void => undefined;
    runFinished = new Promise((resolve) => (finish = resolve));
    run.disabled = true;
    run.setAttribute('aria-busy', 'true');
    saveNow();
    results.replaceChildren();
    consoleOut.replaceChildren();
    delete status.dataset.outcome;
    const thisRun = ++runNumber;
    try {
      // Type checking runs beside the tests, not before them: the TypeScript worker can take
      // seconds to start on a cold page, and the grader reports syntax errors itself, with
      // file, line and a code frame.
      const checking = typeCheck(editor, editable);
      status.textContent = 'Starting the test runner…';
      const choice = await pageHost();
      const chosen = chooseComponents(payload, progress.data);
      const files = gradeFiles(payload, ownFiles(), chosen);
      const submission: Submission = {
        exerciseId: id,
        files,
        testFiles: payload.testFiles,
        learnerFiles,
        seed: payload.seed,
        testTimeoutMs: payload.testTimeoutMs,
        runTimeoutMs: payload.runTimeoutMs,
      };
      let started = 0;
      const live = el('ol', { className: 'live-tests' });
      results.append(live);
      let listed = 0;
      const onEvent = (event: GradeEvent) => {
        if (event.type === 'collected') {
          listed = event.tests.length;
        } else if (event.type === 'test-start') {
          started++;
          status.textContent = listed ? `Running test ${started} of ${listed}: ${event.name}` : `Running test ${started}: ${event.name}`;
        }
      };
      const result = await choice.host.grade(submission, onEvent);
      live.remove();
      shownSubmission = submission;
      const note = choice.note;
      const used = summarise(chosen);
      renderResult(result, note, undefined, used);
      panelState = {
        ...panelState,
        lastRun: {
          result: storableResult(result),
          note,
          at: Date.now(),
          files: Object.fromEntries(editable.map((path) => [path, files[path] ?? ''])),
          ...(used.length > 0 ? { components: used } : {}),
        },
      };
      panelStore.save(id, panelState);
      // Timings for the bench and for anyone curious: wall time at the host, and the tests' own.
      section.dataset.hostMs = String(Math.round(result.hostDurationMs ?? result.durationMs));
      section.dataset.testsMs = String(Math.round(result.testsDurationMs));
      if (result.ok) {
        const now = Date.now();
        // The passing code is what later exercises that build on this one are graded with.
        const passing = { files: Object.fromEntries(editable.map((path) => [path, files[path] ?? ''])), at: now, interfaceVersion: payload.interfaceVersion, interfaceFiles: payload.interfaceFiles };
        progress.setExercise(id, helped ? 'passed-with-help' : 'passed', now, passing);
        section.dataset.passed = helped ? 'passed-with-help' : 'passed';
        renderBadge();
      }
      // Markers for failures that point into the learner's files.
      const failures = failureMarkers(result, editable);
      const showMarkers = (markers: readonly EditorMarker[]) => {
        for (const path of editable) {
          editor.setMarkers(path, [...markers.filter((m) => m.path === path), ...failures.filter((m) => m.path === path)]);
        }
      };
      // The type check's answer goes above the results: now if it is ready, or when it arrives.
      const typeBox = el('section', { className: 'diagnostics' });
      typeBox.dataset.typecheck = 'pending';
      const showTypeCheck = (check: TypeCheck) => {
        typeBox.dataset.typecheck = check.state;
        const note = typeCheckNote(check);
        if (note === undefined && check.state === 'done') typeBox.replaceChildren(...renderDiagnostics(check.markers));
        else typeBox.replaceChildren(el('p', { textContent: note ?? '' }));
        if (check.state === 'done' && check.markers.length === 0) typeBox.classList.add('clean');
        showMarkers(check.state === 'done' ? check.markers : []);
      };
      const first = await within(checking, DIAGNOSTICS_WAIT_MS);
      results.prepend(typeBox);
      showTypeCheck(first);
      if (first.state === 'pending') {
        void checking.then((check) => {
          if (thisRun === runNumber) showTypeCheck(check);
        });
      }
    } catch (error) {
      status.textContent = `The tests could not run: ${(error as Error).message}`;
    } finally {
      running = false;
      run.disabled = false;
      run.removeAttribute('aria-busy');
      finish();
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

  function renderDiagnostics(markers: readonly EditorMarker[]): HTMLElement[] {
    return [
      el('h4', { textContent: markers.length === 1 ? 'The type checker found a problem' : `The type checker found ${markers.length} problems` }),
      el('ul', {}, ...markers.map((m) => el('li', {}, locationLink(m.path, m.line, m.column), ` ${m.message}`))),
    ];
  }

  function renderTest(t: TestResult): HTMLElement {
    const icon = t.status === 'pass' ? '✓' : t.status === 'fail' ? '✗' : '–';
    const label = t.status === 'pass' ? 'passed' : t.status === 'fail' ? 'failed' : t.note?.startsWith('Not run') ? 'not run' : 'skipped';
    const item = el(
      'li',
      { className: `test ${t.status}` },
      el('span', { className: 'icon', ariaHidden: 'true', textContent: icon }),
      el('span', { className: 'visually-hidden', textContent: `${label}: ` }),
      el('span', { className: 'name', textContent: t.name }),
      t.status === 'pass' || t.status === 'fail'
        ? el('span', { className: 'duration', textContent: ` ${t.durationMs < 1 ? '<1' : Math.round(t.durationMs)} ms` })
        : el('span', { className: 'duration', textContent: ` ${label}` }),
    );
    if (t.note && t.status !== 'fail') item.append(el('p', { className: 'note', textContent: t.note }));
    if (t.status === 'fail') {
      const detail = el('div', { className: 'failure' });
      if (t.message) detail.append(el('pre', { className: 'message', textContent: displayedMessage(t.message) }));
      if (t.diff) detail.append(el('pre', { className: 'diff', textContent: t.diff }));
      for (const other of t.otherMessages ?? []) detail.append(el('pre', { className: 'message', textContent: other }));
      if (t.location) detail.append(el('p', {}, 'At ', locationLink(t.location.file, t.location.line, t.location.column)));
      item.append(detail);
      if (t.counterexample !== undefined) {
        const cxButton = el('button', { type: 'button', className: 'button show-counterexample', textContent: 'Show counterexample' });
        cxButton.setAttribute('aria-expanded', 'false');
        cxButton.dataset.action = 'counterexample';
        const cxHost = el('div', { className: 'counterexample-host' });
        cxButton.addEventListener('click', () => void showCounterexample(t, cxButton, cxHost));
        detail.append(el('p', {}, cxButton), cxHost);
      }
      // Only a test that ran a simulation has messages to draw.
      if (!offersTrace(t)) return item;
      const traceButton = el('button', { type: 'button', className: 'button show-trace', textContent: 'Show trace' });
      traceButton.setAttribute('aria-expanded', 'false');
      traceButton.dataset.action = 'trace';
      const traceHost = el('div', { className: 'trace-host' });
      traceButton.addEventListener('click', () => void showTrace(t, traceButton, traceHost));
      detail.append(el('p', {}, traceButton), traceHost);
    }
    return item;
  }

  /**
   * Draws the checker's counterexample under a failed test: the few operations that are
   * not linearizable by themselves, on a timeline per client. The view loads on first use.
   */
  const hideCounterexample = new WeakMap<HTMLElement, () => void>();
  async function showCounterexample(t: TestResult, trigger: HTMLButtonElement, into: HTMLElement): Promise<void> {
    const hide = hideCounterexample.get(into);
    if (hide) {
      hide();
      hideCounterexample.delete(into);
      trigger.textContent = 'Show counterexample';
      trigger.setAttribute('aria-expanded', 'false');
      return;
    }
    if (t.counterexample === undefined) return;
    trigger.disabled = true;
    try {
      const view = await import('../visual/counterexample-view.ts');
      hideCounterexample.set(
        into,
        view.renderCounterexample(into, t.counterexample, { timeUnit: 'ms', describeState: (state) => String(state) }),
      );
      trigger.textContent = 'Hide counterexample';
      trigger.setAttribute('aria-expanded', 'true');
    } catch (error) {
      into.replaceChildren(el('p', { className: 'trace-status', textContent: `The counterexample could not be drawn: ${(error as Error).message}` }));
    } finally {
      trigger.disabled = false;
    }
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

  /**
   * Shows a result. A fresh one also becomes the status line (the live region that announces
   * it); a result restored after a reload is headed with when it ran instead.
   */
  function renderResult(result: GradeResult, note: HostNote, restored?: { at: number; stale: boolean }, used: readonly ChosenSummary[] = []): void {
    const headline = resultHeadline(result);
    if (!restored) {
      status.textContent = headline;
      status.dataset.outcome = result.ok ? 'pass' : 'fail';
    }
    const children: Node[] = [];
    if (restored) {
      const when = new Date(restored.at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
      const heading = el('p', { className: 'restored', textContent: `Your last run (${when}): ${headline}` });
      heading.dataset.restored = result.ok ? 'pass' : 'fail';
      children.push(heading);
      if (restored.stale) children.push(el('p', { className: 'note', textContent: 'Your code has changed since that run: run the tests again to see where it stands.' }));
    }
    for (const e of result.errors) {
      const box = el('div', { className: `run-error ${e.kind}` }, el('p', { textContent: e.message }));
      if (e.location) box.append(el('p', {}, 'At ', locationLink(e.location.file, e.location.line, e.location.column)));
      if (e.codeFrame) box.append(el('pre', { textContent: e.codeFrame }));
      if (e.test) box.append(el('p', { textContent: `While running: ${e.test}` }));
      children.push(box);
    }
    children.push(el('ol', { className: 'tests' }, ...result.tests.map(renderTest)));
    if (used.length > 0) {
      children.push(
        renderBuiltOn({
          used,
          components: payload.components,
          canCompare: !result.ok && !restored?.stale,
          choiceOf: (exercise) => {
            const entry = progress.data.exercises[exercise];
            return entry?.passing ? (entry.useReference ? 'reference' : 'mine') : undefined;
          },
          setChoice: (exercise, choice) => progress.setComponentChoice(exercise, choice),
          runWithReference: (path) => runWithReference(path, result),
        }),
      );
    }
    const timing = result.hostDurationMs ?? result.durationMs;
    const where = el('details', { className: 'host' }, el('summary', { textContent: `${note.summary} Seed ${result.seed ?? payload.seed}; ${Math.round(timing)} ms in all.` }), el('p', { textContent: note.details }));
    children.push(where);
    results.replaceChildren(...children);
    consoleOut.textContent = consoleText(result, MAX_CONSOLE_LINES);
  }

  // The last result is back after a reload; "Show trace" works on it while the code is unchanged.
  const lastRun: StoredRun | undefined = panelState.lastRun;
  if (lastRun) {
    const stale = editable.some((path) => (lastRun.files[path] ?? '') !== editor.getValue(path));
    if (!stale) {
      const files = gradeFiles(payload, ownFiles(), chooseComponents(payload, progress.data));
      shownSubmission = { exerciseId: id, files, testFiles: payload.testFiles, learnerFiles, seed: lastRun.result.seed ?? payload.seed, testTimeoutMs: payload.testTimeoutMs, runTimeoutMs: payload.runTimeoutMs };
    }
    renderResult(lastRun.result, lastRun.note, { at: lastRun.at, stale }, lastRun.components ?? []);
  }

  for (const action of PANEL_ACTIONS) buttons[action].disabled = false;
  updateHintButton();
  status.textContent = [
    saved ? 'Your saved code is back in the editor.' : 'The exercise is ready.',
    lastRun ? 'Your last result is below.' : '',
    editorNote,
    'Run the tests with the button or Ctrl+Enter (⌘+Enter on a Mac).',
  ]
    .filter(Boolean)
    .join(' ');
  section.dataset.mounted = 'ready';
}
