/**
 * The workflow templates for teams (templates/github-actions/), run on this machine: every
 * `run:` step of each job, in order, in a workspace laid out as the runner's would be, with
 * the fixture course (tests/fixtures/exercises). The GitHub actions themselves (checkout,
 * setup-node, artifacts) and `npm ci` are not run; the test stands in for them: the
 * learners' repositories are folders under submissions/, the artifacts are the reports/
 * folder shared between jobs.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkReport, type GradeReport } from '../../../scripts/lib/grade-report.ts';

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const projectRoot = resolve(import.meta.dirname, '../../..');
const fixtures = join(projectRoot, 'tests', 'fixtures');

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly id?: string;
}
interface Job {
  readonly env?: Record<string, string>;
  readonly steps: readonly Step[];
  readonly needs?: string;
  readonly strategy?: { readonly matrix: Record<string, string> };
}
interface Workflow {
  readonly name: string;
  readonly permissions: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const workflow = (file: string): Workflow => yaml.load(readFileSync(join(projectRoot, 'templates', 'github-actions', file), 'utf8')) as Workflow;

let workspaces: string[] = [];
afterEach(() => {
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
  workspaces = [];
});

/** A runner's workspace: the course checked out (linked here), and nothing else. */
function workspace(): string {
  const w = mkdtempSync(join(tmpdir(), 'faultlines-workflow-'));
  workspaces.push(w);
  for (const entry of ['package.json', 'scripts', 'src', 'node_modules']) symlinkSync(join(projectRoot, entry), join(w, entry));
  return w;
}

/**
 * The fixture course in `<root>/exercises` and `<root>/solutions`, less weighted-pick, whose
 * tests check that they run with the exercise's own seed: the workflows grade for the record,
 * with fresh seeds. Returns the exercises folder.
 */
function course(root: string): string {
  for (const part of ['exercises', 'solutions']) {
    cpSync(join(fixtures, part), join(root, part), { recursive: true, filter: (path) => !path.includes('weighted-pick') });
  }
  return join(root, 'exercises');
}

/** A learner who has done every exercise, in their own words: the solutions, each with a line of their own, laid over the starters. */
function finished(into: string): string {
  cpSync(join(fixtures, 'exercises'), into, { recursive: true, filter: (path) => !path.includes('weighted-pick') });
  for (const id of readdirSync(join(fixtures, 'solutions')).filter((name) => name !== 'weighted-pick')) {
    for (const file of readdirSync(join(fixtures, 'solutions', id))) {
      writeFileSync(join(into, id, file), `${readFileSync(join(fixtures, 'solutions', id, file), 'utf8')}// mine\n`);
    }
  }
  return into;
}

function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    // GitHub runs `run:` steps with `bash -e {0}`; pipefail as its default shell does.
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs a job's `run:` steps in order, but `npm ci`; returns the exit code of the last step run. */
async function runJob(job: Job, cwd: string, env: Record<string, string>): Promise<{ code: number; ran: string[]; stderr: string }> {
  const ran: string[] = [];
  let last = { code: 0, stdout: '', stderr: '' };
  for (const step of job.steps) {
    if (step.run === undefined || step.run.trim() === 'npm ci') continue;
    last = await bash(step.run, cwd, env);
    ran.push(step.name ?? step.run);
    if (last.code !== 0) break;
  }
  return { code: last.code, ran, stderr: last.stderr };
}

const stepsUsing = (job: Job): string[] => job.steps.flatMap((s) => (s.uses !== undefined ? [s.uses] : []));

