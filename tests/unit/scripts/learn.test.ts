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

const projectRoot = resolve(import.meta.dirname, '../../..');
const fixtures = join(projectRoot, 'tests', 'fixtures');
let root: string;

/** A learn session in a pseudo-terminal: what it has printed so far, and keys to press. */
class Terminal {
  private text = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number>;
  constructor() {
    this.child = spawn('script', ['-qfec', `${JSON.stringify(process.execPath)} scripts/learn.ts`, '/dev/null'], {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1', FAULTLINES_EXERCISES_DIR: join(root, 'exercises'), FAULTLINES_SITE_URL: 'http://course.test' },
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
