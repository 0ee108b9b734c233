import { describe, expect, it } from 'vitest';
import type { GradeResult } from '../../../src/grader/types.ts';
import type { GradingHost, Submission } from '../../../src/runtime/hosts/host.ts';
import { AdaptiveHost, webcontainerBlocker, withDeadline } from '../../../src/runtime/hosts/select-host.ts';

const submission: Submission = { exerciseId: 'x', files: {}, testFiles: [], seed: 1, testTimeoutMs: 1000, runTimeoutMs: 1000 };

function stubHost(name: 'webcontainer' | 'worker'): GradingHost & { runs: number } {
  const host = {
    name,
    runs: 0,
    async grade(): Promise<GradeResult> {
      host.runs++;
      return { host: name } as GradeResult;
    },
  };
  return host;
}

describe('choosing where tests run', () => {
  it("hands the learner's Stop to whichever host runs the tests", async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const recording = (name: 'webcontainer' | 'worker'): GradingHost => ({
      name,
      async grade(_submission, _onEvent, signal) {
        signals.push(signal);
        return { host: name } as GradeResult;
      },
    });
    const stop = new AbortController();
    const booting = new AdaptiveHost(() => new Promise<GradingHost>(() => undefined), undefined, recording('worker'));
    await booting.grade(submission, () => undefined, stop.signal);
    let finishBoot: (host: GradingHost) => void = () => undefined;
    const booted = new AdaptiveHost(() => new Promise<GradingHost>((r) => (finishBoot = r)), undefined, recording('worker'));
    finishBoot(recording('webcontainer'));
    await new Promise((r) => setTimeout(r, 0));
    expect((await booted.grade(submission, () => undefined, stop.signal)).host).toBe('webcontainer');
    expect(signals).toEqual([stop.signal, stop.signal]);
  });

  it('grades on the worker at once, without waiting, while the WebContainer is still booting, and says so plainly', async () => {
    const worker = stubHost('worker');
    const adaptive = new AdaptiveHost(() => new Promise<GradingHost>(() => undefined), undefined, worker);
    // The boot never settles (as offline); the grade must not wait for it at all.
    const result = await withDeadline(adaptive.grade(submission, () => undefined), 20);
    expect(result?.host).toBe('worker');
    expect(adaptive.note.summary).toBe('Your tests ran in this browser tab.');
    expect(adaptive.note.details).toContain('is still starting');
    expect(adaptive.note.details).toContain('Once the runtime has started, your next run uses it.');
  });

  it('switches to the WebContainer for the next run once a late boot succeeds', async () => {
    const worker = stubHost('worker');
    const container = stubHost('webcontainer');
    let finishBoot: (host: GradingHost) => void = () => undefined;
    const adaptive = new AdaptiveHost(() => new Promise<GradingHost>((r) => (finishBoot = r)), undefined, worker);
    expect((await adaptive.grade(submission, () => undefined)).host).toBe('worker');
    finishBoot(container);
    await new Promise((r) => setTimeout(r, 0));
    expect((await adaptive.grade(submission, () => undefined)).host).toBe('webcontainer');
    expect(adaptive.note.summary).toBe('Your tests ran in Node.js, inside this browser tab.');
    expect(adaptive.note.details).toContain('WebContainer');
  });

  it('falls back to the worker when a WebContainer run fails', async () => {
    const worker = stubHost('worker');
    const broken: GradingHost = { name: 'webcontainer', grade: () => Promise.reject(new Error('process crashed')) };
    const adaptive = new AdaptiveHost(async () => broken, undefined, worker);
    await new Promise((r) => setTimeout(r, 0));
    expect((await adaptive.grade(submission, () => undefined)).host).toBe('worker');
    expect(adaptive.note.details).toContain('failed during the run (process crashed)');
  });

  it('never boots when the page cannot run WebContainers, and says why', async () => {
    let booted = false;
    const adaptive = new AdaptiveHost(
      async () => {
        booted = true;
        return stubHost('webcontainer');
      },
      webcontainerBlocker({ crossOriginIsolated: false, hasSharedArrayBuffer: true, hasWebAssembly: true }),
      stubHost('worker'),
    );
    await adaptive.grade(submission, () => undefined);
    expect(booted).toBe(false);
    expect(adaptive.note.details).toContain('cannot run here: this page is not cross-origin isolated');
  });

  it('races a promise against a deadline', async () => {
    expect(await withDeadline(new Promise(() => undefined), 10)).toBeUndefined();
    expect(await withDeadline(Promise.resolve(3), 1000)).toBe(3);
    await expect(withDeadline(Promise.reject(new Error('no')), 1000)).rejects.toThrow('no');
  });
});
