/**
 * Recomputes every derived number in the lesson "Registries, leases and stale caches" and
 * checks that the lesson prints exactly that string. Quoted defaults (Eureka's 30 s and
 * 90 s, ZooKeeper's 2–20 ticks, …) are taken from the cited sources; sums, ratios and the
 * simulation's figures are recomputed here, the latter by running the lesson's scenario.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildFailover, scenario } from '../../../src/scenarios/discovery-failover.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';
import { proseOf } from './mdx-prose.ts';

const lesson = readFileSync(new URL('../../../content/service-discovery/registries-and-leases.mdx', import.meta.url), 'utf8');

function expectInLesson(...snippets: string[]): void {
  for (const snippet of snippets) {
    expect(lesson.includes(snippet), `the lesson should contain: ${snippet}`).toBe(true);
  }
}

function num(value: number, decimals = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** 0.000001 -> "0.000001%" style: the shortest exact percentage for 10^-n. */
function percent(share: number): string {
  const p = share * 100;
  const decimals = Math.max(0, -Math.floor(Math.log10(p) + 1e-9));
  return `${p.toFixed(decimals)}%`;
}

describe('Registries and leases: registry defaults and sums', () => {
  it('ZooKeeper session bounds and ping cadence follow from tickTime and the client code', () => {
    const tick = 2_000;
    expectInLesson(`With a \`tickTime\` of ${num(tick)} ms, a common setting, that is ${(2 * tick) / 1_000} s to ${(20 * tick) / 1_000} s`);
    const session = 30_000;
    const readTimeout = (session * 2) / 3;
    const ping = readTimeout / 2;
    expectInLesson(`with a ${session / 1_000} s session a quiet client pings every ${ping / 1_000} s and gives up on a server after ${readTimeout / 1_000} s of silence`);
  });

  it('an etcd lease of 10 s is renewed every third of it, leaving room for two lost keepalives', () => {
    const ttl = 10;
    expectInLesson(`a ${ttl} s lease is renewed about every ${(ttl / 3).toFixed(1)} s`);
    expect(Math.floor(ttl / (ttl / 3)) - 1).toBe(2);
    expectInLesson('so two keepalives can be lost before the third arrives in time');
  });

  it("Eureka's worst-case failover adds up to 210 s, or 300 s with the doubled lease", () => {
    const lease = 90;
    const evictionTask = 60;
    const responseCache = 30;
    const clientFetch = 30;
    const sum = lease + evictionTask + responseCache + clientFetch;
    const doubled = 2 * lease + evictionTask + responseCache + clientFetch;
    expect(sum).toBe(210);
    expectInLesson(`up to 30 s until the client's next fetch: ${sum} s. With the doubled lease it is ${doubled} s, five minutes`);
    expect(doubled / 60).toBe(5);
    expectInLesson(`${lease} + ${evictionTask} + ${responseCache} + ${clientFetch} = ${sum} s on paper, or ${doubled} s with the doubled lease`);
    expectInLesson(`${lease} s lease (up to ${2 * lease} s, plus up to ${evictionTask} s until the eviction task runs)`);
  });

  it("the exercise's own failover budget is 3 s + 1 s + 100 ms", () => {
    const total = 3 + 1 + 0.1;
    expectInLesson('1 s heartbeats, a 3 s lease, a 1 s client refresh and a 100 ms request timeout) the same sum is ' + `${total.toFixed(1)} s`);
  });

  it('a Kubernetes readiness probe every 10 s needing 3 failures keeps a hung pod ready for about 30 s', () => {
    expectInLesson(`every 10 s by default, with 3 failures in a row needed, so a hung pod stays ready for about ${10 * 3} s`);
  });

  it('a 60 s DNS TTL plus the JVM 30 s cache gives 90 s of stale answers', () => {
    const ttl = 60;
    const jvm = 30;
    expectInLesson(`for ${ttl} + ${jvm} = ${ttl + jvm} s after the change`);
    expectInLesson(`up to about ${ttl + jvm} s after the update`);
  });
});

