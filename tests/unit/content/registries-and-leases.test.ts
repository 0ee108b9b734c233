/**
 * Recomputes every derived number in the lesson "Registries, leases and stale caches" and
 * checks that the lesson prints exactly that string. Quoted defaults (Eureka's 30 s and
 * 90 s, ZooKeeper's 2–20 ticks, …) are taken from the cited sources; sums, ratios and the
 * simulation's figures are recomputed here, the latter by running the lesson's scenario.
 * So are the gossip figures (SWIM's chance that nobody probes a member, memberlist's
 * retransmit and suspicion formulas) and the registry's own availability (majorities,
 * Eureka's self-preservation threshold).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildFailover, scenario } from '../../../src/scenarios/discovery-failover.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';
import { describeReferences, lessonParts } from './lesson-checks.ts';
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

describe('Registries and leases: gossip membership (SWIM)', () => {
  /** SWIM, section 3.1: a given member is someone's probe target in a period with probability 1 − (1 − 1/n)^(n − 1). */
  const probedByNobody = (n: number): number => (1 - 1 / n) ** (n - 1);
  const pct1 = (share: number): string => `${(share * 100).toFixed(1)}%`;

  it('all-to-all heartbeating costs n × (n − 1) messages a period; SWIM one probe per member', () => {
    expect(100 * 99).toBe(9_900);
    expectInLesson(`sends N × (N − 1) messages per period: ${num(100 * 99)} for 100 members, where one probe per member would be ${100}`);
    expectInLesson(`it would cost ${num(100 * 99)} messages a period at 100 members and almost 100 million at 10,000`);
    const tenThousand = 10_000 * 9_999;
    expect(tenThousand).toBeGreaterThan(99_000_000);
    expect(tenThousand).toBeLessThan(100_000_000);
  });

  it('prints the chance that nobody probes a member, and the expected wait, for 10, 100 and 10,000 members', () => {
    for (const n of [10, 100, 10_000]) {
      const nobody = probedByNobody(n);
      expectInLesson(`| ${num(n)} | ${pct1(nobody)} | ${(1 / (1 - nobody)).toFixed(2)} |`);
    }
    // The chance falls towards 1/e from above, so the wait falls towards e/(e − 1) from above.
    expect(probedByNobody(10)).toBeGreaterThan(probedByNobody(100));
    expect(probedByNobody(100)).toBeGreaterThan(probedByNobody(10_000));
    expect(probedByNobody(10_000)).toBeGreaterThan(1 / Math.E);
    expect(probedByNobody(10_000) - 1 / Math.E).toBeLessThan(1e-4);
  });

  it('the limits: probed with probability 1 − 1/e, first probe after e/(e − 1) periods on average', () => {
    const limit = 1 - 1 / Math.E;
    expectInLesson(`which tends to 1 − 1/e ≈ ${pct1(limit)} as n grows`);
    expectInLesson(`tends to 1 / (1 − 1/e) = e/(e − 1) ≈ ${(Math.E / (Math.E - 1)).toFixed(2)} protocol periods`);
    expect(1 / limit).toBeCloseTo(Math.E / (Math.E - 1), 12);
    // The quiz's claims.
    expectInLesson(`tends to 1 − 1/e ≈ ${Math.round(limit * 100)}%, not to certainty`, `The expected wait stays near e/(e − 1) ≈ ${(Math.E / (Math.E - 1)).toFixed(2)} periods`);
    expect(Math.abs(probedByNobody(100) - 1 / Math.E)).toBeLessThan(0.002);
    expectInLesson('is already within two tenths of a percentage point of 1/e at 100 members');
    expect((1 / (1 - probedByNobody(100))).toFixed(1)).toBe('1.6');
    expectInLesson('about 1.6 periods on average before the crashed member is probed');
  });

  it("memberlist's formulas: 12 and 20 retransmits, an 8 s suspicion timer that starts at 48 s", () => {
    // memberlist DefaultLANConfig: RetransmitMult 4, SuspicionMult 4, SuspicionMaxTimeoutMult 6, ProbeInterval 1 s.
    const retransmits = (n: number): number => 4 * Math.ceil(Math.log10(n + 1));
    const suspicionS = (n: number): number => 4 * Math.max(1, Math.log10(Math.max(1, n))) * 1;
    expect(retransmits(100)).toBe(12);
    expect(retransmits(10_000)).toBe(20);
    expectInLesson(
      `An update is passed on at most 4 × ⌈log10(n + 1)⌉ times: ${retransmits(100)} times in a group of 100 members, and only ${retransmits(10_000)} in a group of 10,000.`,
    );
    expectInLesson(
      `A suspect is declared dead after 4 × log10(n) probe intervals, ${suspicionS(100)} s for 100 members, but the timer starts at six times that, ${6 * suspicionS(100)} s, and shrinks towards ${suspicionS(100)} s`,
    );
    expectInLesson('Its LAN defaults probe once a second with a 500 ms timeout and ask 3 members for indirect probes');
  });
});

