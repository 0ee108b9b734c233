/**
 * Running the exercise's tests: one run at a time, on the page's grading host, with the
 * type check beside it. The owner of what a run leaves behind: the result on show (and the
 * submission behind it, which "Show trace" runs again), the stored last run, and the pass
 * recorded in the learner's progress.
 */
import type { ExercisePayload } from '../../content/exercise-payload.ts';
import type { GradeEvent, GradeResult } from '../../grader/types.ts';
import { el } from '../dom.ts';
import type { HostChoice, Submission } from '../hosts/host.ts';
import type { ProgressStore } from '../progress.ts';
import { chooseComponents, compareWithReference, gradeFiles, summarise } from './components.ts';
import type { EditorMarker, ExerciseEditor } from './editor-api.ts';
import { storableResult, type StoredRun } from './last-run.ts';
import { progressText, runningStatus, submissionFor } from './panel-text.ts';
import { failureMarkers, type TypeCheck } from './result-text.ts';
import type { ResultsView } from './results-view.ts';
import { DIAGNOSTICS_WAIT_MS, typeCheck, within } from './type-check.ts';

/** A run still going after this long shows its progress bar and Stop button. */
export const SHOW_PROGRESS_AFTER_MS = 600;

export interface TestRunsOptions {
  readonly id: string;
  readonly section: HTMLElement;
  readonly payload: ExercisePayload;
  readonly editor: ExerciseEditor;
  /** The files the learner edits. */
  readonly editable: readonly string[];
  /** What the learner wrote: may not import vitest (see GradeRequest.learnerFiles). */
  readonly learnerFiles: readonly string[];
  readonly progress: ProgressStore;
  readonly runButton: HTMLButtonElement;
  readonly status: HTMLElement;
  /** Where the tests are listed while they run. */
  readonly results: HTMLElement;
  readonly view: () => ResultsView;
  readonly host: () => Promise<HostChoice>;
  /** The exercise's own files as they are now. */
  readonly ownFiles: () => Record<string, string>;
  /** Saves the learner's code before a run. */
  readonly save: () => void;
  /** Whether the learner has had help (the solution shown or compared). */
  readonly helped: () => boolean;
  /** Keeps a finished run, to show again after a reload. */
  readonly keep: (run: StoredRun) => void;
  /** Called once a run passed and the pass is recorded. */
  readonly passed: () => void;
}

export class TestRuns {
  readonly #o: TestRunsOptions;
  /** The submission whose result is on screen, for "Show trace". */
  #shown: Submission | undefined;
  #running = false;
  /** Settles when the run in progress ends. */
  #finished: Promise<void> = Promise.resolve();
  /** Counts runs, so that a late type check never lands on a newer run's results. */
  #runNumber = 0;

  constructor(options: TestRunsOptions) {
    this.#o = options;
  }

  get shownSubmission(): Submission | undefined {
    return this.#shown;
  }

  /** Shows the run kept from before a reload; "Show trace" works on it while the code is unchanged. */
  restore(lastRun: StoredRun): void {
    const { id, payload, editable, editor, progress, learnerFiles } = this.#o;
    const stale = editable.some((path) => (lastRun.files[path] ?? '') !== editor.getValue(path));
    if (!stale) {
      this.#shown = submissionFor(id, payload, gradeFiles(payload, this.#o.ownFiles(), chooseComponents(payload, progress.data)), learnerFiles, lastRun.result.seed ?? payload.seed);
    }
    this.#o.view().render(lastRun.result, lastRun.note, { at: lastRun.at, stale }, lastRun.components ?? []);
  }