describe('Registries and leases: false evictions and phi', () => {
  it('the false-eviction table matches p^k for 100 instances, 1 s heartbeats and 1% loss', () => {
    const perDay = 100 * 86_400;
    expectInLesson(`(${num(perDay)} heartbeats a day)`);
    const p = 0.01;
    const rows: [number, string][] = [
      [1, num(perDay * p)],
      [2, num(perDay * p ** 2)],
      [3, num(perDay * p ** 3, 2)],
      [4, num(perDay * p ** 4, 4)],
    ];
    for (const [k, perDayText] of rows) {
      expectInLesson(`| ${k} | ${percent(p ** k)} | ${perDayText} |`);
    }
    expect(perDay * p ** 2 / (perDay * p ** 3)).toBeCloseTo(100, 9);
    expectInLesson('Each extra interval of lease buys two orders of magnitude');
  });

  it('one lost heartbeat followed by one 20% late is 2.2 intervals of silence', () => {
    expectInLesson(`means ${(1 + 1 * 1.2).toFixed(1)} intervals of silence`);
  });

  it('phi thresholds 1, 2 and 3 correspond to 10%, 1% and 0.1%', () => {
    for (const phi of [1, 2, 3]) {
      const chance = 10 ** -phi;
      expectInLesson(`φ = ${phi} means ${phi === 1 ? 'a ' : ''}${percent(chance)}`);
    }
  });

  it("under Cassandra's exponential model, phi passes 8 after 18.4 mean intervals of silence", () => {
    const phiFactor = 1 / Math.log(10);
    expectInLesson(`φ grows as ${phiFactor.toFixed(3)} × silence / mean interval`);
    const silence = 8 / phiFactor; // in units of the mean interval (1 s)
    expect(silence).toBeCloseTo(18.42, 2);
    expectInLesson(`convicted after about ${silence.toFixed(1)} s of silence`);
  });
});

describe('Registries and leases: the live simulation', () => {
  const SEED = 11;
  async function run(overrides: ParamValues = {}) {
    const built = buildFailover({ ...defaultParams(scenario), ...overrides }, SEED, { trace: false });
    await built.sim.runUntil(built.durationMs);
    return built.stats();
  }
  const share = (s: { toDeadInstances: number; requests: number }) => `${((100 * s.toDeadInstances) / s.requests).toFixed(2)}%`;
  const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

  it('reproduces the requests sent to dead instances with the default, long-lease, slow-refresh and short-lease settings', async () => {
    const base = await run();
    const longLease = await run({ ttlMs: 10_000 });
    const slowRefresh = await run({ refreshMs: 10_000 });
    const shortLease = await run({ ttlMs: 1_500 });

    expectInLesson(`With a 3 s lease, ${num(base.toDeadInstances)} of ${num(base.requests)} requests (${share(base)}) go to instances that are down`);
    expectInLesson(`Stretch the lease to 10 s and the share rises to ${share(longLease)}`);
    expectInLesson(`refresh the cache only every 10 s and it is ${share(slowRefresh)}`);
    expectInLesson(`requests to dead instances fall to ${share(shortLease)}`);
    expectInLesson(
      `healthy instances drop out of the registry ${shortLease.falseEvictions} times in the minute, against ${times(base.falseEvictions)} with the 3 s lease`,
    );
    expect(longLease.toDeadInstances).toBeGreaterThan(base.toDeadInstances);
    expect(slowRefresh.toDeadInstances).toBeGreaterThan(base.toDeadInstances);
    expect(shortLease.falseEvictions).toBeGreaterThan(base.falseEvictions);
  }, 30_000);
});

describe('Registries and leases: the page itself', () => {
  it('has 3–5 quizzes, each option explained, and the exercise it lists', () => {
    const quizzes = lesson.match(/<Quiz\b/g) ?? [];
    expect(quizzes.length).toBeGreaterThanOrEqual(3);
    expect(quizzes.length).toBeLessThanOrEqual(5);
    const options = lesson.match(/\{ text: "/g) ?? [];
    const explanations = lesson.match(/explanation: "/g) ?? [];
    expect(explanations.length).toBe(options.length);
    expectInLesson('exercises: [discovery-leases]', '<Exercise id="discovery-leases" />', '<Simulation scenario="discovery-failover" />');
  });

  it('keeps MDX-special characters out of the prose and starts the body below the title', () => {
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose), 'the page renders the title; the body must not add an H1').toBe(false);
  });
});