describe("Registries and leases: the registry's own availability", () => {
  const majority = (n: number): number => Math.floor(n / 2) + 1;

  it('prints majority and failures tolerated for 3, 4, 5 and 7 servers', () => {
    for (const n of [3, 4, 5, 7]) expectInLesson(`| ${n} | ${majority(n)} | ${n - majority(n)} |`);
    expect(4 - majority(4)).toBe(3 - majority(3));
    expect(5 - majority(5)).toBe(2);
    expectInLesson('A fourth server raises the majority without tolerating one more failure', 'Five servers survive two failures');
  });

  it('the quiz: five servers, two crashed and one cut off leave two that can talk, short of a majority of three', () => {
    const reachable = 5 - 2 - 1;
    expect(reachable).toBeLessThan(majority(5));
    const words = ['zero', 'one', 'two', 'three'];
    expectInLesson(
      `until a majority of ${words[majority(5)]} is back together`,
      `${words[reachable]!.replace(/^./, (c) => c.toUpperCase())} reachable servers are short of the majority of ${words[majority(5)]}`,
    );
  });

  it("Eureka's self-preservation: 170 renewals a minute for 100 instances, so 15 silent instances stop expiry", () => {
    // AbstractInstanceRegistry.updateRenewsPerMinThreshold: (int) (clients × (60 / 30) × 0.85);
    // isLeaseExpirationEnabled: renewals in the last minute > threshold.
    const instances = 100;
    const threshold = Math.trunc(instances * (60 / 30) * 0.85);
    expect(threshold).toBe(170);
    const expiryEnabled = (silent: number): boolean => (instances - silent) * 2 > threshold;
    let silent = 0;
    while (expiryEnabled(silent)) silent++;
    expect(silent).toBe(15);
    expect(expiryEnabled(silent - 1)).toBe(true);
    expectInLesson(
      `For ${instances} instances the threshold is ${instances} × 2 × 0.85 = ${threshold} renewals a minute, so as soon as ${silent} instances fall silent (${instances - silent} × 2 = ${(instances - silent) * 2}, which does not exceed ${threshold}) the server stops expiring anyone.`,
    );
  });
});

