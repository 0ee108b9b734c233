/**
 * Reading Stryker's JSON report (the mutation-testing-report-schema format): counts by
 * outcome, the mutation score, and the mutants the tests did not kill.
 */

interface Position {
  readonly line: number;
  readonly column: number;
}

interface ReportMutant {
  readonly id: string;
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly location: { readonly start: Position; readonly end: Position };
}

export interface MutationReport {
  readonly files: Readonly<Record<string, { readonly source: string; readonly mutants: readonly ReportMutant[] }>>;
}

/** A mutant the tests did not kill: what changed, and where. */
export interface Survivor {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly mutator: string;
  /** `Survived` (tests ran and passed) or `NoCoverage` (no test ran the code). */
  readonly status: 'Survived' | 'NoCoverage';
  readonly original: string;
  readonly replacement: string;
}

export interface Counts {
  readonly total: number;
  readonly killed: number;
  readonly survived: number;
  readonly timedOut: number;
  readonly noCoverage: number;
  /** Mutants that did not compile or crashed the run: left out of the score, as Stryker does. */
  readonly errors: number;
  readonly ignored: number;
}

export interface Summary {
  readonly counts: Counts;
  /** Killed or timed out, over all valid mutants, in percent (Stryker's mutation score); null if none. */
  readonly score: number | null;
  readonly survivors: readonly Survivor[];
}

/** The text between two 1-based positions of `source`. */
function slice(source: string, start: Position, end: Position): string {
  const lines = source.split('\n');
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  const parts = [(lines[start.line - 1] ?? '').slice(start.column - 1)];
  for (let l = start.line + 1; l < end.line; l++) parts.push(lines[l - 1] ?? '');
  parts.push((lines[end.line - 1] ?? '').slice(0, end.column - 1));
  return parts.join('\n');
}

export function summarise(report: MutationReport): Summary {
  let killed = 0;
  let survived = 0;
  let timedOut = 0;
  let noCoverage = 0;
  let errors = 0;
  let ignored = 0;
  let total = 0;
  const survivors: Survivor[] = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      total++;
      switch (m.status) {
        case 'Killed':
          killed++;
          break;
        case 'Timeout':
          timedOut++;
          break;
        case 'Survived':
        case 'NoCoverage':
          if (m.status === 'Survived') survived++;
          else noCoverage++;
          survivors.push({
            file,
            line: m.location.start.line,
            column: m.location.start.column,
            mutator: m.mutatorName,
            status: m.status,
            original: slice(source, m.location.start, m.location.end),
            replacement: m.replacement ?? '',
          });
          break;
        case 'Ignored':
          ignored++;
          break;
        default:
          // CompileError, RuntimeError (and Pending, which a finished report should not hold).
          errors++;
      }
    }
  }
  survivors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.mutator.localeCompare(b.mutator));
  const valid = killed + timedOut + survived + noCoverage;
  return {
    counts: { total, killed, survived, timedOut, noCoverage, errors, ignored },
    score: valid === 0 ? null : ((killed + timedOut) / valid) * 100,
    survivors,
  };
}
