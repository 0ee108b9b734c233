/**
 * The simulator must give the same run, byte for byte, in Node, on a browser page and in a
 * Web Worker. This bundles src/sim for the browser (which also proves it has no Node-only
 * imports), runs one seeded scenario in all three places and compares trace hashes.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';

/** What the scenario reports; equal results mean equal runs. */
interface Outcome {
  readonly hash: string;
  readonly events: number;
  readonly operations: number;
  readonly p99Ms: number;
  readonly availability: number;
}

const simEntry = resolve(import.meta.dirname, '../../src/sim/index.ts');

/**
 * The scenario, as source, so that exactly the same bundle runs everywhere. It exercises
 * async handlers, Promise.all, RPC timeouts, long-tail latencies (Math.exp and Math.log),
 * loss, duplication, capacity, a partition, a crash with disk recovery, and a Zipf workload.
 */
const scenarioSource = `
import { Simulation, exponential, logNormal, mixture, uniform } from ${JSON.stringify(simEntry)};

export async function runScenario(seed) {
  const sim = new Simulation({
    seed,
    network: {
      latency: mixture([[0.97, uniform(0.5, 3)], [0.03, logNormal({ p50Ms: 25, p99Ms: 300 })]]),
      dropProbability: 0.01,
      duplicateProbability: 0.005,
    },
  });
  const replicas = ['r1', 'r2', 'r3'];
  for (const name of replicas) {
    sim.addNode(name, (ctx) => {
      const data = new Map();
      return {
        onStart() {
          for (const key of ctx.disk.keys()) data.set(key, ctx.disk.read(key));
        },
        async onRequest({ body }) {
          if (body.kind === 'get') return { kind: 'get', value: data.get(body.key) ?? null };
          data.set(body.key, body.value);
          ctx.disk.write(body.key, body.value);
          await ctx.disk.sync();
          return { kind: 'put' };
        },
      };
    }, { capacity: { workers: 2, serviceTime: exponential(2), queueCapacity: 30 }, disk: { syncLatency: uniform(1, 4) } });
  }
  sim.addNode('coordinator', (ctx) => ({
    async onRequest({ body }) {
      if (body.kind === 'get') {
        return await ctx.rpc(replicas[ctx.random.int(replicas.length)], body, { timeoutMs: 60 });
      }
      const acks = await Promise.allSettled(replicas.map((r) => ctx.rpc(r, body, { timeoutMs: 60 })));
      if (acks.filter((a) => a.status === 'fulfilled').length < 2) throw new Error('no quorum');
      return { kind: 'put' };
    },
  }));
  sim.workload({
    target: 'coordinator',
    arrivals: { kind: 'open', ratePerS: 300 },
    keys: { count: 50, distribution: { zipfExponent: 1.1 } },
    mix: { get: 0.7, put: 0.3 },
    deadlineMs: 200,
    stopMs: 6000,
  });
  sim.partition([['coordinator'], ['r1']], { atMs: 1500, healAtMs: 2500 });
  sim.crash('r2', { atMs: 3000, restartAtMs: 3500 });
  sim.pause('r3', { atMs: 4000, resumeAtMs: 4100 });
  await sim.runUntilIdle();
  const summary = sim.summary();
  return {
    hash: sim.trace.hash,
    events: sim.eventsProcessed,
    operations: summary.operations,
    p99Ms: summary.latency.p99Ms,
    availability: summary.availability,
  };
}
`;

const workerSource = `
import { runScenario } from './sim.js';
self.onmessage = async (event) => self.postMessage(await runScenario(event.data));
`;

const SEED = 20_240_917;

let bundle = '';
let folder = '';
let server: Server;
let origin = '';
let browser: Browser;
let nodeOutcome: Outcome;

beforeAll(async () => {
  const result = await build({
    stdin: { contents: scenarioSource, resolveDir: import.meta.dirname, sourcefile: 'scenario.js', loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0]!.text;

  // Node runs the very same bundle.
  folder = mkdtempSync(join(tmpdir(), 'faultlines-sim-'));
  const file = join(folder, 'sim.mjs');
  writeFileSync(file, bundle);
  const mod = (await import(pathToFileURL(file).href)) as { runScenario(seed: number): Promise<Outcome> };
  nodeOutcome = await mod.runScenario(SEED);

  server = createServer((request, response) => {
    const files: Record<string, string> = {
      // An empty icon, so that the page does not ask for /favicon.ico and log the 404.
      '/': '<!doctype html><title>sim</title><link rel="icon" href="data:,">',
      '/sim.js': bundle,
      '/worker.js': workerSource,
    };
    const body = files[request.url ?? ''];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    const type = request.url === '/' ? 'text/html' : 'text/javascript';
    response.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The test server has no port.');
  origin = `http://127.0.0.1:${address.port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('the simulator in Chromium', () => {
  it('bundles for the browser without Node built-ins', () => {
    expect(bundle).not.toMatch(/from\s*["']node:/);
    expect(bundle).not.toMatch(/require\(["'](?:fs|path|os|crypto|zlib)["']\)/);
    expect(nodeOutcome.operations).toBeGreaterThan(1500);
    expect(nodeOutcome.availability).toBeLessThan(1);
  });

  it('produces the same trace hash on a page as in Node', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(origin + '/');
      // A string, not a function: vitest rewrites `import()` inside the test's own functions.
      const outcome: unknown = await page.evaluate(`import('/sim.js').then((mod) => mod.runScenario(${SEED}))`);
      expect(outcome).toEqual(nodeOutcome);
    } finally {
      await page.close();
    }
  });

  it('produces the same trace hash in a Web Worker as in Node', async () => {
    const page = await browser.context.newPage();
    try {
      await page.goto(origin + '/');
      const outcome = await page.evaluate(
        (seed) =>
          new Promise((resolve, reject) => {
            const worker = new Worker('/worker.js', { type: 'module' });
            worker.onmessage = (event) => {
              resolve(event.data);
              worker.terminate();
            };
            worker.onerror = (event) => reject(new Error(event.message));
            worker.postMessage(seed);
          }),
        SEED,
      );
      expect(outcome).toEqual(nodeOutcome);
    } finally {
      await page.close();
    }
  });
});
