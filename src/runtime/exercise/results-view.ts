/**
 * The results region of the exercise panel: a run's errors, its tests with their failures
 * (and the buttons that open a failure's counterexample or trace), the components it was
 * built on, where it ran, the type checker's findings and the console pane. The words are
 * result-text.ts's; this module only builds the elements.
 */
import { reportFromRun } from '../report/day-report.ts';
import { saveReportFile } from '../report/save-report.ts';
import type { ExercisePayload } from '../../content/exercise-payload.ts';
import type { GradeResult, TestResult } from '../../grader/types.ts';
import { el } from '../dom.ts';
import type { HostChoice, HostNote, Submission } from '../hosts/host.ts';
import { renderBuiltOn } from './built-on-view.ts';
import type { ChosenSummary } from './components.ts';
import type { EditorMarker } from './editor-api.ts';
import { consoleText, diagnosticsHeading, displayedMessage, offersTrace, resultHeadline, testLine, typeCheckNote, type TypeCheck } from './result-text.ts';
import { toggleCounterexample, toggleTrace } from './trace-toggle.ts';

/** Console lines shown at most; the rest are counted. The grader caps its own capture too. */
const MAX_CONSOLE_LINES = 500;

export interface ResultsViewOptions {
  readonly results: HTMLElement;
  readonly consoleOut: HTMLElement;
  /** The status line, which a fresh result's headline becomes. */
  readonly status: HTMLElement;
  readonly payload: Pick<ExercisePayload, 'components' | 'seed' | 'id' | 'title'>;
  /** The files that have a tab: a location in one of them is a link to it. */
  readonly openFiles: readonly string[];
  readonly goTo: (path: string, line: number, column: number) => void;
  /** The learner's choice between their own passing component and the reference, if they have a passing one. */
  readonly choiceOf: (exercise: string) => 'mine' | 'reference' | undefined;
  readonly setChoice: (exercise: string, choice: 'mine' | 'reference') => void;
  readonly runWithReference: (path: string, shown: GradeResult) => Promise<string>;
  /** The submission whose result is on show, which "Show trace" runs again. */
  readonly shownSubmission: () => Submission | undefined;
  readonly host: () => Promise<HostChoice>;
}

export class ResultsView {
  readonly #o: ResultsViewOptions;

  constructor(options: ResultsViewOptions) {
    this.#o = options;
  }

