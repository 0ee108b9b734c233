/**
 * The Worker host in a real browser: the grader bundle runs in a module Web Worker in
 * headless Chromium and must reach the same verdicts as the Node host, under a Content
 * Security Policy without 'unsafe-eval'; and a loop that never ends is stopped by
 * `worker.terminate()` while the page stays responsive.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraderWorker } from '../../scripts/build-grader.ts';
import type { GradeResult, PortableGradeRequest } from '../../src/grader/index.ts';
import { fixtureRequest, gradeInFreshRealm } from '../unit/grader/fixtures.ts';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { loadExercise } from '../../src/content/exercises.ts';
import { exerciseGrade } from '../../src/grader/node/exercise-files.ts';

/**
 * The policy the worker script is served with: Blob-URL modules need `blob:` in
 * script-src, and nothing needs 'unsafe-eval'.
 */
const workerPolicy = "default-src 'self'; script-src 'self' blob:; worker-src 'self'";
const pagePolicy = "default-src 'self'; script-src 'self'; worker-src 'self'; img-src data:";

const compared = ['passing', 'failing-assertions', 'thrown-error', 'async', 'rejected-promise', 'syntax-error', 'missing-import', 'stray-timer', 'unhandled-rejection', 'global-pollution'] as const;

let outDir: string;
let server: Server;
let baseUrl: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'faultlines-grader-worker-'));
  const bundle = await buildGraderWorker(join(outDir, 'grader-worker.js'));
  const worker = readFileSync(bundle.outfile);
  server = createServer((request, response) => {
    if (request.url === '/grader-worker.js') {
      response.writeHead(200, { 'Content-Type': 'text/javascript', 'Content-Security-Policy': workerPolicy });
      response.end(worker);
    } else if (request.url === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': pagePolicy });
      // An empty icon, so that the page does not ask for /favicon.ico and log the 404.
      response.end('<!doctype html><title>grader</title><link rel="icon" href="data:,"><p>grader test page</p>');
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(`${baseUrl}/`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(outDir, { recursive: true, force: true });
});

/**
 * Grades one request in a fresh worker, as the page's Worker host does: `preloads` are
 * posted first, as the host posts an exercise's fixed files to its spare worker.
 */
function gradeInWorker(request: PortableGradeRequest, preloads: readonly Record<string, string>[] = []): Promise<GradeResult> {
  return page.evaluate(
    ({ req, pre }) =>
      new Promise<GradeResult>((resolve, reject) => {
        const worker = new Worker('/grader-worker.js', { type: 'module' });
        for (const files of pre) worker.postMessage({ type: 'preload', files });
        worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
        worker.onmessage = (event: MessageEvent<{ type: string; result?: GradeResult }>) => {
          if (event.data.type === 'ready') worker.postMessage({ type: 'grade', request: req });
          if (event.data.type === 'result' && event.data.result) {
            worker.terminate();
            resolve(event.data.result);
          }
        };
      }),
    { req: request, pre: preloads },
  );
}

/** The parts of a result both hosts must agree on. */
function verdicts(result: GradeResult) {
  return {
    tests: result.tests.map((t) => ({ name: t.name, status: t.status, message: t.message, diff: t.diff, location: t.location })),
    errors: result.errors.map((e) => ({ kind: e.kind, message: e.message, location: e.location })),
    summary: result.summary,
    ok: result.ok,
  };
}

describe('the grader in a Chromium module worker', () => {
  it('reaches the same verdicts as the Node host on every fixture', async () => {
    const requests = compared.map((name) => fixtureRequest(name));
    const inNode = gradeInFreshRealm(requests).map((run) => run.result);
    for (const [i, name] of compared.entries()) {
      const inWorker = await gradeInWorker(requests[i]!);
      expect(inWorker.host, name).toBe('worker');
      expect(verdicts(inWorker), name).toEqual(verdicts(inNode[i]!));
    }
  });

  it('gives the same verdicts with the files preloaded, and uses a preloaded module only for the same source', async () => {
    for (const name of ['passing', 'failing-assertions', 'syntax-error'] as const) {
      const request = fixtureRequest(name);
      const plain = await gradeInWorker(request);
      const preloaded = await gradeInWorker(request, [request.files]);
      expect(verdicts(preloaded), name).toEqual(verdicts(plain));
    }
    const spec = "import { expect, it } from 'vitest';\nimport { value } from './value.ts';\nit('reads the submitted file', () => { expect(value).toBe(2); });\n";
    const result = await gradeInWorker(
      { files: { 'value.ts': 'export const value = 2;\n', 'value.spec.ts': spec }, testFiles: ['value.spec.ts'] },
      [{ 'value.ts': 'export const value = 1;\n', 'value.spec.ts': spec }],
    );
    expect(verdicts(result).tests).toEqual([expect.objectContaining({ status: 'pass' })]);
    // A module loads afresh in every test file even when its factory came from the preload.
    const counter = 'export let count = 0;\nexport function bump(): number { return ++count; }\n';
    const counterSpec = (file: string) => `import { expect, it } from 'vitest';\nimport { bump } from './counter.ts';\nit('${file} starts from zero', () => { expect(bump()).toBe(1); });\n`;
    const files = { 'counter.ts': counter, 'a.spec.ts': counterSpec('a'), 'b.spec.ts': counterSpec('b') };
    const twice = await gradeInWorker({ files, testFiles: ['a.spec.ts', 'b.spec.ts'] }, [files]);
    expect(twice.summary).toEqual({ passed: 2, failed: 0, skipped: 0, total: 2 });
  });

  it('gives learner code the libraries its exercise offers: a balancer built on hdr-histogram-js passes, as in the Node host, and is refused where the library is not offered', async () => {
    const exercise = loadExercise('balancer-heterogeneous');
    expect(exercise.libraries).toEqual(['hdr-histogram-js']);
    const balancer = readFileSync(join(import.meta.dirname, '../fixtures/components/balancer-heterogeneous/alt-hdr-window/balancer.ts'), 'utf8');
    const { request } = exerciseGrade(exercise, { 'balancer.ts': balancer });
    const inWorker = await gradeInWorker(request);
    expect(inWorker.errors).toEqual([]);
    expect(inWorker.summary).toMatchObject({ passed: inWorker.summary.total, failed: 0 });
    expect(inWorker.summary.total).toBeGreaterThanOrEqual(16);
    expect(verdicts(inWorker)).toEqual(verdicts(gradeInFreshRealm([{ ...request, builtins: { '@faultlines/sim': 'real' } } as PortableGradeRequest])[0]!.result));
    const { libraries: _offered, ...notOffered } = request;
    const refused = await gradeInWorker(notOffered);
    expect(refused.ok).toBe(false);
    expect(refused.errors[0]?.message).toContain('Cannot import "hdr-histogram-js" in balancer.ts:24: this exercise does not offer the library hdr-histogram-js');
  });

  it("refuses the learner's files the hidden files, as the Node host does", async () => {
    const request: PortableGradeRequest = {
      files: {
        'answer.ts': "import { expected } from './answers.ts';\nexport const guess = (): number => expected;\n",
        'answers.ts': 'export const expected = 42;\n',
        'answer.spec.ts': "import { expect, it } from 'vitest';\nimport { guess } from './answer.ts';\nit('guesses', () => { expect(guess()).toBe(42); });\n",
      },
      testFiles: ['answer.spec.ts'],
      learnerFiles: ['answer.ts'],
      hiddenFiles: ['answers.ts'],
    };
    const inWorker = await gradeInWorker(request);
    expect(inWorker.ok).toBe(false);
    expect(inWorker.errors.map((e) => e.message)).toEqual([
      'Error: Cannot import "./answers.ts" in answer.ts:1: answers.ts is a file the exercise keeps hidden: it belongs to the tests.',
    ]);
    expect(verdicts(inWorker)).toEqual(verdicts(gradeInFreshRealm([request])[0]!.result));
  });

  it('stops a synchronous infinite loop with worker.terminate() while the page stays responsive', async () => {
    const request = fixtureRequest('infinite-loop');
    const outcome = await page.evaluate(
      ({ req, deadlineMs }) =>
        new Promise<{ running: string | undefined; stoppedAfterMs: number; ticks: number; passed: string[] }>((resolve) => {
          const worker = new Worker('/grader-worker.js', { type: 'module' });
          let running: string | undefined;
          const passed: string[] = [];
          let ticks = 0;
          // The main thread keeps ticking while the worker spins: that is what "responsive" means.
          const ticker = setInterval(() => ticks++, 20);
          let started = 0;
          worker.onmessage = (event: MessageEvent<{ type: string; event?: { type: string; name?: string; test?: { name: string; status: string } } }>) => {
            const message = event.data;
            if (message.type === 'ready') {
              started = performance.now();
              worker.postMessage({ type: 'grade', request: req });
              setTimeout(() => {
                worker.terminate();
                clearInterval(ticker);
                resolve({ running, stoppedAfterMs: performance.now() - started, ticks, passed });
              }, deadlineMs);
            } else if (message.type === 'event' && message.event?.type === 'test-start') {
              running = message.event.name;
            } else if (message.type === 'event' && message.event?.type === 'test-end' && message.event.test) {
              if (message.event.test.status === 'pass') passed.push(message.event.test.name);
              running = undefined;
            }
          };
        }),
      { req: request, deadlineMs: 1500 },
    );
    expect(outcome.running).toBe('spins until the deadline');
    expect(outcome.passed).toEqual(['finishes quickly']);
    expect(outcome.stoppedAfterMs).toBeLessThan(2500);
    // 1.5 s at one tick per 20 ms is 75 ticks; a blocked page would manage none.
    expect(outcome.ticks).toBeGreaterThan(30);
    // The page answers straight after the worker is gone.
    expect(await page.evaluate(() => document.querySelector('p')?.textContent)).toBe('grader test page');
  });
});
