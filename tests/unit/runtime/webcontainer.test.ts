import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildWebcontainerGrader } from '../../../src/grader/node/build-webcontainer-grader.ts';
import { filesWith, loadExercise } from '../../../src/content/exercises.ts';
import type { GradeEvent, HostMessage } from '../../../src/grader/types.ts';
import type { Submission } from '../../../src/runtime/hosts/host.ts';
import { GRADE_COMMAND, MESSAGE_MARKER, OutputParser, webcontainerTree } from '../../../src/runtime/hosts/webcontainer-files.ts';
import { WebContainerHost } from '../../../src/runtime/hosts/webcontainer-host.ts';
import { createFakeContainer } from '../../support/fake-webcontainer.ts';

const root = resolve(import.meta.dirname, '../../..');
const exercise = loadExercise('capacity-planning', { exercisesDir: resolve(root, 'exercises'), solutionsDir: resolve(root, 'solutions') });

function submission(files: Record<string, string>): Submission {
  return {
    exerciseId: exercise.id,
    files,
    testFiles: exercise.testFiles,
    seed: exercise.meta.seed,
    testTimeoutMs: exercise.meta.testTimeoutMs,
    runTimeoutMs: exercise.meta.runTimeoutMs,
  };
}

let bundle: string;
beforeAll(async () => {
  bundle = await buildWebcontainerGrader(root);
}, 60_000);

describe('what the WebContainer host mounts and runs', () => {
  it('mounts the grader bundle, the request and the exercise files, and runs node with no install step', () => {
    const tree = webcontainerTree(submission(filesWith(exercise, {})), 'bundle');
    expect(Object.keys(tree).sort()).toEqual(['exercise', 'grader.mjs', 'request.json']);
    const request = JSON.parse((tree['request.json'] as { file: { contents: string } }).file.contents);
    expect(request).toEqual({
      files: filesWith(exercise, {}),
      testFiles: ['capacity.test.ts'],
      testTimeoutMs: exercise.meta.testTimeoutMs,
      seed: exercise.meta.seed,
    });
    expect(GRADE_COMMAND).toEqual({ command: 'node', args: ['grader.mjs', 'request.json'] });
    // What the learner wrote and what is kept from them travel with the request.
    const withRoles = webcontainerTree({ ...submission(filesWith(exercise, {})), learnerFiles: ['capacity.ts'], hiddenFiles: ['secret.ts'] }, 'bundle');
    expect(JSON.parse((withRoles['request.json'] as { file: { contents: string } }).file.contents)).toMatchObject({ learnerFiles: ['capacity.ts'], hiddenFiles: ['secret.ts'] });
  });

  it("lays an earlier exercise's files beside exercise/, and nests folders, for the terminal", () => {
    const slo = loadExercise('slo-check', { exercisesDir: resolve(root, 'tests/fixtures/exercises'), solutionsDir: resolve(root, 'tests/fixtures/solutions') });
    const files = { ...filesWith(slo, slo.solution), 'lib/extra.ts': 'export {};\n', '../../outside.ts': 'x' };
    const tree = webcontainerTree({ ...submission(files), testFiles: slo.testFiles }, 'bundle');
    expect(Object.keys(tree).sort()).toEqual(['exercise', 'grader.mjs', 'percentile', 'request.json']);
    const dir = (t: unknown) => Object.keys((t as { directory: Record<string, unknown> }).directory).sort();
    expect(dir(tree.exercise)).toEqual(['lib', 'slo.test.ts', 'slo.ts']);
    expect(dir((tree.exercise as { directory: Record<string, unknown> }).directory.lib)).toEqual(['extra.ts']);
    expect(dir(tree.percentile)).toEqual(['percentile.ts', 'samples.ts']);
    // The request carries every file as the grader resolves them, the earlier ones included.
    const request = JSON.parse((tree['request.json'] as { file: { contents: string } }).file.contents) as { files: Record<string, string> };
    expect(request.files['../percentile/percentile.ts']).toBe(slo.dependencyFiles['../percentile/percentile.ts']);
  });

  it('splits marked messages from terminal text, even when a line arrives in pieces', () => {
    const messages: HostMessage[] = [];
    let text = '';
    const parser = new OutputParser((m) => messages.push(m), (t) => (text += t));
    const line = `${MESSAGE_MARKER}${JSON.stringify({ type: 'ready' })}\n`;
    parser.push('hello from node\n' + line.slice(0, 7));
    parser.push(line.slice(7) + 'trailing');
    parser.end();
    expect(messages).toEqual([{ type: 'ready' }]);
    expect(text).toBe('hello from node\ntrailing\n');
  });
});

