/**
 * The mutation report as text: one block per exercise (its counts and every mutant not
 * killed) and a table of all of them.
 */
import { join } from 'node:path';
import type { ExerciseResult } from './run.ts';
import { LOG_FILE } from './workspace.ts';

const pad = (text: string, width: number): string => text.padEnd(width);
const padLeft = (text: string, width: number): string => text.padStart(width);
const scoreText = (score: number | null | undefined): string => (score === null || score === undefined ? 'n/a' : `${score.toFixed(1)}%`);

/** Code on one line, shortened for a report. */
export function oneLine(code: string, max = 80): string {
  const flat = code.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

export function formatExercise(result: ExerciseResult): string {
  const lines = [`== ${result.id}: ${result.status} in ${duration(result.durationMs)}`];
  if (result.summary === undefined) {
    lines.push(result.detail ?? '');
    if (result.workspace !== undefined) lines.push(`workspace kept: ${result.workspace} (Stryker's output: ${join(result.workspace, LOG_FILE)})`);
    return lines.join('\n');
  }
  const { counts, score, survivors } = result.summary;
  lines.push(
    `mutants ${counts.total}: killed ${counts.killed}, survived ${counts.survived}, timed out ${counts.timedOut}, ` +
      `no coverage ${counts.noCoverage}${counts.errors > 0 ? `, errors ${counts.errors}` : ''}${counts.ignored > 0 ? `, ignored ${counts.ignored}` : ''}` +
      ` — mutation score ${scoreText(score)}`,
  );
  if (survivors.length > 0) {
    lines.push('not killed (file:line:column  mutator  original → replacement):');
    for (const s of survivors) {
      const tag = s.status === 'NoCoverage' ? ' [no coverage]' : '';
      lines.push(`  ${s.file}:${s.line}:${s.column}  ${s.mutator}${tag}  ${oneLine(s.original)} → ${oneLine(s.replacement)}`);
    }
  }
  if (result.workspace !== undefined) lines.push(`workspace kept: ${result.workspace}`);
  return lines.join('\n');
}

export function formatTable(results: readonly ExerciseResult[]): string {
  const head = ['exercise', 'status', 'mutants', 'killed', 'survived', 'timeout', 'no cov', 'score', 'time'];
  const rows = results.map((r) => {
    const c = r.summary?.counts;
    const n = (v: number | undefined): string => (v === undefined ? '-' : String(v));
    return [r.id, r.status, n(c?.total), n(c?.killed), n(c?.survived), n(c?.timedOut), n(c?.noCoverage), scoreText(r.summary?.score), duration(r.durationMs)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i < 2 ? pad(cell, widths[i]!) : padLeft(cell, widths[i]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}