  /**
   * Grades the code on screen again with the reference version of one component, and says
   * how that compares with the shown result. The shown result and the stored last run stay.
   */
  async withReference(path: string, shown: GradeResult): Promise<string> {
    const { id, payload, progress, learnerFiles, runButton } = this.#o;
    const component = payload.components.find((c) => c.path === path);
    if (!component) throw new Error(`this exercise does not use ${path}`);
    // A run still finishing (its type check) is waited for, not refused.
    while (this.#running) await this.#finished;
    this.#running = true;
    runButton.disabled = true;
    try {
      const choice = await this.#o.host();
      const chosen = chooseComponents(payload, progress.data, new Set([path]));
      const result = await choice.host.grade(submissionFor(id, payload, gradeFiles(payload, this.#o.ownFiles(), chosen), learnerFiles), () => undefined);
      return compareWithReference(component.name, shown, result);
    } finally {
      this.#running = false;
      runButton.disabled = false;
    }
  }

  /** Runs the tests, unless a run is in progress, and shows the result. */
  async run(): Promise<void> {
    if (this.#running) return;
    const { id, section, payload, editor, editable, progress, runButton, status } = this.#o;
    const view = this.#o.view();
    this.#running = true;
    let finish = (): void => undefined;
    this.#finished = new Promise((resolve) => (finish = resolve));
    runButton.disabled = true;
    runButton.setAttribute('aria-busy', 'true');
    this.#o.save();
    view.clear();
    delete status.dataset.outcome;
    const thisRun = ++this.#runNumber;
    try {
      // Type checking runs beside the tests, not before them: the TypeScript worker can take
      // seconds to start on a cold page, and the grader reports syntax errors itself, with
      // file, line and a code frame.
      const checking = typeCheck(editor, editable);
      status.textContent = 'Starting the test runner…';
      const choice = await this.#o.host();
      const chosen = chooseComponents(payload, progress.data);
      const files = gradeFiles(payload, this.#o.ownFiles(), chosen);
      const submission = submissionFor(id, payload, files, this.#o.learnerFiles);
      let started = 0;
      let listed = 0;
      const live = el('ol', { className: 'live-tests' });
      // A run that takes more than a moment shows how far its simulation has got, and a
      // Stop button: the host ends the run at once and the tests that finished are shown.
      const stopper = new AbortController();
      const bar = el('progress', { max: 1 });
      bar.setAttribute('aria-label', 'Simulated time');
      const barText = el('span', { className: 'run-progress-text', textContent: 'Running…' });
      const stop = el('button', { type: 'button', className: 'button', textContent: 'Stop the run' });
      stop.dataset['action'] = 'stop';
      stop.addEventListener('click', () => {
        stop.disabled = true;
        status.textContent = 'Stopping the run…';
        stopper.abort();
      });
      const progressBox = el('div', { className: 'run-progress', hidden: true }, bar, barText, stop);
      this.#o.results.append(progressBox, live);
      const reveal = setTimeout(() => (progressBox.hidden = false), SHOW_PROGRESS_AFTER_MS);
      const onEvent = (event: GradeEvent) => {
        if (event.type === 'collected') listed = event.tests.length;
        else if (event.type === 'test-start') status.textContent = runningStatus(++started, listed, event.name);
        else if (event.type === 'progress') {
          const until = typeof event.untilMs === 'number' && Number.isFinite(event.untilMs) ? event.untilMs : null;
          if (until !== null && until > 0) bar.value = Math.min(event.simulatedMs / until, 1);
          else bar.removeAttribute('value');
          barText.textContent = progressText(event.simulatedMs, until);
        }
      };
      let result: GradeResult;
      try {
        result = await choice.host.grade(submission, onEvent, stopper.signal);
      } finally {
        clearTimeout(reveal);
        // Keep the keyboard where it was: Stop is about to go.
        if (document.activeElement === stop) {
          runButton.disabled = false;
          runButton.focus();
        }
        progressBox.remove();
      }
      live.remove();
      this.#shown = submission;
      const note = choice.note;
      const used = summarise(chosen);
      view.render(result, note, undefined, used);
      const graded = Object.fromEntries(editable.map((path) => [path, files[path] ?? '']));
      this.#o.keep({ result: storableResult(result), note, at: Date.now(), files: graded, ...(used.length > 0 ? { components: used } : {}) });
      // Timings for the bench and for anyone curious: wall time at the host, and the tests' own.
      section.dataset.hostMs = String(Math.round(result.hostDurationMs ?? result.durationMs));
      section.dataset.testsMs = String(Math.round(result.testsDurationMs));
      if (result.ok) {
        const now = Date.now();
        const helped = this.#o.helped();
        // The passing code is what later exercises that build on this one are graded with.
        const passing = { files: graded, at: now, interfaceVersion: payload.interfaceVersion, interfaceFiles: payload.interfaceFiles };
        progress.setExercise(id, helped ? 'passed-with-help' : 'passed', now, passing);
        section.dataset.passed = helped ? 'passed-with-help' : 'passed';
        this.#o.passed();
      }
      // Markers for failures that point into the learner's files, with the type checker's.
      const failures = failureMarkers(result, editable);
      const showMarkers = (markers: readonly EditorMarker[]) => {
        for (const path of editable) editor.setMarkers(path, [...markers.filter((m) => m.path === path), ...failures.filter((m) => m.path === path)]);
      };
      // The type check's answer goes above the results: now if it is ready, or when it arrives.
      const showTypeCheck = (box: HTMLElement, check: TypeCheck) => {
        view.showTypeCheck(box, check);
        showMarkers(check.state === 'done' ? check.markers : []);
      };
      const first = await within(checking, DIAGNOSTICS_WAIT_MS);
      const box = view.typeCheckBox();
      showTypeCheck(box, first);
      if (first.state === 'pending') void checking.then((check) => thisRun === this.#runNumber && showTypeCheck(box, check));
    } catch (error) {
      status.textContent = `The tests could not run: ${(error as Error).message}`;
    } finally {
      this.#running = false;
      runButton.disabled = false;
      runButton.removeAttribute('aria-busy');
      finish();
    }
  }
}
