/**
 * `npm run learn` driven in a pseudo-terminal (util-linux's `script`), as a learner uses it:
 * the first run, a hint on a key, a save that passes and moves on, a skip, quitting, and
 * coming back to the same place. The course is a copy of the fixture course
 * (tests/fixtures/exercises), so the real one is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentExercise, emptyProgress, pass, readProgress, skip } from '../../../scripts/lib/learn.ts';
import { exportBackup, planImport } from '../../../scripts/lib/learn-backup.ts';
import { createBackup, parseBackup } from '../../../src/runtime/backup.ts';
import { loadExercise } from '../../../src/content/exercises.ts';

const projectRoot = resolve(import.meta.dirname, '../../..');
const fixtures = join(projectRoot, 'tests', 'fixtures');
let root: string;

/** A learn session in a pseudo-terminal: what it has printed so far, and keys to press. */
class Terminal {
  private text = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number>;
  constructor(args: readonly string[] = [], course = root) {
    const command = [process.execPath, 'scripts/learn.ts', ...args].map((a) => JSON.stringify(a)).join(' ');
    this.child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1', FAULTLINES_EXERCISES_DIR: join(course, 'exercises'), FAULTLINES_SITE_URL: 'http://course.test' },
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.text += chunk.toString('utf8').replace(/\r/g, '')));
    this.exited = new Promise((done) => this.child.on('exit', (code) => done(code ?? 1)));
  }
  /** Everything printed, from `mark` on. */
  since(mark: number): string {
    return this.text.slice(mark);
  }
  get length(): number {
    return this.text.length;
  }
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.since(from))) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${pattern}; the terminal shows:\n${this.since(from)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.since(from);
  }
  press(key: string): void {
    this.child.stdin!.write(key);
  }
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'faultlines-learn-'));
  cpSync(join(fixtures, 'exercises'), join(root, 'exercises'), { recursive: true });
  cpSync(join(fixtures, 'solutions'), join(root, 'solutions'), { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('npm run learn in a terminal', { timeout: 120_000 }, () => {
  it('runs the first exercise, gives a hint, re-runs on save, moves on, skips, and keeps its place', async () => {
    const t = new Terminal();
    let shown = await t.waitFor(/2 of 5 tests pass\./);
    expect(shown).toContain('Exercise 1 of 4: Percentiles by nearest rank  (0 passed so far)');
    expect(shown).toContain('Edit:    exercises/percentile/percentile.ts');
    expect(shown).toContain('✗ percentile > takes the nearest rank instead of interpolating\n    AssertionError: expected 4 to be 2');

    let mark = t.length;
    t.press('h');
    expect(await t.waitFor(/Hint 1 of 2: .*/, mark)).toMatch(/Hint 1 of 2: Sort a copy of the samples/);

    // The learner saves their answer in their editor.
    mark = t.length;
    writeFileSync(join(root, 'exercises', 'percentile', 'percentile.ts'), `${readFileSync(join(fixtures, 'solutions', 'percentile', 'percentile.ts'), 'utf8')}// mine\n`);
    shown = await t.waitFor(/Exercise 2 of 4[^\n]*\n[\s\S]*1 of 2 tests pass\./, mark);
    expect(shown).toContain('All 5 tests pass.');
    expect(shown).toContain('Percentiles by nearest rank: done.');
    expect(shown).toContain('Exercise 2 of 4: Is the latency objective met?  (1 passed so far)');
    // slo-check builds on percentile: the learner's passing version is used, and the run says so.
    expect(shown).toContain('Built on percentile/percentile.ts: yours');

    mark = t.length;
    t.press('s');
    shown = await t.waitFor(/Exercise 3 of 4/, mark);
    expect(shown).toContain('Skipped slo-check; it comes back once the others pass.');

    mark = t.length;
    t.press('q');
    expect(await t.waitFor(/Your place is kept/, mark)).toContain('npm run learn picks up from here.');
    expect(await t.exited).toBe(0);
    expect(readProgress(join(root, '.faultlines', 'learn.json'))).toMatchObject({ passed: { percentile: expect.any(String) }, skipped: ['slo-check'] });

    const again = new Terminal();
    expect(await again.waitFor(/Exercise \d of 4: [^\n]*/)).toMatch(/Exercise 3 of 4: [^\n]*\(1 passed so far\)/);
    again.press('q');
    expect(await again.exited).toBe(0);
  });

  it('refuses a damaged progress file with a sentence, and leaves it for the learner', async () => {
    const path = join(root, '.faultlines', 'learn.json');
    const saved = readFileSync(path, 'utf8');
    writeFileSync(path, '{ "version": 1, "passed": ');
    const t = new Terminal();
    expect(await t.waitFor(/is not JSON/)).toContain(`${path} is not JSON. Move it aside to start again; your code in exercises/ is untouched.`);
    expect(await t.exited).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe('{ "version": 1, "passed": ');
    writeFileSync(path, saved);
  });
});

describe('moving work between the page and the folder', { timeout: 120_000 }, () => {
  it('exports a backup the page reads, and imports it into a fresh copy of the course', async () => {
    // The session above passed percentile and skipped slo-check in `root`.
    const file = join(root, 'backup.json');
    const exported = new Terminal(['--export', file]);
    expect(await exported.waitFor(/Import it/)).toContain('code of 4 exercise(s), 1 pass(es)');
    expect(await exported.exited).toBe(0);
    const backup = parseBackup(readFileSync(file, 'utf8'));
    expect(Object.keys(backup.progress.exercises)).toEqual(['percentile']);
    expect(Object.keys(backup.code)).toEqual(['percentile', 'slo-check', 'token-bucket', 'weighted-pick']);
    expect(backup.code['percentile']!.files['percentile.ts']).toContain('// mine');

    const other = mkdtempSync(join(tmpdir(), 'faultlines-learn-other-'));
    try {
      cpSync(join(fixtures, 'exercises'), join(other, 'exercises'), { recursive: true });
      cpSync(join(fixtures, 'solutions'), join(other, 'solutions'), { recursive: true });
      // Work of their own in the other folder, which the import must not lose.
      writeFileSync(join(other, 'exercises', 'percentile', 'percentile.ts'), '// my own attempt\n');
      const t = new Terminal(['--import', file], other);
      const shown = await t.waitFor(/Exercise 2 of 4[^\n]*\n[\s\S]*tests pass\./);
      expect(shown).toContain('exercises/percentile/percentile.ts: imported (yours is kept as percentile.ts.before-import)');
      expect(shown).toContain('percentile: passed in the page, recorded');
      t.press('q');
      expect(await t.exited).toBe(0);
      expect(readFileSync(join(other, 'exercises', 'percentile', 'percentile.ts.before-import'), 'utf8')).toBe('// my own attempt\n');
      expect(readFileSync(join(other, 'exercises', 'percentile', 'percentile.ts'), 'utf8')).toContain('// mine');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not a backup, or of an unknown version, with the page’s own message', async () => {
    for (const [text, message] of [
      ['{ "format": "fault-lines-backup", ', 'This file is not a Fault Lines backup: it is not valid JSON.'],
      ['{ "format": "fault-lines-backup", "version": 9 }', 'This file is not a Fault Lines backup (version 1 or 2).'],
    ] as const) {
      const file = join(root, 'bad.json');
      writeFileSync(file, text);
      const t = new Terminal(['--import', file]);
      expect(await t.waitFor(/backup/)).toContain(message);
      expect(await t.exited).toBe(2);
    }
  });
});

describe('the page’s backup format, both ways', () => {
  const exercises = ['percentile', 'slo-check'].map((id) => loadExercise(id, { exercisesDir: join(fixtures, 'exercises'), solutionsDir: join(fixtures, 'solutions') }));
  const [percentile] = exercises;
  const solution = readFileSync(join(fixtures, 'solutions', 'percentile', 'percentile.ts'), 'utf8');

  it('writes what the page itself would export, and reads the page’s export back', () => {
    const record = { version: 1 as const, passing: { percentile: { at: '2026-12-01T10:00:00.000Z', files: { 'percentile.ts': solution }, interfaceVersion: percentile!.interfaceVersion } } };
    const backup = exportBackup(exercises, (e): Record<string, string> => (e.id === 'percentile' ? { 'percentile.ts': solution } : {}), record, new Date('2026-12-02T00:00:00Z'));
    // The page's parser keeps all of it.
    expect(parseBackup(JSON.stringify(backup))).toEqual(backup);
    // And the page's own export, made from its stores, plans the same import.
    const pageProgress = { data: backup.progress } as unknown as Parameters<typeof createBackup>[0];
    const pageCode = { all: () => backup.code } as unknown as Parameters<typeof createBackup>[1];
    const page = createBackup(pageProgress, pageCode, 0);
    const plan = planImport(JSON.stringify(page), exercises, () => ({}));
    expect(plan.writes).toEqual([
      { exercise: 'percentile', path: 'percentile.ts', text: solution },
      { exercise: 'slo-check', path: 'slo.ts', text: exercises[1]!.files.find((f) => f.path === 'slo.ts')!.starter },
    ]);
    expect(plan.passes.map((p) => [p.exercise.id, p.at.toISOString()])).toEqual([['percentile', '2026-12-01T10:00:00.000Z']]);
    expect(plan.notes).toEqual([]);
  });

  it('leaves out a pass made against other read-only files, and code of an exercise it does not know, saying why', () => {
    const backup = {
      format: 'fault-lines-backup',
      version: 2,
      exportedAt: 0,
      progress: { version: 2, lessons: {}, quizzes: {}, exercises: { percentile: { status: 'passed', at: 1, passing: { files: { 'percentile.ts': solution }, at: 1, interfaceVersion: 'old' } } } },
      code: { 'no-such-exercise': { files: { 'x.ts': '' }, savedAt: 1 } },
    };
    const plan = planImport(JSON.stringify(backup), exercises, () => ({}));
    expect(plan.passes).toEqual([]);
    expect(plan.notes).toEqual([
      'no-such-exercise: not an exercise of this course; its code was left out.',
      'percentile: it passed against earlier read-only files, which have changed since; run its tests again to record it.',
    ]);
  });
});

describe('where a learner is', () => {
  const order = ['a', 'b', 'c'];
  it('is the first exercise neither passed nor skipped, then the skipped ones, then nothing', () => {
    let p = emptyProgress();
    expect(currentExercise(order, p)).toBe('a');
    p = skip(p, 'a');
    expect(currentExercise(order, p)).toBe('b');
    p = pass(pass(p, 'b', new Date(0)), 'c', new Date(0));
    expect(currentExercise(order, p)).toBe('a');
    p = pass(p, 'a', new Date(0));
    expect(p.skipped).toEqual([]);
    expect(currentExercise(order, p)).toBeUndefined();
  });
});
