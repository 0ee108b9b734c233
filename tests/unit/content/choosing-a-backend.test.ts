/**
 * Recomputes every number the lesson "Choosing a backend" derives — the smooth weighted
 * round robin order, the balls-into-bins table, the supermarket-model table and the
 * simulator runs — with the module's reference code, and checks that the lesson prints
 * exactly those strings. Figures quoted from papers and documentation are not recomputed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/sim/index.ts';
import {
  SLOW_BACKEND,
  buildPolicyRun,
  maxLoadBallsIntoBins,
  supermarketTimeInSystem,
  weightedRoundRobin,
  type PolicyName,
} from '../../../src/scenarios/load-balancing-policies.ts';
import { proseOf } from './mdx-prose.ts';

const lesson = readFileSync(new URL('../../../content/load-balancing/choosing-a-backend.mdx', import.meta.url), 'utf8');

function expectInLesson(...snippets: string[]): void {
  for (const snippet of snippets) expect(lesson.includes(snippet), `the lesson should contain: ${snippet}`).toBe(true);
}

const num = (value: number, decimals = 0): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

function wrrOrder(weights: Record<string, number>, picks: number): string {
  const picker = weightedRoundRobin(weights);
  const backends = Object.keys(weights).map((name) => ({ name, outstanding: 0 }));
  return Array.from({ length: picks }, (_, i) => picker.pick(backends, i)).join(' ');
}

async function p99(policy: PolicyName, ratePerS: number, slowLinkMs: number) {
  const run = buildPolicyRun({ policy, ratePerS, slowLinkMs, durationMs: 5_000, seed: 42 });
  await run.sim.runUntil(run.durationMs);
  return run.sim.summary().latency;
}

describe('Choosing a backend: weighted round robin', () => {
  it('smooth weighted round robin interleaves weights 5, 1, 1 as the lesson shows', () => {
    expectInLesson(`\`\`\`text\n${wrrOrder({ a: 5, b: 1, c: 1 }, 7)}\n\`\`\``);
  });

  it('the quiz answer for weights 3, 1 is the order the code produces', () => {
    expectInLesson(`{ text: "<code>${wrrOrder({ a: 3, b: 1 }, 4)}</code>", correct: true`);
  });
});

describe('Choosing a backend: balls into bins', () => {
  const sizes = [1_000, 10_000, 100_000, 1_000_000];
  const rows = sizes.map((n) => {
    const one = maxLoadBallsIntoBins(n, 1, new Random(1).fork(`one-${n}`));
    const two = maxLoadBallsIntoBins(n, 2, new Random(1).fork(`two-${n}`));
    return { n, one, two, oneFormula: Math.log(n) / Math.log(Math.log(n)), twoFormula: Math.log(Math.log(n)) / Math.log(2) };
  });

  it('prints the seeded maximum loads and the two formulas for every n', () => {
    for (const r of rows) {
      expectInLesson(`| ${num(r.n)} | ${r.oneFormula.toFixed(2)} | ${r.one} | ${r.twoFormula.toFixed(2)} | ${r.two} |`);
    }
  });

  it('shows the gap: two choices never fill a bin as far as one choice does', () => {
    for (const r of rows) expect(r.two).toBeLessThan(r.one);
    const million = rows[rows.length - 1]!;
    expect(million.one).toBeGreaterThanOrEqual(2 * million.two);
    expectInLesson(`the fullest bin holds ${million.one} balls with one random choice and ${million.two} with the better of two`);
    expectInLesson(`the fullest bin held ${million.one} balls with one choice and ${million.two} with two`);
  });
});

describe('Choosing a backend: the supermarket model', () => {
  const loads = [0.5, 0.8, 0.9, 0.95, 0.99];

  it('prints the expected time in system for d = 1, 2 and 3', () => {
    for (const lambda of loads) {
      const [one, two, three] = [1, 2, 3].map((d) => supermarketTimeInSystem(lambda, d).toFixed(2));
      expectInLesson(`| ${Math.round(lambda * 100)}% | ${one} | ${two} | ${three} |`);
    }
  });

  it('quotes the 50%, 90% and 99% figures in the prose and the quiz', () => {
    const t = (lambda: number, d: number) => supermarketTimeInSystem(lambda, d).toFixed(2);
    expectInLesson(`random costs you a factor of ${t(0.5, 1)} and two choices a factor of ${t(0.5, 2)}`);
    expectInLesson(`At 99% busy, random costs ${t(0.99, 1)} and two choices ${t(0.99, 2)}`);
    expectInLesson(`the model gives ${t(0.9, 1)} service times for random and ${t(0.9, 2)} for two choices`);
    expectInLesson(`1/(1 − 0.9) = ${Math.round(1 / (1 - 0.9))} for random`);
    // The series written out in the quiz: exponents 2^i − 2.
    expect([1, 2, 3, 4].map((i) => 2 ** i - 2)).toEqual([0, 2, 6, 14]);
    expectInLesson(`1 + 0.9² + 0.9⁶ + 0.9¹⁴ + … is about ${t(0.9, 2)}`);
  });

  it('a third choice helps far less than the second', () => {
    const gain2 = supermarketTimeInSystem(0.99, 1) / supermarketTimeInSystem(0.99, 2);
    const gain3 = supermarketTimeInSystem(0.99, 2) / supermarketTimeInSystem(0.99, 3);
    expect(gain2).toBeGreaterThan(10 * gain3);
  });
});

describe('Choosing a backend: the simulator', () => {
  it('states the capacity of five backends with 4 workers at 5 ms', () => {
    const capacity = (5 * 4 * 1000) / 5;
    expectInLesson(`serve ${num(capacity)} requests per second between them`);
    expectInLesson(`raise the rate to ${num(3_400)} requests per second, ${Math.round((3_400 / capacity) * 100)}% of capacity`);
  });

  it('reproduces the p99 latencies with a slow link at 2,400 requests per second', async () => {
    const [roundRobin, least, two] = await Promise.all([
      p99('round-robin', 2_400, 10),
      p99('least-outstanding', 2_400, 10),
      p99('two-choices', 2_400, 10),
    ]);
    expectInLesson(
      `p99 latency is ${roundRobin.p99Ms.toFixed(1)} ms under round robin, ${least.p99Ms.toFixed(1)} ms under least ` +
        `outstanding requests and ${two.p99Ms.toFixed(1)} ms under two random choices`,
    );
  });

  it('reproduces random against two choices at 85% utilisation', async () => {
    const [random, two] = await Promise.all([p99('random', 3_400, 0), p99('two-choices', 3_400, 0)]);
    expectInLesson(
      `random assignment has a median of ${random.p50Ms.toFixed(1)} ms and a p99 of ${random.p99Ms.toFixed(1)} ms; ` +
        `two random choices have a median of ${two.p50Ms.toFixed(1)} ms and a p99 of ${two.p99Ms.toFixed(1)} ms`,
    );
  });
});

describe('Choosing a backend: least outstanding requests needs overlap', () => {
  async function slowShare(policy: PolicyName, ratePerS: number, durationMs: number): Promise<number> {
    const run = buildPolicyRun({ policy, ratePerS, slowLinkMs: 10, durationMs, seed: 42 });
    await run.sim.runUntil(run.durationMs);
    const total = [...run.sent.values()].reduce((sum, n) => sum + n, 0);
    return run.sent.get(SLOW_BACKEND)! / total;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

  it('calls the local count a limitation, as the SRE book does, and prices it for many clients', () => {
    expect(lesson.includes('That is fine: every client is pushed the same way'), 'the local count is a limitation, not fine').toBe(false);
    expectInLesson('lists exactly this as one of two limitations of its least-loaded round robin');
    expectInLesson('about twice the CPU of the least loaded');
    const rate = 2_400;
    const clients = 240;
    expectInLesson(`the ${num(rate)} requests per second of the simulator below, spread over ${clients} clients, is ${rate / clients} requests per second each`);
    expectInLesson(`at ${rate / clients} requests per second, near round robin's`);
    expectInLesson('https://sre.google/sre-book/load-balancing-datacenter/');
  });

  it('steers away from a slow backend under load, and hardly at all at a trickle', async () => {
    const [busy, trickle, roundRobin] = await Promise.all([
      slowShare('least-outstanding', 2_400, 5_000),
      slowShare('least-outstanding', 10, 60_000),
      slowShare('round-robin', 10, 60_000),
    ]);
    // At 10 requests per second the counts are almost always 0 and the random tie-break picks.
    expect(trickle).toBeGreaterThan(0.15);
    expect(busy).toBeLessThan(trickle / 3);
    expectInLesson(
      `least outstanding requests sends that backend ${pct(busy)} of the requests at ${num(2_400)} requests per second, ` +
        `but ${pct(trickle)} at 10 requests per second, near round robin's ${pct(roundRobin)} (seeded runs of five seconds and of a minute)`,
    );
  });
});

describe('Choosing a backend: the page itself', () => {
  it('keeps MDX-special characters out of the prose and starts the body below the title', () => {
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose), 'the page renders the title; the body must not add an H1').toBe(false);
    expectInLesson('<Simulation scenario="load-balancing-policies" />');
  });
});