describe('Registries and leases: when a whole zone falls silent', () => {
  /** P(response time > t) in an M/M/c queue (Erlang C for the wait, exponential service). */
  function slowerThan(t: number, workers: number, ratePerMs: number, serviceRatePerMs: number): number {
    const load = ratePerMs / serviceRatePerMs;
    let erlangB = 1;
    for (let k = 1; k <= workers; k++) erlangB = (load * erlangB) / (k + load * erlangB);
    const u = load / workers;
    const wait = erlangB / (1 - u + u * erlangB);
    const drain = workers * serviceRatePerMs - ratePerMs;
    const service = Math.exp(-serviceRatePerMs * t);
    const queued = (drain * service - serviceRatePerMs * Math.exp(-drain * t)) / (drain - serviceRatePerMs);
    return (1 - wait) * service + wait * queued;
  }
  function p99Ms(workers: number, ratePerS: number, meanServiceMs: number): number {
    let low = 0;
    let high = 1_000;
    for (let i = 0; i < 80; i++) {
      const mid = (low + high) / 2;
      if (slowerThan(mid, workers, ratePerS / 1_000, 1 / meanServiceMs) > 0.01) low = mid;
      else high = mid;
    }
    return high;
  }

  it("the zone-cut run's load: a sixth of 480 requests a second per instance, then a quarter, 1.5 times the plan", () => {
    const rate = 480;
    const planned = rate / 6;
    const left = rate / 4;
    expectInLesson(`the client sends ${rate} requests a second`, `planned for a sixth of the load, ${planned} requests a second`);
    expectInLesson(`the four left take ${left} requests a second each, ${left / planned} times their plan`);
  });

  it('two workers of 10 ms hold the 60 ms p99 at 80 requests a second, not at 120', () => {
    // The exercise's instances: exponential service with a 10 ms mean, a 60 ms p99 target.
    const atPlan = p99Ms(2, 80, 10);
    const atFour = p99Ms(2, 120, 10);
    expect(p99Ms(1, 80, 10)).toBeGreaterThan(60); // one worker would not do, so the plan is two
    expect(atPlan).toBeLessThan(60);
    expect(atFour).toBeGreaterThan(60);
    expectInLesson(`two workers serve with a p99 of ${atPlan.toFixed(1)} ms`, `puts the p99 at ${atFour.toFixed(1)} ms`);
    expectInLesson('within 100 ms as a failure');
  });

  it("Eureka's threshold with six instances: 10 renewals a minute, so one crash switches expiry off", () => {
    const instances = 6;
    const expected = instances * (60 / 30);
    const exact = instances * (60 / 30) * 0.85;
    const threshold = Math.trunc(exact);
    expect(threshold).toBe(10);
    const oneSilent = (instances - 1) * 2;
    expect(oneSilent > threshold).toBe(false);
    expectInLesson(
      `With six instances a server expects ${instances} × 2 = ${expected} renewals a minute, and the threshold is ${instances} × 2 × 0.85 = ${exact.toFixed(1)}, truncated to ${threshold}; one crashed instance leaves ${instances - 1} × 2 = ${oneSilent} renewals, which does not exceed ${threshold}`,
    );
  });

  it('two silent instances of six are a third of the fleet', () => {
    expect(2 / 6).toBeCloseTo(1 / 3, 12);
    expectInLesson('two of the six, a third of the fleet, have gone quiet at once');
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
  it("has 3–6 quizzes (one each on gossip and on the registry's availability), each option explained, and the exercise it lists", () => {
    const quizzes = lesson.match(/<Quiz\b/g) ?? [];
    expect(quizzes.length).toBeGreaterThanOrEqual(3);
    expect(quizzes.length).toBeLessThanOrEqual(6);
    expect(lesson).toContain('<Quiz\n  question="A SWIM group grows from 100 to 10,000 members');
    expect(lesson).toContain('<Quiz\n  question="A five-server etcd cluster backs a service registry.');
    const options = lesson.match(/\{ text: "/g) ?? [];
    const explanations = lesson.match(/explanation: "/g) ?? [];
    expect(explanations.length).toBe(options.length);
    expectInLesson('exercises: [discovery-leases]', '<Exercise id="discovery-leases" />', '<Simulation scenario="discovery-failover" />');
  });

  it('gives every quiz added with gossip and registry availability exactly one correct option', () => {
    const added = lessonParts(lesson).quizzes.filter((q) => q.includes('A SWIM group grows') || q.includes('A five-server etcd cluster'));
    expect(added).toHaveLength(2);
    for (const quiz of added) expect(quiz.match(/correct: true/g)).toHaveLength(1);
  });

  it('keeps MDX-special characters out of the prose and starts the body below the title', () => {
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose), 'the page renders the title; the body must not add an H1').toBe(false);
  });
});

describeReferences(lesson, { title: 'Registries and leases' });

describe('Registries and leases: sources', () => {
  const { references } = lessonParts(lesson);

  it('cites the SWIM paper and HashiCorp’s own documentation for Consul’s gossip', () => {
    const entry = (needle: string): number => [...references].find(([, e]) => e.includes(needle))?.[0] ?? -1;
    const swim = entry('"SWIM: Scalable Weakly-consistent Infection-style Process Group Membership Protocol."');
    const consul = entry('https://developer.hashicorp.com/consul/docs/concept/gossip');
    expect(swim).toBeGreaterThan(0);
    expect(consul).toBeGreaterThan(0);
    expect(references.get(swim)).toContain('Das, Indranil Gupta and Ashish Motivala');
    expectInLesson(`reports the target as failed [[${swim}]](#references)`, `is a modified SWIM [[${consul}]](#references)`);
  });
});
