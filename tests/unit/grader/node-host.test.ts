import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GradeResult } from '../../../src/grader/index.ts';
import { fixturesDir, materializeFixture } from './fixtures.ts';

const script = fileURLToPath(new URL('../../../scripts/grade.ts', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

function grade(args: readonly string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
}

/** A learner folder that fixes the failing fixture's bug, plus an edited test file that must be ignored. */
function learnerFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'faultlines-learner-'));
  writeFileSync(
    join(dir, 'balancer.ts'),
    [
      'export function assign(keys: readonly string[], shards: number): Record<string, number> {',
      '  const out: Record<string, number> = {};',
      '  keys.forEach((key, i) => { out[key] = i % shards; });',
      '  return out;',
      '}',
      'export function describeShard(shard: number): { id: number; replicas: string[] } {',
      "  return { id: shard, replicas: ['a', 'b', 'c'] };",
      '}',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'balancer.spec.ts'), "import { it } from 'vitest';\nit('was edited by the learner', () => {});\n");
  return dir;
}

const runs: Record<string, Run> = {};

beforeAll(async () => {
  const jobs: Record<string, readonly string[]> = {
    passing: ['--tests', join(fixturesDir, 'passing')],
    failing: ['--tests', join(fixturesDir, 'failing-assertions')],
    json: ['--tests', join(fixturesDir, 'failing-assertions'), '--json'],
    overlay: ['--tests', join(fixturesDir, 'failing-assertions'), '--dir', learnerFolder(), '--json'],
    syntax: ['--tests', materializeFixture('syntax-error')],
    loop: ['--tests', join(fixturesDir, 'infinite-loop'), '--deadline-s', '2'],
    unknown: ['no-such-exercise'],
    badFlag: ['--tests', join(fixturesDir, 'passing'), '--colour'],
    help: ['--help'],
  };
  const entries = await Promise.all(Object.entries(jobs).map(async ([name, args]) => [name, await grade(args)] as const));
  for (const [name, run] of entries) runs[name] = run;
}, 60_000);

function run(name: string): Run {
  const found = runs[name];
  if (!found) throw new Error(`no run named ${name}`);
  return found;
}

describe('node scripts/grade.ts', () => {
  it('prints a tick per passing test and exits 0 when every test passes', () => {
    const { code, stdout } = run('passing');
    expect(code).toBe(0);
    expect(stdout).toContain('  ✓ pick > chooses the least loaded backend');
    expect(stdout).toContain('  ↓ is skipped on purpose');
    expect(stdout).toContain('  ○ measures p99 under a slow backend (todo)');
    expect(stdout).toMatch(/PASS {2}Tests 9 passed, 2 skipped \(11\) {2}· {2}\d+ ms \(tests \d+ ms\) {2}· {2}host node/);
  });

  it('prints the message, location and diff of each failure and exits 1', () => {
    const { code, stdout } = run('failing');
    expect(code).toBe(1);
    expect(stdout).toContain(
      [
        '  ✗ assign > spreads three keys over three shards',
      ].join('\n'),
    );
    expect(stdout).toContain(
      [
        '      AssertionError: expected { x: +0, y: 1, z: +0 } to deeply equal { x: +0, y: 1, z: 2 }',
        '      at balancer.spec.ts:6:40',
        '',
        '      - Expected',
        '      + Received',
      ].join('\n'),
    );
    expect(stdout).toContain('      -   "z": 2,\n      +   "z": 0,');
    expect(stdout).not.toMatch(/\u001b\[/);
    expect(stdout).toMatch(/FAIL {2}Tests 0 passed, 6 failed \(6\)/);
  });

  it('prints the result as JSON with --json, marked as graded by the node host', () => {
    const { code, stdout } = run('json');
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as GradeResult;
    expect(result.host).toBe('node');
    expect(result.summary).toEqual({ passed: 0, failed: 6, skipped: 0, total: 6 });
    expect(result.hostDurationMs).toBeGreaterThanOrEqual(result.durationMs);
  });

  it('grades the learner files from --dir against the exercise tests, ignoring edited test files', () => {
    const { code, stdout } = run('overlay');
    const result = JSON.parse(stdout) as GradeResult;
    expect(result.tests.map((t) => t.title)).not.toContain('was edited by the learner');
    expect(result.tests.find((t) => t.title === 'spreads three keys over three shards')?.status).toBe('pass');
    expect(result.tests.find((t) => t.title === 'describes a shard with three replicas')?.status).toBe('pass');
    // The fixture's other tests fail whatever the learner writes.
    expect(code).toBe(1);
  });

  it('shows a syntax error with a code frame', () => {
    const { code, stdout } = run('syntax');
    expect(code).toBe(1);
    expect(stdout).toContain('[syntax] SyntaxError: Unexpected token, expected "," (router.ts:8:34) at router.ts:8:34');
    expect(stdout).toContain('>  8 | export function broken(a: number {');
  });

  it('kills a synchronous infinite loop at the deadline and names the test that was running', () => {
    const { code, stdout, elapsedMs } = run('loop');
    expect(code).toBe(1);
    expect(stdout).toContain('  ✓ finishes quickly');
    expect(stdout).toContain('  ✗ spins until the deadline');
    expect(stdout).toContain(
      'stopped after 2 s: the code did not finish — look for a loop that never ends (the test "spins until the deadline" was running)',
    );
    // The loop never ends by itself, so finishing at all proves the kill; the bound is loose
    // because these runs share a busy machine, and the bench measures the host's speed.
    expect(elapsedMs).toBeLessThan(20_000);
  });

  it('exits 2 and lists the available exercises for an unknown id', () => {
    const { code, stderr } = run('unknown');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^There is no exercise "no-such-exercise"\. (Available: .+\.|There are no exercises yet)/);
  });

  it('exits 2 for an unknown option and prints help with --help', () => {
    expect(run('badFlag').code).toBe(2);
    expect(run('badFlag').stderr).toContain('Unknown option --colour.');
    expect(run('help').code).toBe(0);
    expect(run('help').stdout).toContain('node scripts/grade.ts --tests <dir> [options]');
  });
});
