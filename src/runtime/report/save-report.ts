/**
 * Saves a report as a file the learner downloads: the grade report that `npm run grade --
 * capstone --report <file>` writes, which the report page opens again. Used by the report
 * page and by the results of a run, which can save it without going through the browser's
 * storage (a full quota keeps the last run from reaching the report page).
 */
import type { LoadedReport } from './day-report.ts';

/** Downloads `loaded`'s grade report; returns the file's name. Throws what the browser threw. */
export function saveReportFile(loaded: LoadedReport): string {
  const blob = new Blob([JSON.stringify(loaded.file, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: `faultlines-day-seed-${loaded.report.seed}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return link.download;
}
