import { describe, expect, it } from 'vitest';
import { RunSupervisor, WATCHDOG_GRACE_MS, type StopReason, type SupervisorClock } from '../../../src/grader/supervisor.ts';
import type { CollectedTest, GradeEvent, TestResult } from '../../../src/grader/types.ts';

/** A clock the test moves by hand: timers fire only when `advance` passes them. */
function manualClock(): SupervisorClock & { advance(ms: number): void } {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = end;
    },
  };
}

const tests: CollectedTest[] = ['first', 'second', 'third', 'fourth'].map((title, i) => ({
  id: `t${i}`,
  name: `suite > ${title}`,
  title,
  ancestors: ['suite'],
  file: 'pool.test.ts',
}));
const start = (i: number): GradeEvent => ({ type: 'test-start', id: tests[i]!.id, name: tests[i]!.name, file: tests[i]!.file });
const end = (i: number, status: TestResult['status'] = 'pass'): GradeEvent => ({
  type: 'test-end',
  test: { ...tests[i]!, status, durationMs: 10 },
});
const log = (text: string): GradeEvent => ({ type: 'log', line: { stream: 'stdout', text } });

function supervise(limits = { testTimeoutMs: 1_000, runTimeoutMs: 5_000 }) {
  const clock = manualClock();
  const stops: StopReason[] = [];
  const supervisor = new RunSupervisor({ testFiles: ['pool.test.ts'], seed: 7, ...limits }, (reason) => stops.push(reason), clock);
  supervisor.start();
  supervisor.observe({ type: 'collected', tests });
  return { clock, stops, supervisor };
}

describe('the run supervisor', () => {
  it('stops a test that runs past its limit plus the grace, and names it', () => {
    const { clock, stops, supervisor } = supervise();
    supervisor.observe(start(0));
    clock.advance(1_000 + WATCHDOG_GRACE_MS - 1);
    expect(stops).toEqual([]);
    clock.advance(1);
    expect(stops).toEqual(['test-limit']);
    expect(supervisor.stoppedResult('test-limit').errors[0]?.message).toBe(
      'Stopped after 1.5 s while running "suite > first": one test may take 1 s, and the code did not finish. Look for a loop that never ends, or memory that keeps growing.',
    );
  });

  it('is not kept alive by console output: a loop that prints is stopped like a silent one', () => {
    const { clock, stops, supervisor } = supervise();
    supervisor.observe(start(0));
    for (let i = 0; i < 10 && stops.length === 0; i++) {
      clock.advance(400);
      supervisor.observe(log(`still going ${i}`));
    }
    expect(stops).toEqual(['test-limit']);
    // The lines printed before the stop are kept for the learner.
    expect(supervisor.stoppedResult('test-limit').logs.map((l) => l.text)).toEqual(['still going 0', 'still going 1', 'still going 2']);
  });

  it('stops the whole run at its limit even when every test finishes within its own', () => {
    const { clock, stops, supervisor } = supervise({ testTimeoutMs: 1_000, runTimeoutMs: 2_500 });
    for (let i = 0; i < 4 && stops.length === 0; i++) {
      supervisor.observe(start(i));
      clock.advance(900);
      if (stops.length === 0) supervisor.observe(end(i));
    }
    expect(stops).toEqual(['run-limit']);
    expect(supervisor.stoppedResult('run-limit').errors[0]?.message).toMatch(/^Stopped after 2\.5 s while running "suite > third": the whole run may take 2\.5 s/);
  });

  it('stops at once when the learner presses Stop, failing no test for it, and ignores progress reports', () => {
    const { clock, stops, supervisor } = supervise();
    supervisor.observe(start(0));
    supervisor.observe(end(0, 'pass'));
    supervisor.observe(start(1));
    clock.advance(1_200);
    supervisor.observe({ type: 'progress', simulatedMs: 8_000, untilMs: 21_500, test: tests[1]!.name });
    supervisor.cancel();
    expect(stops).toEqual(['cancelled']);
    // Nothing more happens once stopped: no limit fires later.
    clock.advance(10_000);
    supervisor.cancel();
    expect(stops).toEqual(['cancelled']);
    const result = supervisor.stoppedResult('cancelled');
    expect(result.errors).toEqual([
      { kind: 'cancelled', message: 'You stopped the run after 1.2 s while running "suite > second". Your code is as you left it; run the tests again when you are ready.', test: 'suite > second' },
    ]);
    expect(result.tests.map((t) => [t.title, t.status, t.note ?? t.message])).toEqual([
      ['first', 'pass', undefined],
      ['second', 'skip', 'Not finished: you stopped the run while this test ran.'],
      ['third', 'skip', 'Not run: you stopped the run before this test.'],
      ['fourth', 'skip', 'Not run: you stopped the run before this test.'],
    ]);
    expect(result.ok).toBe(false);
  });

  it('lists every test of a stopped run: finished ones with their verdicts, the stopped one, and the rest as not run', () => {
    const { clock, supervisor } = supervise();
    supervisor.observe(start(0));
    supervisor.observe(end(0, 'pass'));
    supervisor.observe(start(1));
    supervisor.observe(end(1, 'fail'));
    supervisor.observe(start(2));
    clock.advance(2_000);
    const result = supervisor.stoppedResult('test-limit');
    expect(result.tests.map((t) => [t.title, t.status, t.note ?? t.message])).toEqual([
      ['first', 'pass', undefined],
      ['second', 'fail', undefined],
      ['third', 'fail', 'Stopped: this test did not finish (one test may take 1 s).'],
      ['fourth', 'skip', 'Not run: the run was stopped before this test.'],
    ]);
    expect(result.summary).toEqual({ passed: 1, failed: 2, skipped: 1, total: 4 });
    expect(result.ok).toBe(false);
    expect(result.seed).toBe(7);
  });

  it('says a loop while loading the files stopped the run before any test was listed', () => {
    const clock = manualClock();
    const supervisor = new RunSupervisor({ testFiles: ['pool.test.ts'], testTimeoutMs: 1_000, runTimeoutMs: 5_000 }, () => {}, clock);
    supervisor.start();
    clock.advance(1_500);
    const result = supervisor.stoppedResult('test-limit');
    expect(result.errors[0]?.message).toMatch(/^Stopped after 1\.5 s while loading your files/);
    expect(result.tests).toEqual([]);
  });

  it('does nothing more once the run has finished by itself', () => {
    const { clock, stops, supervisor } = supervise();
    supervisor.observe(start(0));
    supervisor.finish();
    clock.advance(60_000);
    expect(stops).toEqual([]);
    expect(supervisor.stopped).toBeUndefined();
  });

  it('restarts both clocks when the grader says it is ready, once it has loaded', () => {
    const { clock, stops, supervisor } = supervise({ testTimeoutMs: 1_000, runTimeoutMs: 3_000 });
    clock.advance(1_000);
    supervisor.start();
    clock.advance(1_400);
    expect(stops).toEqual([]);
    supervisor.observe(start(0));
    supervisor.observe(end(0));
    clock.advance(1_200);
    supervisor.observe(start(1));
    clock.advance(500);
    expect(stops).toEqual(['run-limit']);
  });
});