  /**
   * Shows a result. A fresh one also becomes the status line (the live region that announces
   * it); a result restored after a reload is headed with when it ran instead.
   */
  render(result: GradeResult, note: HostNote, restored?: { at: number; stale: boolean }, used: readonly ChosenSummary[] = []): void {
    const { status, payload } = this.#o;
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
      if (e.location) box.append(el('p', {}, 'At ', this.#locationLink(e.location.file, e.location.line, e.location.column)));
      if (e.codeFrame) box.append(el('pre', { textContent: e.codeFrame }));
      if (e.test) box.append(el('p', { textContent: `While running: ${e.test}` }));
      children.push(box);
    }
    children.push(el('ol', { className: 'tests' }, ...result.tests.map((t) => this.#renderTest(t))));
    // A run that attached a report (the capstone's day) is kept with the last run, which the
    // report page draws.
    if (result.report !== undefined) {
      const save = el('button', { type: 'button', className: 'link-button', textContent: 'save it as a file' });
      const saved = el('span', { className: 'saved-note' });
      saved.setAttribute('role', 'status');
      save.addEventListener('click', () => {
        const loaded = reportFromRun({ id: payload.id, title: payload.title }, result, used, new Date());
        try {
          saved.textContent = loaded === undefined ? ' This run\u2019s report cannot be read.' : ` Saved as ${saveReportFile(loaded)}.`;
        } catch (error) {
          saved.textContent = ` The browser would not save the file: ${error instanceof Error ? error.message : String(error)}`;
        }
      });
      children.push(
        el(
          'p',
          { className: 'report-link' },
          el('a', { href: '/report/', textContent: 'Read the day\u2019s report' }),
          ': the SLO report of this run, with charts, where the time went and the slowest requests; or ',
          save,
          ' to keep it or to share it.',
          saved,
        ),
      );
    }
    if (used.length > 0) {
      children.push(
        renderBuiltOn({
          used,
          components: payload.components,
          canCompare: !result.ok && !restored?.stale,
          choiceOf: this.#o.choiceOf,
          setChoice: this.#o.setChoice,
          runWithReference: (path) => this.#o.runWithReference(path, result),
        }),
      );
    }
    const timing = result.hostDurationMs ?? result.durationMs;
    children.push(el('details', { className: 'host' }, el('summary', { textContent: `${note.summary} Seed ${result.seed ?? payload.seed}; ${Math.round(timing)} ms in all.` }), el('p', { textContent: note.details })));
    this.#o.results.replaceChildren(...children);
    this.#o.consoleOut.textContent = consoleText(result, MAX_CONSOLE_LINES);
  }

  /** Empties the results and the console for a new run. */
  clear(): void {
    this.#o.results.replaceChildren();
    this.#o.consoleOut.replaceChildren();
  }

  /** A box above the results for the type check's answer, pending until {@link showTypeCheck} fills it. */
  typeCheckBox(): HTMLElement {
    const box = el('section', { className: 'diagnostics' });
    box.dataset.typecheck = 'pending';
    this.#o.results.prepend(box);
    return box;
  }

  showTypeCheck(box: HTMLElement, check: TypeCheck): void {
    box.dataset.typecheck = check.state;
    const note = typeCheckNote(check);
    if (note === undefined && check.state === 'done') box.replaceChildren(...this.#renderDiagnostics(check.markers));
    else box.replaceChildren(el('p', { textContent: note ?? '' }));
    if (check.state === 'done' && check.markers.length === 0) box.classList.add('clean');
  }

  #locationLink(file: string, line: number, column: number): HTMLElement {
    const text = `${file}:${line}:${column}`;
    if (!this.#o.openFiles.includes(file)) return el('code', { textContent: text });
    const link = el('button', { type: 'button', className: 'link-button', textContent: text });
    link.addEventListener('click', () => this.#o.goTo(file, line, column));
    return link;
  }

  #renderDiagnostics(markers: readonly EditorMarker[]): HTMLElement[] {
    return [
      el('h4', { textContent: diagnosticsHeading(markers.length) }),
      el('ul', {}, ...markers.map((m) => el('li', {}, this.#locationLink(m.path, m.line, m.column), ` ${m.message}`))),
    ];
  }

  #renderTest(t: TestResult): HTMLElement {
    const line = testLine(t);
    const item = el(
      'li',
      { className: `test ${t.status}` },
      el('span', { className: 'icon', ariaHidden: 'true', textContent: line.icon }),
      el('span', { className: 'visually-hidden', textContent: `${line.label}: ` }),
      el('span', { className: 'name', textContent: t.name }),
      el('span', { className: 'duration', textContent: line.after }),
    );
    if (t.note && t.status !== 'fail') item.append(el('p', { className: 'note', textContent: t.note }));
    if (t.status !== 'fail') return item;
    const detail = el('div', { className: 'failure' });
    if (t.message) detail.append(el('pre', { className: 'message', textContent: displayedMessage(t.message) }));
    if (t.diff) detail.append(el('pre', { className: 'diff', textContent: t.diff }));
    for (const other of t.otherMessages ?? []) detail.append(el('pre', { className: 'message', textContent: other }));
    if (t.location) detail.append(el('p', {}, 'At ', this.#locationLink(t.location.file, t.location.line, t.location.column)));
    item.append(detail);
    if (t.counterexample !== undefined) {
      const button = this.#toggleButton('show-counterexample', 'Show counterexample', 'counterexample');
      const host = el('div', { className: 'counterexample-host' });
      button.addEventListener('click', () => void toggleCounterexample(t, button, host));
      detail.append(el('p', {}, button), host);
    }
    // Only a test that ran a simulation has messages to draw.
    if (offersTrace(t)) {
      const button = this.#toggleButton('show-trace', 'Show trace', 'trace');
      const host = el('div', { className: 'trace-host' });
      button.addEventListener('click', () => void toggleTrace(t, button, host, this.#o.shownSubmission(), this.#o.host));
      detail.append(el('p', {}, button), host);
    }
    return item;
  }

  #toggleButton(className: string, text: string, action: string): HTMLButtonElement {
    const button = el('button', { type: 'button', className: `button ${className}`, textContent: text });
    button.setAttribute('aria-expanded', 'false');
    button.dataset.action = action;
    return button;
  }
}
