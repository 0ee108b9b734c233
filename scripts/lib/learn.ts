/**
 * The pure parts of `npm run learn`: where a learner is in the course, kept in a small file
 * in the repository folder (`.faultlines/learn.json`), and what the terminal shows. The
 * watching, grading and keys are in `scripts/learn.ts`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GradeResult } from '../../src/grader/types.ts';

export const LEARN_VERSION = 1;

export interface LearnProgress {
  readonly version: typeof LEARN_VERSION;
  /** Exercises passed in this folder, with when (ISO 8601). */
  readonly passed: Readonly<Record<string, string>>;
  /** Exercises skipped with the key, until they pass. */
  readonly skipped: readonly string[];
}

export const emptyProgress = (): LearnProgress => ({ version: LEARN_VERSION, passed: {}, skipped: [] });

/** The progress file, or a fresh start; a file of another shape is refused by a sentence, never dropped. */
export function readProgress(path: string): LearnProgress {
  if (!existsSync(path)) return emptyProgress();
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path} is not JSON. Move it aside to start again; your code in exercises/ is untouched.`);
  }
  const p = value as Partial<LearnProgress> | null;
  if (p?.version !== LEARN_VERSION) {
    throw new Error(`${path} is version ${JSON.stringify(p?.version)}; this version of the course reads version ${LEARN_VERSION}. Move it aside to start again.`);
  }
  if (typeof p.passed !== 'object' || p.passed === null || !Array.isArray(p.skipped)) throw new Error(`${path} is missing "passed" or "skipped".`);
  return { version: LEARN_VERSION, passed: { ...p.passed }, skipped: [...p.skipped] };
}

/** Writes the progress whole, through a temporary file, so that a crash never leaves half a file. */
export function writeProgress(path: string, progress: LearnProgress): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(progress, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** The exercise to work on: the first not passed and not skipped; then the first skipped; undefined when all have passed. */
export function currentExercise(order: readonly string[], progress: LearnProgress): string | undefined {
  return order.find((id) => !(id in progress.passed) && !progress.skipped.includes(id)) ?? order.find((id) => !(id in progress.passed));
}

export function pass(progress: LearnProgress, id: string, now: Date): LearnProgress {
  return { ...progress, passed: { ...progress.passed, [id]: now.toISOString() }, skipped: progress.skipped.filter((s) => s !== id) };
}

export function skip(progress: LearnProgress, id: string): LearnProgress {
  return { ...progress, skipped: [...progress.skipped.filter((s) => s !== id), id] };
}

const paint = (on: boolean) => (code: number, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** The header shown when an exercise starts. */
export function header(
  e: { readonly id: string; readonly title: string; readonly files: readonly string[]; readonly lessonUrl?: string },
  position: { readonly index: number; readonly count: number; readonly passed: number },
  colour: boolean,
): string {
  const c = paint(colour);
  return [
    '',
    c(1, `Exercise ${position.index + 1} of ${position.count}: ${e.title}`) + c(2, `  (${position.passed} passed so far)`),
    ...(e.lessonUrl !== undefined ? [`Lesson:  ${e.lessonUrl}`] : []),
    `Edit:    ${e.files.join(', ')}`,
    c(2, 'Save a file to run the tests again.  h: next hint   r: run again   s: skip   q: quit'),
    '',
  ].join('\n');
}

/**
 * A grade in a few lines: each test with its mark, and under each failure its message (the
 * same sentence, with the measured numbers, that the page shows), then the count.
 */
export function compactResult(result: GradeResult, colour: boolean): string {
  const c = paint(colour);
  const out: string[] = [];
  for (const t of result.tests) {
    if (t.status === 'pass') out.push(`${c(32, '✓')} ${t.name}`);
    else if (t.status === 'fail') {
      out.push(`${c(31, '✗')} ${t.name}`);
      if (t.message) out.push(...t.message.split('\n').map((line) => `    ${line}`));
    } else out.push(c(2, `- ${t.name} (skipped)`));
  }
  for (const e of result.errors) {
    const where = e.location ? ` (${e.location.file}:${e.location.line}:${e.location.column})` : e.file ? ` (${e.file})` : '';
    out.push(`${c(31, '!')} ${e.message}${where}`);
    if (e.codeFrame) out.push(...e.codeFrame.split('\n').map((line) => `    ${line}`));
  }
  const { passed, total } = result.summary;
  out.push(result.ok ? c(32, `All ${total} tests pass.`) : c(31, `${passed} of ${total} tests pass.`));
  return out.join('\n');
}
