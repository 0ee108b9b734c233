/**
 * Recomputes the numbers the lesson "The replicated log" prints from its simulations
 * (src/scenarios/replication-lag.ts and replication-ack-modes.ts, seed 1, the seed a reader's
 * first run uses) and from its RPO arithmetic, and checks that the lesson prints exactly
 * those strings. Quoted production defaults (MySQL, PostgreSQL, MongoDB, AWS) are cited.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../../src/sim/index.ts';
import { buildAckModes, CRASH_AT_MS, FAILOVER_AFTER_MS, scenario as ackScenario } from '../../../src/scenarios/replication-ack-modes.ts';
import { buildLag, scenario as lagScenario } from '../../../src/scenarios/replication-lag.ts';
import { APPLY_MS, FSYNC_MS, ONE_WAY_MS } from '../../../src/scenarios/replication/log-group.ts';
import { defaultParams, type ParamValues } from '../../../src/scenarios/types.ts';
import { proseOf } from './mdx-prose.ts';

const lesson = readFileSync(new URL('../../../content/replication/the-replicated-log.mdx', import.meta.url), 'utf8');

function expectInLesson(...snippets: string[]): void {
  for (const snippet of snippets) {
    expect(lesson.includes(snippet), `the lesson should contain: ${snippet}`).toBe(true);
  }
}

const SEED = 1;
const num = (x: number): string => x.toLocaleString('en-US');
const ms = (x: number): string => (x >= 1_000 ? `${(x / 1_000).toFixed(2)} s` : `${x.toFixed(1)} ms`);

async function lagRun(overrides: ParamValues) {
  const built = buildLag({ ...defaultParams(lagScenario), ...overrides }, SEED, { trace: false });
  await built.sim.runUntil(built.durationMs);
  const stats = built.group.stats();
  const follower = (node: string) => stats.followers.find((f) => f.node === node)!;
  return { summary: built.sim.summary(), n2: follower('n2'), n3: follower('n3'), positions: stats.positions };
}

async function ackRun(ackMode: string) {
  const built = buildAckModes({ ...defaultParams(ackScenario), ackMode }, SEED, { trace: false });
  await built.sim.runUntil(built.durationMs);
  const before = new LatencyRecorder();
  const after = new LatencyRecorder();
  for (const op of built.group.load.history) {
    if (op.status === 'ok') (op.invokeMs < CRASH_AT_MS ? before : after).record(op.returnMs! - op.invokeMs);
  }
  return { summary: built.sim.summary(), stats: built.group.stats(), before: before.summary(), after: after.summary() };
}

const RATES = [1_000, 2_000, 3_000, 4_000];
const FSYNCS = [1, 10, 20, 50];
const byRate = new Map<number, Awaited<ReturnType<typeof lagRun>>>();
const byFsync = new Map<number, Awaited<ReturnType<typeof lagRun>>>();
const modes: Record<string, Awaited<ReturnType<typeof ackRun>>> = {};

beforeAll(async () => {
  for (const rate of RATES) byRate.set(rate, await lagRun({ ratePerS: rate }));
  for (const fsync of FSYNCS) byFsync.set(fsync, fsync === 10 ? byRate.get(2_000)! : await lagRun({ slowFsyncMs: fsync }));
  for (const mode of ['async', 'semi-sync', 'sync']) modes[mode] = await ackRun(mode);
}, 120_000);

describe('The replicated log: the simulations as described', () => {
  it('states the assumptions the group is built with: delays, fsync, apply time and defaults', () => {
    const lag = defaultParams(lagScenario);
    const ack = defaultParams(ackScenario);
    expect([lag['ratePerS'], lag['slowFsyncMs'], ack['ratePerS'], ack['slowFsyncMs'], ack['ackMode']]).toEqual([2_000, 10, 2_000, 10, 'async']);
    expect(ONE_WAY_MS).toEqual({ min: 0.4, max: 0.6 });
    expect(FSYNC_MS).toEqual({ min: 0.5, max: 1.5 });
    expect(APPLY_MS).toEqual({ min: 0.2, max: 0.4 });
    expect([CRASH_AT_MS, FAILOVER_AFTER_MS]).toEqual([3_000, 500]);
    const capacity = Math.floor(1_000 / ((APPLY_MS.min + APPLY_MS.max) / 2));
    expectInLesson(
      `assume a one-way delay of ${ONE_WAY_MS.min} to ${ONE_WAY_MS.max} ms between zones, about 1 ms per round trip, and an fsync of ${FSYNC_MS.min} to ${FSYNC_MS.max} ms on a healthy disk`,
      `n3 in zone C with an fsync of 10 ms`,
      `${APPLY_MS.min} to ${APPLY_MS.max} ms per entry, so it can apply at most about ${num(capacity)} entries per second`,
      `Same group, ${num(2_000)} writes per second, n3's fsync at 10 ms. At t = ${CRASH_AT_MS / 1_000} s zone A goes dark`,
      `${FAILOVER_AFTER_MS} ms later the failover tool promotes the follower with the longest log`,
      `<Simulation scenario="replication-lag" />`,
      `<Simulation scenario="replication-ack-modes" />`,
    );
  });
});

describe('The replicated log: replication lag', () => {
  it('prints each rate’s lag percentiles per follower and the clients’ write p99', () => {
    for (const rate of RATES) {
      const r = byRate.get(rate)!;
      expectInLesson(
        `| ${num(rate)} | ${ms(r.n2.lag.p50Ms)} | ${ms(r.n2.lag.p99Ms)} | ${ms(r.n3.lag.p50Ms)} | ${ms(r.n3.lag.p99Ms)} | ${ms(r.summary.latency.p99Ms)} |`,
      );
    }
    const p99s = new Set(RATES.map((rate) => ms(byRate.get(rate)!.summary.latency.p99Ms)));
    expect(p99s.size, 'the lesson says write p99 is the same at every rate').toBe(1);
    expectInLesson(`their p99 is ${[...p99s][0]} at every rate`);
  });

  it('prints the backlog left at 4,000 writes per second, and that n2 applied nothing within 1 ms', () => {
    const over = byRate.get(4_000)!;
    const behind = over.positions['n1']!.durable - over.positions['n2']!.applied;
    expect(behind).toBeGreaterThan(1_000);
    expectInLesson(`at ${num(4_000)} writes per second n2 is still ${num(behind)} entries behind when the run ends`);
    expect(byRate.get(2_000)!.n2.missedOwnWriteShare).toBe(1);
    expectInLesson('Even the healthy follower applied none of the writes within 1 ms of their acknowledgement');
  });

  it("prints n3's median lag for each fsync time, and n2's, which does not move", () => {
    const n3 = FSYNCS.map((f) => ms(byFsync.get(f)!.n3.lag.p50Ms));
    const n2 = new Set(FSYNCS.map((f) => ms(byFsync.get(f)!.n2.lag.p50Ms)));
    expect(n2.size).toBe(1);
    expectInLesson(
      `At ${num(2_000)} writes per second, n3's median lag is ${n3[0]} with a 1 ms fsync, ${n3[1]} with 10 ms, ${n3[2]} with 20 ms and ${n3[3]} with 50 ms, while n2's stays at ${[...n2][0]}.`,
    );
  });

  it('the quiz: both followers end the 4,000 writes per second run about two thousand entries behind', () => {
    const over = byRate.get(4_000)!;
    for (const f of ['n2', 'n3']) {
      const behind = over.positions['n1']!.durable - over.positions[f]!.applied;
      expect(behind).toBeGreaterThan(1_500);
      expect(behind).toBeLessThan(2_500);
    }
    expectInLesson(`At ${num(4_000)} writes per second, the clients' write p99 in the simulation is still ${ms(over.summary.latency.p99Ms)}`);
  });
});

describe('The replicated log: ack modes and the failover', () => {
  it('prints each mode’s write latency and the acknowledged writes it lost', () => {
    const row = (label: string, r: Awaited<ReturnType<typeof ackRun>>): string =>
      `| ${label} | ${ms(r.summary.latency.p50Ms)} | ${ms(r.summary.latency.p99Ms)} | ${ms(r.before.p99Ms)} | ${num(r.stats.lostAcknowledged)} |`;
    expectInLesson(
      row('Asynchronous', modes['async']!),
      row('Semi-synchronous', modes['semi-sync']!),
      row('Synchronous', modes['sync']!),
    );
    for (const r of Object.values(modes)) {
      expect(r.stats.promoted).toBe('n2');
      // 500 ms without a leader in a 5 s run.
      expect(1 - r.summary.availability).toBeGreaterThan(0.09);
      expect(1 - r.summary.availability).toBeLessThan(0.11);
    }
    expectInLesson('(n2 in every mode)', 'the 500 ms without a leader cost about a tenth of the run');
  });

  it('ties the asynchronous loss to the formula: rate × how far the best follower trailed', () => {
    const a = modes['async']!.stats;
    const window = a.lostWindowMs.toFixed(1);
    const estimate = Math.round((2_000 * Number(window)) / 1_000);
    expect(Math.abs(estimate - a.lostAcknowledged)).toBeLessThanOrEqual(1);
    expectInLesson(
      `The asynchronous group lost ${a.lostAcknowledged} acknowledged writes, the oldest acknowledged ${window} ms before the crash: the ${num(2_000)} × ${window} ms of the formula.`,
      `${num(2_000)} × ${window} ms = ${estimate} writes`,
    );
  });

  it('prints the semi-synchronous medians before and after the failover', () => {
    const semi = modes['semi-sync']!;
    expectInLesson(
      `Semi-synchronous acknowledgement lost none, for a median write of ${ms(semi.before.p50Ms)} instead of ${ms(modes['async']!.before.p50Ms)} before the crash`,
      `its median write rises to ${ms(semi.after.p50Ms)}`,
    );
  });

  it('prints the serial client’s ceiling per mode from the medians, and the first quiz’s medians', () => {
    const ceiling = (mode: string) => Math.round(1_000 / Number(modes[mode]!.summary.latency.p50Ms.toFixed(1)));
    expectInLesson(
      `at most 1,000 / ${modes['async']!.summary.latency.p50Ms.toFixed(1)} ≈ ${ceiling('async')} writes per second asynchronously, ${ceiling('semi-sync')} semi-synchronously and ${ceiling('sync')} synchronously`,
      `the median write rise from ${ms(modes['async']!.summary.latency.p50Ms)} to ${ms(modes['sync']!.summary.latency.p50Ms)}`,
    );
  });
});

describe('The replicated log: RPO arithmetic', () => {
  it('computes each example of writes at risk', () => {
    expectInLesson(
      `trails by 2 s, the same rate puts ${num(2_000 * 2)} writes at risk`,
      `1 s of lag at ${num(2_000)} writes per second, is ${num(2_000 * 1)} acknowledged writes`,
      `a replica 60 s behind at ${num(2_000)} writes per second means ${num(2_000 * 60)} acknowledged writes at risk`,
    );
  });

  it('the quiz: 5,000 writes per second with the best follower 4 ms behind and the other 300 ms', () => {
    expectInLesson(
      `${num(5_000)} writes per second × 4 ms = ${(5_000 * 4) / 1_000}`,
      `That is ${num(5_000)} × 300 ms, the loss if the worse follower were promoted`,
      `{ text: "About ${(5_000 * 4) / 1_000}", correct: true`,
      `{ text: "About ${num((5_000 * 300) / 1_000)}"`,
    );
  });

  it('the token quiz: a follower 20 entries behind', () => {
    expectInLesson(
      'at log position 9,120',
      'whose applied position is 9,100',
      `it is only ${9_120 - 9_100} entries behind`,
      `Fetch entry 9,120 from the leader and apply it ahead of the ${9_120 - 9_100 - 1} before it`,
    );
  });
});

describe('The replicated log: production defaults and their sources', () => {
  it('quotes MySQL semi-sync defaults from the MySQL manual', () => {
    expectInLesson(
      '`rpl_semi_sync_source_timeout`, 10,000 ms by default, the source reverts to asynchronous replication [[3]](#references)',
      '`rpl_semi_sync_source_wait_point` defaults to `AFTER_SYNC`',
      '`rpl_semi_sync_source_wait_for_replica_count` replicas (default 1)',
      '`rpl_semi_sync_master_*`',
      'https://dev.mysql.com/doc/refman/8.4/en/replication-semisync-interface.html',
    );
  });

  it('quotes PostgreSQL synchronous_commit levels and synchronous_standby_names from the PostgreSQL documentation', () => {
    for (const level of ['off', 'local', 'remote_write', 'on', 'remote_apply']) expectInLesson(`\`${level}\``);
    expectInLesson(
      '`synchronous_commit` (default `on`)',
      '`FIRST 1 (b, c)`',
      '`ANY 1 (b, c)`',
      'https://www.postgresql.org/docs/current/runtime-config-wal.html',
      'https://www.postgresql.org/docs/current/runtime-config-replication.html',
    );
  });

  it('quotes MongoDB write concern defaults and AWS zone distances from their documentation', () => {
    expectInLesson(
      'Since MongoDB 5.0 the implicit default is `w: "majority"`',
      '`wtimeout`',
      '`j: true`',
      'https://www.mongodb.com/docs/manual/reference/mongodb-defaults/',
      'up to 60 miles (about 100 km) apart',
      'https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/availability-zones.html',
    );
  });

  it('quotes the numbers lesson’s New York to London floor as that lesson states it', () => {
    const numbers = readFileSync(new URL('../../../content/foundations/numbers-that-matter.mdx', import.meta.url), 'utf8');
    expect(numbers).toContain('at least 55.7 ms between New York and London');
    expect(numbers).toContain('at 2,000 writes per second up to 2,000 writes');
    expectInLesson('New York to London at 55.7 ms at the very least [[2]](#references)');
  });
});

describe('The replicated log: the page itself', () => {
  it('is published in the replication module, embeds its two exercises once each, and keeps MDX-special characters out of the prose', () => {
    const front = /^---\n([\s\S]*?)\n---\n/.exec(lesson)![1]!;
    expect(front).toContain('module: replication');
    expect(front).toContain('order: 1');
    expect(front).not.toContain('draft:');
    expect(front).toContain('exercises: [replication-log, replication-reads]');
    expect(lesson.match(/<Exercise /g)).toEqual(['<Exercise ', '<Exercise ']);
    expect(lesson).toContain('<Exercise id="replication-log" />');
    expect(lesson).toContain('<Exercise id="replication-reads" />');
    const body = lesson.replace(/^---\n[\s\S]*?\n---\n/, '');
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose), 'the page renders the title; the body must not add an H1').toBe(false);
    expect((body.match(/<Quiz/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(body).toContain('## In production');
    expect(body).toContain('## References');
  });
});

describe('The replicated log: the exercise section', () => {
  const exerciseFile = (file: string): string =>
    readFileSync(new URL(`../../../exercises/replication-log/${file}`, import.meta.url), 'utf8');

  it('states the group, the load and the latencies as the harness sets them', () => {
    const group = exerciseFile('group.ts');
    expect(group).toContain("export const LEADER = 'r1';");
    expect(group).toContain("export const FOLLOWERS = ['r2', 'r3'] as const;");
    expect(group).toContain("export const ZONES: Readonly<Record<string, string>> = { r1: 'a', r2: 'b', r3: 'c' };");
    expect(group).toContain('replicaLatency: uniform(0.4, 1.0),');
    expect(group).toContain('syncLatency: uniform(0.5, 1.5),');
    expect(group).toContain("arrivals: { kind: 'open', ratePerS: options.writesPerS ?? 3_000 },");
    expectInLesson(
      '`r1` leads in zone a, `r2` and `r3` follow in zones b and c, and clients next to the leader write 3,000 times a second',
      'Messages between zones take 0.4 to 1 ms and can overtake each other; a sync takes 0.5 to 1.5 ms.',
    );
  });

  it("states the suite's bounds as the tests set them", () => {
    const tests = exerciseFile('replication.test.ts');
    const rpo = exerciseFile('rpo.test.ts');
    expect(tests).toContain('assertLagUnder(r, 10, 0, 600');
    expect(tests).toContain('p99 <= 3,');
    expect(tests).toContain('p99 <= 8,');
    expect(tests).toContain("syncLatency: { r3: constant(40) }");
    expect(exerciseFile('group.ts')).toContain('semiSyncTimeoutMs: options.semiSyncTimeoutMs ?? 50,');
    expect(tests).toContain('for (let i = 0; i < 20; i++)');
    expect(rpo).toContain('const SEEDS = 20;');
    expect(rpo).toContain('Math.max(0.2 * meanLost, 1)');
    expectInLesson(
      'replication lag p99 under 10 ms; write p99 at most 3 ms in async mode and 8 ms in semi-sync and sync modes',
      'that a follower with a 40 ms disk does not slow semi-sync; that semi-sync stops waiting after its 50 ms timeout when both followers are cut off',
      'over 20 seeds, when the leader\'s zone goes dark',
      'must come within 20% of the acknowledged writes your group in async mode loses, measured over 20 seeds',
    );
  });
});

describe('The replicated log: the follower-reads exercise', () => {
  const exerciseFile = (file: string): string =>
    readFileSync(new URL(`../../../exercises/replication-reads/${file}`, import.meta.url), 'utf8');

  it('states the sessions, the keys and the timeouts as the harness sets them', () => {
    const cluster = exerciseFile('cluster.ts');
    expect(cluster).toContain('export const SESSIONS_PER_ZONE = 6;');
    expect(cluster).toContain('export const OWN_KEYS = 4;');
    expect(cluster).toContain('export const SHARED_KEYS = 8;');
    expect(cluster).toContain('export const WRITE_SHARE = 0.3;');
    expect(cluster).toContain('export const THINK_MS = [5, 35] as const;');
    expect(cluster).toContain('export const READ_TIMEOUT_MS = 50;');
    expectInLesson(
      'Clients in each of the three zones hold six sessions; each session writes (three operations in ten) or reads (seven in ten) one of twelve keys, four its own and eight shared with every other session, and waits 5 to 35 ms between operations.',
      'one that is down or cut off does not answer within 50 ms',
    );
  });

  it("states the schedules and the bound as the tests set them", () => {
    const tests = exerciseFile('reads.test.ts');
    expect(tests).toContain('const SEEDS = 20;');
    expect(tests).toContain('healAtMs: atMs + 200 + Math.floor(rng.next() * 200)');
    expect(tests).toContain('uniform(15, 30)');
    expect(tests).toContain('restartAtMs: atMs + 60');
    expect(tests).toContain('const FOLLOWER_SHARE = 0.75;');
    expect(tests).toContain('const READ_P50_MS = 0.6;');
    const cluster = exerciseFile('cluster.ts');
    expect(cluster).toContain('export const SAME_ZONE: Distribution = uniform(0.1, 0.3);');
    expect(cluster).toContain('export const CROSS_ZONE: Distribution = uniform(0.4, 1.0);');
    expectInLesson(
      'Three schedules run on 20 seeds each',
      'a follower cut off from the other replicas for 200 to 400 ms',
      'a follower whose disk syncs in 15 to 30 ms crashing and restarting 60 ms later',
      'followers must serve at least 75% of the reads of the sessions in zones b and c',
      'their median read must take at most 0.6 ms (a round trip within a zone takes 0.2 to 0.6 ms, across zones 0.8 to 2 ms)',
    );
  });
});
