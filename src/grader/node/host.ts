/**
 * The Node host: grades a submission in a fresh child process with a hard deadline.
 * One child per grade means a fresh realm every time (no globals, prototypes or timers left
 * over from an earlier submission), and a loop that never ends costs one SIGKILL.
 */
import { spawn } from 'node:child_process';
import type { GradeEvent, GradeResult, HostMessage, PortableGradeRequest, TestResult } from '../types.ts';
import { childEntry } from './child-bundle.ts';

/** @default How long the tests may take, counted from the moment the grader is loaded. */
export const defaultDeadlineMs = 10_000;
/** @default How long the child may take to start and load the grader. */
export const defaultStartupLimitMs = 30_000;

export interface NodeHostOptions {
  /** Wall time for the grade itself; past it the child is killed. @default 10000 */
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
  const finished: TestResult[] = [];
  let running: { name: string; file: string; id: string } | undefined;
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // Keep the head of what a crashing child said; that is where the reason is.
    if (stderr.length < 20_000) stderr += chunk;
  });

  return new Promise<GradeResult>((resolve) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (result: GradeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(result);
    };
    const partial = (kind: 'deadline' | 'internal', message: string): GradeResult => {
      const tests = [...finished];
      if (running) {
        tests.push({ id: running.id, name: running.name, title: running.name, ancestors: [], file: running.file, status: 'fail', durationMs: 0, message });
      }
      const passed = tests.filter((t) => t.status === 'pass').length;
      const failed = tests.filter((t) => t.status === 'fail').length;
      const durationMs = Math.round(performance.now() - started);
      return {
        ok: false,
        tests,
        logs: [],
        droppedLogLines: 0,
        errors: [{ kind, message, ...(running ? { test: running.name, file: running.file } : {}) }],
        summary: { passed, failed, skipped: tests.length - passed - failed, total: tests.length },
        durationMs,
        hostDurationMs: durationMs,
        testsDurationMs: tests.reduce((sum, t) => sum + t.durationMs, 0),
        host: 'node',
      };
    };
    const arm = (ms: number, onExpiry: () => void): void => {
      clearTimeout(timer);
      timer = setTimeout(onExpiry, ms);
    };

    arm(options.startupLimitMs ?? defaultStartupLimitMs, () => {
      finish(partial('internal', 'the grading process did not start in time'));
    });

    child.on('message', (message: HostMessage) => {
      if (message.type === 'ready') {
        arm(deadlineMs, () => {
          const seconds = Math.round(deadlineMs / 100) / 10;
          const where = running ? ` (the test "${running.name}" was running)` : '';
          finish(partial('deadline', `stopped after ${seconds} s: the code did not finish — look for a loop that never ends${where}`));
        });
        return;
      }
      if (message.type === 'result') {
        finish({ ...message.result, hostDurationMs: Math.round((performance.now() - started) * 100) / 100 });
        return;
      }
      const event = message.event;
      if (event.type === 'test-start') running = { id: event.id, name: event.name, file: event.file };
      else if (event.type === 'test-end') {
        finished.push(event.test);
        running = undefined;
      }
      options.onEvent?.(event);
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      const said = stderr.trim() ? `\n${stderr.trim()}` : '';
      finish(partial('internal', `the grading process exited early (${signal ?? `code ${code}`})${said}`));
    });
    child.on('error', (error) => finish(partial('internal', `the grading process could not start: ${error.message}`)));
    child.send({ request, simEntry: entry.simEntry });
  });
}
