/**
 * The report page (`/report/`): draws the capstone's last day in this browser, or a report
 * file the learner opens (one that `npm run grade -- capstone --report <file>` or this page
 * wrote), and saves what is on show as that same kind of file, to keep or to send to a team
 * lead. Every failure (no run yet, a file that is not a report, a report of another
 * version, a download the browser refuses) is said in the page's message line.
 */
import { bindParts } from '../dom.ts';
import { browserPanelState } from '../exercise/last-run.ts';
import { CAPSTONE_ID, checkDayReport, readReportText, reportFromRun, type LoadedReport } from './day-report.ts';
import { renderDayReport } from './report-view.ts';
import { saveReportFile } from './save-report.ts';

/** The largest file the page reads: a day report is tens of kilobytes. */
export const MAX_REPORT_FILE_BYTES = 5_000_000;

interface Parts {
  readonly message: HTMLElement;
  readonly open: HTMLInputElement;
  readonly save: HTMLButtonElement;
  readonly body: HTMLElement;
}

export function mountReportPage(root: HTMLElement): void {
  const parts = bindParts<Parts>(root, { message: '[data-report-message]', open: '[data-report-open]', save: '[data-report-save]', body: '[data-report-body]' }, 'report page');
  const title = root.dataset['exerciseTitle'] ?? 'A production day';
  let shown: LoadedReport | undefined;
  let release: (() => void) | undefined;

  const say = (text: string, kind: 'info' | 'error') => {
    parts.message.textContent = text;
    parts.message.dataset['kind'] = kind;
    parts.message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  };
  const show = async (loaded: LoadedReport, heading: string) => {
    release?.();
    release = undefined;
    shown = loaded;
    parts.save.disabled = false;
    root.dataset['state'] = 'drawn';
    release = await renderDayReport(parts.body, loaded.report, loaded.sources, heading);
    root.dataset['charts'] = 'drawn';
  };

  const stored = browserPanelState().load(CAPSTONE_ID).lastRun;
  const fromRun = stored ? reportFromRun({ id: CAPSTONE_ID, title }, stored.result, stored.components ?? [], new Date(stored.at)) : undefined;
  if (stored && fromRun) {
    const when = new Date(stored.at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    say(`Your last day in this browser, run ${when}.`, 'info');
    void show(fromRun, `Run in this browser, ${when}, graded ${stored.result.ok ? 'as passing' : 'as failing'}.`);
  } else {
    parts.save.disabled = true;
    root.dataset['state'] = 'empty';
    // A report the run did leave, but one this page cannot draw, is said as such.
    const refused = stored?.result.report === undefined ? [] : checkDayReport(stored.result.report);
    say(
      refused.length > 0
        ? `Your last run of the capstone left a report this page cannot draw: ${refused[0]} Run its tests again, or open a report file.`
        : stored
          ? 'Your last run of the capstone ended before the day did, so it left no report: run its tests again, or open a report file.'
          : 'No day has run in this browser yet: run the capstone\u2019s tests, or open a report file.',
      'info',
    );
  }

  parts.open.addEventListener('change', () => {
    const file = parts.open.files?.[0];
    parts.open.value = '';
    if (file === undefined) return;
    if (file.size > MAX_REPORT_FILE_BYTES) {
      say(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB: a report is far smaller. Open the file npm run grade -- capstone --report wrote.`, 'error');
      return;
    }
    file.text().then(
      (text) => {
        const read = readReportText(text);
        if ('error' in read) {
          say(`${file.name}: ${read.error}`, 'error');
          return;
        }
        say(`Showing ${file.name}.`, 'info');
        const source = read.file.source === 'browser' ? 'saved from this page' : `graded from ${read.file.source}`;
        return show(read, `From ${file.name}: ${source}, ${new Date(read.file.generatedAt).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}.`);
      },
      (error: unknown) => say(`${file.name} could not be read: ${error instanceof Error ? error.message : String(error)}`, 'error'),
    );
  });

  parts.save.addEventListener('click', () => {
    if (shown === undefined) return;
    try {
      say(`Saved as ${saveReportFile(shown)}: open it here again, or send it to whoever reviews your design.`, 'info');
    } catch (error) {
      say(`The browser would not save the file: ${error instanceof Error ? error.message : String(error)}`, 'error');
    }
  });
}
