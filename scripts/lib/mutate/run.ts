/**
 * Running Stryker on one exercise's workspace, bounded in time, and reading its report.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Exercise } from '../../../src/content/exercises.ts';
import { duration } from './format.ts';
import { summarise, type MutationReport, type Summary } from './report.ts';
import { LOG_FILE, REPORT_FILE, STRYKER_CONFIG_FILE, buildWorkspace, projectRoot, type WorkspaceOptions } from './workspace.ts';

const strykerBin = join(projectRoot, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');

export type RunStatus = 'complete' | 'incomplete' | 'error';

export interface ExerciseResult {
  readonly id: string;
  readonly status: RunStatus;
  readonly durationMs: number;
  /** Present when the run completed. */
  readonly summary?: Summary;
  /** Why the run did not complete, with the end of Stryker's output. */
  readonly detail?: string;
  /** The workspace, when it was kept. */
  readonly workspace?: string;
}

function tail(path: string, lines: number): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Processes we started and have not seen end, so that an interrupt stops them too. */
const running = new Set<number>();

function killGroup(pid: number): void {
  try {
    // The child leads a process group of its own (detached), which holds Stryker's workers.
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Stops every Stryker run still going, with its workers (on an interrupt). */
export function stopAll(): void {
  for (const pid of running) killGroup(pid);
}

/** Runs Stryker in `dir`, its output to the log file, stopped (with its workers) after `timeoutMs`. */
function runStryker(dir: string, timeoutMs: number): Promise<{ code: number | null; timedOut: boolean }> {
  const log = openSync(join(dir, LOG_FILE), 'w');
  return new Promise((done) => {
    const child = spawn(process.execPath, [strykerBin, 'run', STRYKER_CONFIG_FILE], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let timedOut = false;
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid);
    }, timeoutMs);
    let settled = false;
    const finish = (code: number | null): void => {
      if (settled) return; // 'error' and 'exit' can both fire for one child
      settled = true;
      clearTimeout(timer);
      if (pid !== undefined) {
        running.delete(pid);
        // Any worker left behind by a crash goes with its group.
        killGroup(pid);
      }
      closeSync(log);
      done({ code, timedOut });
    };
    child.on('error', () => finish(null));
    child.on('exit', (code) => finish(code));
  });
}

export interface RunOptions extends WorkspaceOptions {
  readonly timeoutMs: number;
  /** Keep every workspace; by default only those of runs that did not complete are kept. */
  readonly keep: boolean;
  /** Where the workspaces go. */
  readonly baseDir: string;
}

export async function mutateExercise(exercise: Exercise, options: RunOptions): Promise<ExerciseResult> {
  const started = Date.now();
  const dir = join(options.baseDir, exercise.id);
  buildWorkspace(exercise, dir, options);
  const { code, timedOut } = await runStryker(dir, options.timeoutMs);
  const durationMs = Date.now() - started;
  const reportPath = join(dir, REPORT_FILE);
  let result: ExerciseResult;
  if (!timedOut && code === 0 && existsSync(reportPath)) {
    const summary = summarise(JSON.parse(readFileSync(reportPath, 'utf8')) as MutationReport);
    result = { id: exercise.id, status: 'complete', durationMs, summary, ...(options.keep ? { workspace: dir } : {}) };
  } else {
    const why = timedOut
      ? `stopped after ${duration(options.timeoutMs)} (--timeout-min), before Stryker finished`
      : `Stryker exited with code ${String(code)} and ${existsSync(reportPath) ? 'a report' : 'no report'}`;
    result = { id: exercise.id, status: timedOut ? 'incomplete' : 'error', durationMs, detail: `${why}\n${tail(join(dir, LOG_FILE), 25)}`, workspace: dir };
  }
  if (result.workspace === undefined) rmSync(dir, { recursive: true, force: true });
  return result;
}
