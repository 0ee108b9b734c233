/**
 * Helpers for the grader's fixture exercises in `fixtures/<name>/`. Fixture tests are named
 * `*.spec.ts` so that the project's own unit run does not collect them. A file whose text is
 * deliberately not valid TypeScript is stored with a `.broken` suffix, which keeps the
 * project's typecheck quiet; the helpers strip the suffix.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GradeEvent, GradeResult, PortableGradeRequest } from '../../../src/grader/index.ts';
import { readFolder } from '../../../src/grader/node/exercise-files.ts';

export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** Fixtures every host must agree on with `vitest run`; `infinite-loop` needs a deadline instead. */
export const parityFixtures = [
  'passing',
  'failing-assertions',
  'thrown-error',
  'async',
  'rejected-promise',
  'test-timeout',
  'syntax-error',
  'missing-import',
  'console-flood',
  'stray-timer',
  'unhandled-rejection',
  'global-pollution',
] as const;

/** A fixture's files as the grader takes them. */
export function fixtureFiles(name: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [path, source] of Object.entries(readFolder(join(fixturesDir, name)))) {
    files[path.replace(/\.broken$/, '')] = source;
  }
  return files;
}

export function fixtureTestFiles(files: Record<string, string>): string[] {
  return Object.keys(files).filter((path) => path.endsWith('.spec.ts'));
}

/** Copies a fixture into a fresh temporary folder, with `.broken` suffixes stripped. */
export function materializeFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `faultlines-fixture-${name}-`));
  cpSync(join(fixturesDir, name), dir, { recursive: true });
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.broken')) renameSync(join(dir, file), join(dir, file.slice(0, -'.broken'.length)));
  }
  return dir;
}

/** One graded request from {@link gradeInFreshRealm}. */
export interface RealmRun {
  readonly result: GradeResult;
  readonly events: GradeEvent[];
  /** Whether the global-pollution fixture's globals were still there after the grade. */
  readonly leaked: boolean;
}

/** Grades the requests in order, in one new Node process; see `realm-child.ts` for why. */
export function gradeInFreshRealm(requests: readonly PortableGradeRequest[]): RealmRun[] {
  const child = fileURLToPath(new URL('./realm-child.ts', import.meta.url));
  const out = execFileSync(process.execPath, [child], { input: JSON.stringify({ requests }), maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(out.toString('utf8')) as { results: RealmRun[] }).results;
}

/** A request for a fixture, with optional extra settings. */
export function fixtureRequest(name: string, extra: Partial<PortableGradeRequest> & { builtins?: Record<string, unknown> } = {}): PortableGradeRequest {
  const files = fixtureFiles(name);
  return { files, testFiles: fixtureTestFiles(files), ...extra };
}