// The fake container's folder has no node_modules: these runs also prove the bundle needs
// nothing installed.
describe('the WebContainer host, with its command run by real Node', () => {
  const container = createFakeContainer();
  afterAll(() => container.dispose());
  const host = new WebContainerHost(container, async () => bundle);

  it('fails the starter and passes the solution, with the same verdicts as the grader gives elsewhere', async () => {
    const events: GradeEvent[] = [];
    const starter = await host.grade(submission(filesWith(exercise, {})), (e) => events.push(e));
    expect(starter.host).toBe('webcontainer');
    expect(starter.ok).toBe(false);
    expect(starter.summary).toMatchObject({ passed: 2, failed: 19, total: 21 });
    expect(starter.tests.find((t) => t.status === 'fail')?.message).toContain('would be 100% busy');
    expect(events.filter((e) => e.type === 'test-start')).toHaveLength(21);

    const solved = await host.grade(submission(filesWith(exercise, exercise.solution)), () => undefined);
    expect(solved.ok).toBe(true);
    expect(solved.summary).toMatchObject({ passed: 21, failed: 0 });
    expect(container.spawned.every((s) => s.command === 'node' && s.args.join(' ') === 'grader.mjs request.json')).toBe(true);
  }, 60_000);

  it("refuses the learner's file an import of the exercise's test file, as every host does", async () => {
    const peeking = filesWith(exercise, { 'capacity.ts': `import './capacity.test.ts';\n${exercise.solution['capacity.ts']}` });
    const result = await host.grade({ ...submission(peeking), learnerFiles: ['capacity.ts'] }, () => undefined);
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => e.message).join('\n')).toContain(
      'Cannot import "./capacity.test.ts" in capacity.ts:1: capacity.test.ts is a test file: the tests import your code, not the other way round.',
    );
  }, 60_000);

  it('carries the libraries the exercise offers in its bundle: a balancer built on hdr-histogram-js passes, and is refused where none is offered', async () => {
    const balancers = loadExercise('balancer-heterogeneous', { exercisesDir: resolve(root, 'exercises'), solutionsDir: resolve(root, 'solutions') });
    const alt = readFileSync(resolve(root, 'tests/fixtures/components/balancer-heterogeneous/alt-hdr-window/balancer.ts'), 'utf8');
    const offered: Submission = {
      exerciseId: balancers.id,
      files: filesWith(balancers, { 'balancer.ts': alt }),
      testFiles: balancers.testFiles,
      learnerFiles: ['balancer.ts'],
      libraries: balancers.libraries,
      seed: balancers.meta.seed,
      testTimeoutMs: balancers.meta.testTimeoutMs,
      runTimeoutMs: balancers.meta.runTimeoutMs,
    };
    expect(JSON.parse((webcontainerTree(offered, 'bundle')['request.json'] as { file: { contents: string } }).file.contents).libraries).toEqual(['hdr-histogram-js']);
    const passed = await host.grade(offered, () => undefined);
    expect(passed.errors).toEqual([]);
    expect(passed.summary).toMatchObject({ failed: 0, passed: passed.summary.total });
    const { libraries: _offered, ...notOffered } = offered;
    const refused = await host.grade(notOffered, () => undefined);
    expect(refused.ok).toBe(false);
    expect(refused.errors[0]?.message).toContain('Cannot import "hdr-histogram-js" in balancer.ts:24: this exercise does not offer the library hdr-histogram-js');
  }, 60_000);

  it('kills a process stuck in a loop and names the test that was running', async () => {
    const looping = filesWith(exercise, { 'capacity.ts': 'export function workersNeeded(): number { while (true) {} }\n' });
    const result = await host.grade({ ...submission(looping), testTimeoutMs: 1_000 }, () => undefined);
    expect(result.ok).toBe(false);
    expect(result.errors[0]?.kind).toBe('deadline');
    expect(result.errors[0]?.message).toContain('while running "workersNeeded > returns a whole number of workers, at least one"');
  }, 60_000);
});