describe('the workflow for one learner (grade-my-work.yml)', { timeout: 120_000 }, () => {
  const flow = workflow('grade-my-work.yml');
  const job = flow.jobs['grade']!;

  it('reads the repository only, checks out, installs Node 22 and the course as the README says', () => {
    expect(flow.permissions).toEqual({ contents: 'read' });
    expect(stepsUsing(job)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4']);
    expect(job.steps[1]!.with).toMatchObject({ 'node-version': 22 });
    expect(job.steps.some((s) => s.run?.trim() === 'npm ci')).toBe(true);
    expect(job.env).toEqual({ LEARNER: '${{ github.repository_owner }}' });
  });

  it('grades a finished course, writes both reports and the summary, and passes', async () => {
    const w = workspace();
    const summary = join(w, 'summary.md');
    const exercises = course(join(w, 'course'));
    finished(exercises);
    const env = { LEARNER: 'alice', GITHUB_STEP_SUMMARY: summary, FAULTLINES_EXERCISES_DIR: exercises };
    const run = await runJob(job, w, env);
    expect(run.ran).toEqual(['Grade every exercise', 'Summary', 'Fail unless every exercise passed']);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(join(w, 'reports', 'alice.json'), 'utf8')) as GradeReport;
    expect(checkReport(report)).toEqual([]);
    expect(report).toMatchObject({ ok: true, seedRule: 'record' });
    expect(readFileSync(join(w, 'reports', 'alice.xml'), 'utf8')).toContain('<testsuites name="Fault Lines"');
    expect(readFileSync(summary, 'utf8')).toContain('| alice | 3/3 |');
    expect(existsSync(join(w, 'cohort-report', 'summary.html'))).toBe(true);
  });

  it('fails at its last step when an exercise fails, after publishing everything', async () => {
    const w = workspace();
    const summary = join(w, 'summary.md');
    const run = await runJob(job, w, { LEARNER: 'bob', GITHUB_STEP_SUMMARY: summary, FAULTLINES_EXERCISES_DIR: course(join(w, 'course')) });
    expect(run.ran).toEqual(['Grade every exercise', 'Summary', 'Fail unless every exercise passed']);
    expect(run.code).toBe(1);
    expect(readFileSync(summary, 'utf8')).toContain('| bob | 0/3 |');
  });
});

describe('the workflow for a cohort (grade-cohort.yml)', { timeout: 120_000 }, () => {
  const flow = workflow('grade-cohort.yml');

  it('lists the learners, grades each in its own job, then merges every report', () => {
    expect(Object.keys(flow.jobs)).toEqual(['learners', 'grade', 'summary']);
    expect(flow.jobs['grade']!.needs).toBe('learners');
    expect(flow.jobs['grade']!.strategy!.matrix).toEqual({ learner: '${{ fromJSON(needs.learners.outputs.list) }}' });
    expect(stepsUsing(flow.jobs['grade']!)).toEqual(['actions/checkout@v4', 'actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4']);
    expect(stepsUsing(flow.jobs['summary']!)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/download-artifact@v4', 'actions/upload-artifact@v4']);
    // A learner's name reaches the scripts through the environment only, never pasted into them.
    for (const job of Object.values(flow.jobs)) for (const step of job.steps) expect(step.run ?? '').not.toContain('${{');
  });

  it('runs end to end for two learners: one done, one who has started two exercises', async () => {
    const w = workspace();
    writeFileSync(
      join(w, 'cohort.json'),
      JSON.stringify({ learners: [{ name: 'alice', repository: 'alice/fault-lines' }, { name: 'bob', repository: 'bob/fault-lines' }] }),
    );
    const output = join(w, 'output.txt');
    const listed = await runJob(flow.jobs['learners']!, w, { GITHUB_OUTPUT: output });
    expect(listed.code).toBe(0);
    const list = JSON.parse(/^list=(.*)$/m.exec(readFileSync(output, 'utf8'))![1]!) as { name: string; repository: string }[];
    expect(list.map((l) => l.name)).toEqual(['alice', 'bob']);

    // What the second checkout step brings: each learner's repository under submissions/.
    finished(join(w, 'submissions', 'alice', 'exercises'));
    for (const id of ['percentile', 'slo-check']) {
      mkdirSync(join(w, 'submissions', 'bob', 'exercises', id), { recursive: true });
      cpSync(join(fixtures, 'solutions', id), join(w, 'submissions', 'bob', 'exercises', id), { recursive: true });
    }
    const exercises = course(join(w, 'course'));
    for (const learner of list) {
      const graded = await runJob(flow.jobs['grade']!, w, { LEARNER: learner.name, FAULTLINES_EXERCISES_DIR: exercises });
      expect(graded.ran).toEqual(["Grade the learner's exercises"]);
      expect(graded.code).toBe(0);
    }

    const summary = join(w, 'summary.md');
    const merged = await runJob(flow.jobs['summary']!, w, { GITHUB_STEP_SUMMARY: summary });
    expect(merged.code).toBe(0);
    const text = readFileSync(summary, 'utf8');
    expect(text).toMatch(/\| alice \| 3\/3 \| ✓ \d+\/\d+ \| ✓ \d+\/\d+ \| ✓ \d+\/\d+ \|/);
    expect(text).toMatch(/\| bob \| 2\/3 \| ✓ \d+\/\d+ \| ✓ \d+\/\d+ \| no files \|/);
    expect(readFileSync(join(w, 'cohort-report', 'summary.csv'), 'utf8')).toContain('bob,token-bucket,missing,0,0,');
  });
});
