/**
 * The Node host: grades a submission in a fresh child process with a hard deadline.
 * One child per grade means a fresh realm every time (no globals, prototypes or timers left
 * over from an earlier submission), and a loop that never ends costs one SIGKILL.
 */
import { spawn } from 'node:child_process';
import { RunSupervisor } from '../supervisor.ts';
import type { GradeEvent, GradeResult, HostMessage, PortableGradeRequest } from '../types.ts';
import { defaultTestTimeoutMs } from '../grade.ts';
import { childEntry } from './child-bundle.ts';

/** @default How long the tests may take, counted from the moment the grader is loaded. */
export const defaultDeadlineMs = 10_000;
/** @default How long the child may take to start and load the grader. */
export const defaultStartupLimitMs = 30_000;

export interface NodeHostOptions {
  /**
   * Wall time for the whole grade, from the moment the grader is loaded; past it the child
   * is killed. Each test is also bounded, by the request's `testTimeoutMs` plus a grace
   * (see supervisor.ts). @default 10000
   */
  readonly deadlineMs?: number;
  /** Wall time for starting the child and loading the grader. @default 30000 */
  readonly startupLimitMs?: number;
  readonly onEvent?: (event: GradeEvent) => void;
}

/** Grades in a child process; resolves with a result even when the child is killed or crashes. */
export async function gradeInChild(request: PortableGradeRequest, options: NodeHostOptions = {}): Promise<GradeResult> {
  const deadlineMs = options.deadlineMs ?? defaultDeadlineMs;
  const started = performance.now();
  const entry = await childEntry();
  const child = spawn(process.execPath, [entry.childPath], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // Keep the head of what a crashing child said; that is where the reason is.
    if (stderr.length < 20_000) stderr += chunk;
  });

  return new Promise<GradeResult>((resolve) => {
    let settled = false;
    let startup: ReturnType<typeof setTimeout> | undefined;
    const finish = (result: GradeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(startup);
      supervisor.finish();
      child.kill('SIGKILL');
      resolve(result);
    };
    const supervisor = new RunSupervisor(
      { testFiles: request.testFiles, testTimeoutMs: request.testTimeoutMs ?? defaultTestTimeoutMs, runTimeoutMs: deadlineMs, ...(request.seed === undefined ? {} : { seed: request.seed }) },
      (reason) => finish({ ...supervisor.stoppedResult(reason), host: 'node' }),
    );
    const crashed = (message: string): GradeResult => ({ ...supervisor.stoppedResult('crash', message), host: 'node' });

    startup = setTimeout(() => finish(crashed('The grading process did not start in time.')), options.startupLimitMs ?? defaultStartupLimitMs);

    child.on('message', (message: HostMessage) => {
      if (message.type === 'ready') {
        clearTimeout(startup);
        supervisor.start();
        return;
      }
      if (message.type === 'result') {
        finish({ ...message.result, hostDurationMs: Math.round((performance.now() - started) * 100) / 100 });
        return;
      }
      supervisor.observe(message.event);
      options.onEvent?.(message.event);
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      const said = stderr.trim() ? `\n${stderr.trim()}` : '';
      finish(crashed(`The grading process exited early (${signal ?? `code ${code}`}).${said}`));
    });
    child.on('error', (error) => finish(crashed(`The grading process could not start: ${error.message}.`)));
    child.send({ request, simEntry: entry.simEntry });
  });
}
