/**
 * Recomputes the numbers the lesson "Rebalancing and routing" prints from its simulation
 * (src/scenarios/sharding-rebalance.ts, seed 7): operations, requests lost and misrouted,
 * and p99 for the three router policies; and checks that the lesson prints exactly those
 * strings. Quoted production behaviour (Redis, MongoDB, Cassandra, DynamoDB) is cited. The
 * secondary-index section's scatter/gather figures (the chance that at least one of k shards
 * is slower than its p99) are recomputed here too.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { REBALANCE_AT_MS, SHARDS, buildRebalance, scenario } from '../../../src/scenarios/sharding-rebalance.ts';
import { ring as referenceRing } from '../../../src/scenarios/sharding-ring-balance.ts';
import { defaultParams } from '../../../src/scenarios/types.ts';
import { describeReferences, lessonParts } from './lesson-checks.ts';
import { proseOf } from './mdx-prose.ts';

const lesson = readFileSync(new URL('../../../content/sharding/rebalancing-and-routing.mdx', import.meta.url), 'utf8');

function expectInLesson(...snippets: string[]): void {
  for (const snippet of snippets) {
    expect(lesson.includes(snippet), `the lesson should contain: ${snippet}`).toBe(true);
  }
}

const num = (x: number): string => x.toLocaleString('en-US');
const SEED = 7;

interface Outcome {
  operations: number;
  lost: number;
  misrouted: number;
  p99: number;
  availability: number;
  moved: number;
}

async function run(router: string): Promise<Outcome> {
  const r = buildRebalance({ ...defaultParams(scenario), router }, SEED);
  await r.built.sim.runUntil(r.built.durationMs);
  const s = r.built.sim.summary();
  return {
    operations: s.operations,
    lost: s.failed + s.unknown,
    misrouted: r.misrouted.length,
    p99: s.latency.p99Ms,
    availability: s.availability,
    moved: r.movedShards,
  };
}

const results: Record<string, Outcome> = {};

beforeAll(async () => {
  for (const router of ['stale', 'retry', 'epoch']) results[router] = await run(router);
});

describe('Rebalancing and routing: the simulated rebalance', () => {
  it('describes the scenario as built: 32 shards, 8 move to s4 at t = 2 s, 1,500 ops/s', () => {
    const p = defaultParams(scenario);
    expect(SHARDS).toBe(32);
    expect(REBALANCE_AT_MS).toBe(2_000);
    expect(results['epoch']!.moved).toBe(8);
    expect(p['ratePerS']).toBe(1_500);
    expect(p['pushDelayMs']).toBe(1_000);
    expectInLesson(
      `32 shards over servers s1 to s3`,
      `sending ${num(1_500)} operations per second`,
      `takes over 8 of the 32 shards, a quarter of the keys`,
    );
  });

  it('prints each router’s operations, lost, misrouted and p99', () => {
    const row = (label: string, o: Outcome, lost: string): string =>
      `| ${label} | ${num(o.operations)} | ${lost} | ${num(o.misrouted)} | ${o.p99.toFixed(1)} ms |`;
    const stale = results['stale']!;
    const retry = results['retry']!;
    const epoch = results['epoch']!;
    expectInLesson(
      row('Trusts every push, never retries', stale, `${num(stale.lost)} (${((stale.lost / stale.operations) * 100).toFixed(2)}%)`),
      row('Retries at the named owner, learns nothing', retry, String(retry.lost)),
      row("Epoch-aware: adopts the refusal's map, retries once", epoch, String(epoch.lost)),
    );
    expect(epoch.lost).toBe(0);
    expect(retry.lost).toBe(0);
    expect(epoch.misrouted).toBeLessThanOrEqual(epoch.moved);
    expectInLesson(`The epoch-aware router is refused ${epoch.misrouted === 2 ? 'twice' : String(epoch.misrouted)}`);
    expectInLesson(`p99 rises by ${(retry.p99 - epoch.p99).toFixed(1)} ms`);
    expectInLesson(`its availability is ${(stale.availability * 100).toFixed(2)}%`);
  });

  it('the quiz: in the second before the push, about 375 requests go to moved shards', () => {
    expectInLesson(`the clients send about ${Math.round(1_500 * (8 / 32) * 1)} requests for the moved shards`);
  });
});

describe('Rebalancing and routing: the exercise section', () => {
  const exerciseFile = (file: string): string =>
    readFileSync(new URL(`../../../exercises/sharding-router/${file}`, import.meta.url), 'utf8');

  it("states how the reference ring places the exercise cluster's shards on g1–g3 and how many move when g4 joins", () => {
    const cluster = exerciseFile('cluster.ts');
    const vnodes = Number(/export const RING_VNODES = (\d+);/.exec(cluster)?.[1]);
    const shardCount = Number(/export const SHARD_COUNT = (\d+);/.exec(exerciseFile('shards.ts'))?.[1]);
    expect(cluster).toContain("return `shard-${String(shard).padStart(2, '0')}`;");
    expect(cluster).toContain("export const GROUPS = ['g1', 'g2', 'g3', 'g4'] as const;");
    const shardKeys = Array.from({ length: shardCount }, (_, s) => `shard-${String(s).padStart(2, '0')}`);
    const before = shardKeys.map(referenceRing(['g1', 'g2', 'g3'], vnodes));
    const after = shardKeys.map(referenceRing(['g1', 'g2', 'g3', 'g4'], vnodes));
    const held = ['g1', 'g2', 'g3'].map((g) => before.filter((o) => o === g).length);
    const moved = after.filter((o, s) => o !== before[s]).length;
    expect(after.filter((o, s) => o !== before[s] && o !== 'g4')).toEqual([]);
    expect(moved).toBe(8);
    expectInLesson(
      `the exercise's cluster places its ${shardCount} shards with the ring you built in the previous lesson`,
      "shard 7 belongs to the owner group that `ring.ownerOf('shard-07')` names",
      `on a ring with ${vnodes} virtual nodes per group`,
      `With the reference ring, g1, g2 and g3 start with ${held[0]}, ${held[1]} and ${held[2]} shards, and ${moved} of the ${shardCount} move to g4 when it joins, a quarter.`,
    );
  });

  it("states the router suite's bounds as the tests set them", () => {
    const routerTests = exerciseFile('router.test.ts');
    const rebalanceTests = exerciseFile('rebalance.test.ts');
    const most = Number(/const MOST_SHARDS_ON_ONE_GROUP = (\d+);/.exec(routerTests)?.[1]);
    const movedRange = /const MOVED_TO_NEW_GROUP = \{ min: (\d+), max: (\d+) \}/.exec(routerTests);
    const inFlight = Number(/const IN_FLIGHT = (\d+);/.exec(rebalanceTests)?.[1]);
    expect(movedRange?.[1], 'the lesson says the test fails when the ring moves none').toBe('1');
    expect(rebalanceTests).toContain('p99 < 12,');
    expectInLesson(
      `if it leaves more than ${most} shards on one group, or moves none or more than ${movedRange?.[2]} when g4 joins.`,
      `that at most two requests per moved shard (plus ${inFlight}) reach a server that no longer owns it`,
      'p99 in the 1.5 s after the rebalance stays under 12 ms',
    );
    expect(lesson.includes('capstone'), 'no capstone exists yet').toBe(false);
  });

  it('names the checks the router suite makes beyond the bounds: the slow refusal, when replies were served, and linearizable values', () => {
    const routerTests = exerciseFile('router.test.ts');
    const rebalanceTests = exerciseFile('rebalance.test.ts');
    expect(routerTests).toContain("it('keeps a newer map when a slow refusal carries an older one'");
    expect(rebalanceTests).toContain('served >= sent && served <= returned');
    expect(rebalanceTests).toContain('checkLinearizability(kvModel({ initialValue: INITIAL_VALUE }), run.load.history)');
    expectInLesson(
      'a refusal so slow that by the time it arrives the router holds a newer map than the one it carries (epoch 3 against the refusal',
      'that every reply was served while its operation was under way (after the client sent it and before the router returned it',
      "the simulator's linearizability checker, key by key",
    );
  });
});

describe('Rebalancing and routing: moving the data', () => {
  const exerciseFile = (file: string): string =>
    readFileSync(new URL(`../../../exercises/sharding-router/${file}`, import.meta.url), 'utf8');
  const constant = (text: string, name: string): number =>
    Number(new RegExp(`export const ${name} = ([\\d_]+);`).exec(text)?.[1]?.replaceAll('_', ''));

  it('relocating a 50 GB shard at the 40 MB/s default takes 1,250 s, about 21 minutes', () => {
    const seconds = 50_000 / 40;
    expect(seconds).toBe(1_250);
    expect(Math.round(seconds / 60)).toBe(21);
    expectInLesson(`relocating a 50 GB shard takes 50,000 MB ÷ 40 MB/s = ${num(seconds)} s, about ${Math.round(seconds / 60)} minutes`);
  });

  it("states the exercise's shard size, link and batch arithmetic as the harness and the starter set them", () => {
    const cluster = exerciseFile('cluster.ts');
    const starter = exerciseFile('migrate.ts');
    const recordBytes = constant(cluster, 'RECORD_BYTES');
    const link = constant(cluster, 'MIGRATION_BYTES_PER_MS');
    const keys = constant(cluster, 'KEY_COUNT');
    const shards = Number(/export const SHARD_COUNT = (\d+);/.exec(exerciseFile('shards.ts'))?.[1]);
    const batch = Number(/const BATCH_RECORDS = (\d+);/.exec(starter)?.[1]);
    expect([recordBytes, link, keys, shards, batch]).toEqual([4_096, 10_000, 10_000, 32, 16]);
    const shardBytes = (keys / shards) * recordBytes;
    expect((shardBytes / 1e6).toFixed(2)).toBe('1.28');
    expect(Math.round(shardBytes / link)).toBe(128);
    const onWire = (batch * recordBytes) / link;
    expect(onWire.toFixed(1)).toBe('6.6');
    // The acknowledgement: two hops of 0.5–2 ms and a store of 1–3 ms, 4.5 ms on average.
    const ack = 2 * 1.25 + 2;
    const busy = onWire / (onWire + ack);
    expect(Math.round(busy * 100)).toBe(59);
    expect((1 / busy).toFixed(1)).toBe('1.7');
    expectInLesson(
      `each a ${recordBytes / 1_024} KiB row on the wire, so a shard is about 1.28 MB (${Math.floor(keys / shards)} records)`,
      `carry ${link / 1_000} MB/s: a shard's bytes need about 128 ms`,
      `a batch of ${(batch * recordBytes) / 1_024} KiB takes ${onWire.toFixed(1)} ms on a ${link / 1_000} MB/s link, and the acknowledgement comes back about ${ack} ms later`,
      `the link works ${onWire.toFixed(1)} ÷ (${onWire.toFixed(1)} + ${ack}) ≈ ${Math.round(busy * 100)}% of the time and the copy takes about ${(1 / busy).toFixed(1)} times as long as the bytes need`,
    );
  });

  it("states the migration suite's bounds as the tests set them", () => {
    const tests = exerciseFile('migrate.test.ts');
    const hold = Number(/const MAX_HOLD_MS = (\d+);/.exec(tests)?.[1]);
    const bytes = Number(/const MAX_BYTES_RATIO = ([\d.]+);/.exec(tests)?.[1]);
    const time = Number(/const MAX_TIME_RATIO = ([\d.]+);/.exec(tests)?.[1]);
    const slack = Number(/const TIME_SLACK_MS = (\d+);/.exec(tests)?.[1]);
    expectInLesson(
      `that no request waits more than ${hold} ms in a paused shard`,
      `that the moves ship at most ${Math.round((bytes - 1) * 100)}% more than the rows the shards held and the rows written while they moved`,
      `that each move commits within ${time} times the time the bytes it shipped need on the link plus ${slack} ms`,
    );
  });

  it('cites MongoDB for the migration phases and Elastic for the recovery throttle', () => {
    const { references } = lessonParts(lesson);
    const entry = (needle: string): number => [...references].find(([, e]) => e.includes(needle))?.[0] ?? -1;
    const mongo = entry('core/sharding-chunk-migration');
    const elastic = entry('index-recovery-settings');
    for (const n of [mongo, elastic]) expect(n).toBeGreaterThan(0);
    expectInLesson(`does the source delete its copy [[${mongo}]](#references)`, `40 MB/s by default [[${elastic}]](#references)`);
  });
});

describe('Rebalancing and routing: the page itself', () => {
  it('keeps MDX-special characters out of the prose and starts the body below the title', () => {
    const body = lesson.replace(/^---\n[\s\S]*?\n---\n/, '');
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose), 'the page renders the title; the body must not add an H1').toBe(false);
    expect((body.match(/<Quiz/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });
});

describe('Rebalancing and routing: who routes a request', () => {
  const row = (start: string): string => lesson.split('\n').find((line) => line.startsWith(start)) ?? '';

  it('puts Redis Cluster with smart clients: its nodes redirect (MOVED, ASK), they do not forward', () => {
    expect(row('| Each client (smart client) |')).toContain('Redis Cluster clients');
    expect(row('| Each client (smart client) |')).toContain('`MOVED` or `ASK` redirect');
    expect(row('| Any server, which forwards |')).not.toBe('');
    expect(row('| Any server, which forwards |')).not.toContain('Redis');
  });
});

describe('Rebalancing and routing: sources', () => {
  it("cites MongoDB's own sharding documentation for StaleConfig and shard versions, not a forum post", () => {
    expect(lesson.includes('/community/forums/'), 'a forum thread is not a source for MongoDB behaviour').toBe(false);
    expectInLesson(
      'refuses the request with `StaleConfig`; the router refreshes its routing information from the config servers and sends the request again [[10]](#references)',
      '10. MongoDB. "Versioning Protocols," sharding architecture guide in the MongoDB server source',
      'https://github.com/mongodb/mongo/blob/',
    );
  });
});

describe('Rebalancing and routing: secondary indexes', () => {
  /** The chance that at least one of `shards` independent shards is slower than its p99. */
  const anySlow = (shards: number, p = 0.01): number => 1 - (1 - p) ** shards;
  const pct1 = (x: number): string => `${(x * 100).toFixed(1)}%`;

  it('a scatter/gather read over 32 shards is slow 27.5% of the time when each shard is slow 1% of the time', () => {
    expect(anySlow(32)).toBeCloseTo(0.275, 3);
    expect(SHARDS).toBe(32);
    expectInLesson(
      `like the ${SHARDS} shards of the simulation above`,
      `A read that needs all ${SHARDS} shards is slow whenever any one of them is, which happens to 1 − 0.99^${SHARDS} ≈ ${pct1(anySlow(SHARDS))} of such reads`,
    );
    for (const k of [1, 8, 32, 100]) expectInLesson(`| ${k} | ${pct1(anySlow(k))} |`);
    // Dean and Barroso's example: 100 servers, 1 in 100 slow, about 63% of requests slow.
    expect(Math.round(anySlow(100) * 100)).toBe(63);
    expect(anySlow(8)).toBeLessThan(anySlow(32));
  });

  it('the quiz: a local index sends each page view to all 32 shards, slow 27.5% of the time', () => {
    expectInLesson(
      `a read by customer id must ask all ${SHARDS} shards. If each is slower than its p99 1% of the time, ${pct1(anySlow(SHARDS))} of page views wait for a slow shard.`,
      `sending each one to one partition instead of ${SHARDS} matters most`,
    );
    const quiz = lessonParts(lesson).quizzes.find((q) => q.includes('A new page lists a customer'));
    expect(quiz).toBeDefined();
    expect(quiz!.match(/correct: true/g)).toHaveLength(1);
    expect((quiz!.match(/explanation: "/g) ?? []).length).toBe((quiz!.match(/\{ text: "/g) ?? []).length);
  });

  it('cites AWS for DynamoDB index consistency and MongoDB for broadcast queries', () => {
    const { references } = lessonParts(lesson);
    const entry = (needle: string): number => [...references].find(([, e]) => e.includes(needle))?.[0] ?? -1;
    const gsi = entry('developerguide/gsi-throttling.html');
    const read = entry('developerguide/HowItWorks.ReadConsistency.html');
    const mongo = entry('docs/manual/core/sharded-cluster-query-router');
    for (const n of [gsi, read, mongo]) expect(n).toBeGreaterThan(0);
    expectInLesson(
      `can also be read with strong consistency [[${gsi}]](#references)[[${read}]](#references)`,
      `throttles writes to the base table itself [[${gsi}]](#references)`,
      `then merges the results [[${mongo}]](#references)`,
    );
  });
});

describeReferences(lesson, { title: 'Rebalancing and routing' });
