/**
 * The exercise panel: loads an exercise when the learner reaches it, puts its files in an
 * editor, saves as they type, runs the tests on a grading host and shows the results.
 * The server-rendered markup (src/components/Exercise.astro) already holds the buttons
 * and regions; this module brings them to life by composing the panel's units: the file
 * tabs, autosave, hints, the comparison with the reference, and the results view.
 */
import type { ExercisePayload } from '../../content/exercise-payload.ts';
import { browserProgress, exerciseLabel } from '../progress.ts';
import type { HostChoice } from '../hosts/host.ts';
import { Autosave } from './autosave.ts';
import { browserCodeStore } from './code-store.ts';
import { mountCompare } from './compare.ts';
import { chooseComponents, gradeFiles } from './components.ts';
import { currentTheme, openEditor, setPreferredEditor, type Theme } from './editor-choice.ts';
import { createFileTabs } from './file-tabs.ts';
import { mountHints } from './hints.ts';
import { browserPanelState, type StoredRun } from './last-run.ts';
import { PANEL_ACTIONS, bindPanelParts } from './panel-parts.ts';
import { readyStatus, storageFailureText } from './panel-text.ts';
import { ResultsView } from './results-view.ts';
import { TestRuns } from './test-runs.ts';

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
  const initial = payload.files
    .filter((f) => f.role !== 'hidden')
    .map((f) => ({ path: f.path, text: f.role === 'editable' && saved?.files[f.path] !== undefined ? saved.files[f.path]! : f.starter, readOnly: f.role !== 'editable' }));

  const { editor, note: editorNote } = await openEditor(editorHost, id, initial, () =>
    Object.entries(gradeFiles(payload, {}, chooseComponents(payload, progress.data))).map(([path, text]) => ({ path, text })),
    payload.libraries,
  );
  section.dataset.editor = editor.kind;
  const switchEditor = buttons['switch-editor'];
  switchEditor.textContent = editor.kind === 'monaco' ? 'Use plain text editor' : 'Use full editor';
  switchEditor.addEventListener('click', () => {
    setPreferredEditor(editor.kind === 'monaco' ? 'plain' : 'monaco');
    autosave.flush();
    location.reload();
  });

  const fileTabs = createFileTabs({ id, tabs, editorHost, files: initial, editor });

  // Autosave: every change is saved shortly after typing stops, and at once when the page hides.
  const autosave = new Autosave({
    save: () => {
      const files = Object.fromEntries(editable.map((path) => [path, editor.getValue(path)]));
      const ok = store.save(id, files, Date.now(), helped);
      storageNote.hidden = ok;
      if (!ok) storageNote.textContent = storageFailureText(store.error);
    },
  });
  editor.onChange((path) => editable.includes(path) && autosave.changed());
  addEventListener('pagehide', () => autosave.flush());
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && autosave.flush());

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

  const hints = mountHints({
    button: buttons.hint,
    list: hintsList,
    hints: payload.hints,
    shownBefore: panelState.hintsShown,
    onShown: (hintsShown) => {
      panelState = { ...panelState, hintsShown };
      panelStore.save(id, panelState);
    },
  });

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
    autosave.flush();
    status.textContent = 'The exercise is back to its starting point.';
  });
  buttons.solution.addEventListener('click', async () => {
    if (!confirm('Replace your code with the reference solution? The exercise will count as solved with help.')) return;
    const reference = await loadSolution();
    if (!reference) return;
    helped = true;
    for (const [path, text] of Object.entries(reference)) editor.setValue(path, text);
    autosave.flush();
    status.textContent = 'Your editor now holds the reference solution. Read it, then run the tests.';
  });
  mountCompare({
    button: buttons.compare,
    comparison,
    status,
    editor,
    editable,
    activePath: fileTabs.activePath,
    helped: () => helped,
    loadSolution,
    markHelped: () => {
      helped = true;
      autosave.flush();
    },
  });

  /** The exercise's own files as they are now: the editor's editable ones and the fixed ones. */
  const ownFiles = (): Record<string, string> => Object.fromEntries(payload.files.map((f) => [f.path, f.role === 'editable' ? editor.getValue(f.path) : f.starter]));

  // Running the tests, and the results.
  const runs: TestRuns = new TestRuns({
    id,
    section,
    payload,
    editor,
    editable,
    learnerFiles,
    progress,
    runButton: buttons.run,
    status,
    results,
    view: () => view,
    host: pageHost,
    ownFiles,
    save: () => autosave.flush(),
    helped: () => helped,
    keep: (lastRun) => {
      panelState = { ...panelState, lastRun };
      panelStore.save(id, panelState);
    },
    passed: renderBadge,
  });
  const view: ResultsView = new ResultsView({
    results,
    consoleOut,
    status,
    payload,
    openFiles: initial.map((f) => f.path),
    goTo: fileTabs.select,
    choiceOf: (exercise) => {
      const entry = progress.data.exercises[exercise];
      return entry?.passing ? (entry.useReference ? 'reference' : 'mine') : undefined;
    },
    setChoice: (exercise, choice) => progress.setComponentChoice(exercise, choice),
    runWithReference: (path, shown) => runs.withReference(path, shown),
    shownSubmission: () => runs.shownSubmission,
    host: pageHost,
  });
  buttons.run.addEventListener('click', () => void runs.run());
  editor.onRunShortcut(() => void runs.run());
  section.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void runs.run();
    }
  });

  // The last result is back after a reload.
  const lastRun: StoredRun | undefined = panelState.lastRun;
  if (lastRun) runs.restore(lastRun);

  for (const action of PANEL_ACTIONS) buttons[action].disabled = false;
  hints.refresh();
  status.textContent = readyStatus({ savedCode: Boolean(saved), lastRun: Boolean(lastRun), editorNote });
  section.dataset.mounted = 'ready';
}
