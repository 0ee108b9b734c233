/**
 * Recomputes the numbers the lesson "Failover" prints from its simulation
 * (src/scenarios/failover-fencing.ts, seed 7) and from arithmetic (false-failover odds,
 * RPO and RTO examples), and checks that the lesson prints exactly those strings. Quoted
 * production defaults and incidents are cited in the lesson's references.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CHECK_EVERY_MS,
  HEAL_AT_MS,
  HEARTBEAT_MS,
  PARTITION_AT_MS,
  RATE_A_PER_S,
  RATE_BC_PER_S,
  buildFencing,
  scenario,
  type FailoverRun,
} from '../../../src/scenarios/failover-fencing.ts';
import { defaultParams } from '../../../src/scenarios/types.ts';
import { expectIn, lessonSource } from './lesson-source.ts';
import { proseOf } from './mdx-prose.ts';

const lesson = lessonSource('replication/failover.mdx');
const expectInLesson = expectIn(lesson);

const num = (x: number): string => x.toLocaleString('en-US');
const seconds = (ms: number): string => `${(ms / 1_000).toFixed(2)} s`;
const SEED = 7;

interface Outcome {
  stats: FailoverRun;
  zoneA: { ok: number; failed: number; unknown: number; sentDuringPartition: number; duringPartition: number };
}

async function run(fencing: string, detectionMs = 3_000): Promise<Outcome> {
  const r = buildFencing({ ...defaultParams(scenario), fencing, detectionMs }, SEED, { trace: false });
  await r.built.sim.runUntil(r.built.durationMs);
  const count = (status: string): number => r.clientsA.history.filter((op) => op.status === status).length;
  const cutOff = r.clientsA.history.filter((op) => op.invokeMs >= PARTITION_AT_MS && op.invokeMs < HEAL_AT_MS);
  return {
    stats: r.stats(),
    zoneA: {
      ok: count('ok'),
      failed: count('failed'),
      unknown: count('unknown'),
      sentDuringPartition: cutOff.length,
      duringPartition: cutOff.filter((op) => op.status === 'ok').length,
    },
  };
}

const results: Record<string, Outcome> = {};

beforeAll(async () => {
  results['none'] = await run('none');
  results['epoch'] = await run('epoch');
  results['epoch-1000'] = await run('epoch', 1_000);
  results['epoch-8000'] = await run('epoch', 8_000);
}, 60_000);

describe('Failover: the simulated partition', () => {
  it('describes the scenario as built', () => {
    const p = defaultParams(scenario);
    expect(p['detectionMs']).toBe(3_000);
    expect(HEARTBEAT_MS).toBe(500);
    expect(CHECK_EVERY_MS).toBe(100);
    expect(PARTITION_AT_MS).toBe(5_000);
    expect(HEAL_AT_MS - PARTITION_AT_MS).toBe(10_000);
    expectInLesson(
      'expects a heartbeat from the leader every 500 ms',
      `Clients in zone a send ${RATE_A_PER_S} writes per second and clients in zones b and c send ${RATE_BC_PER_S}`,
      'At t = 5 s zone a is cut off from the other zones for 10 s',
      'Two designs, same seed, detection timeout 3 s:',
      'the time from the cut until the new leader acknowledges its first write',
    );
  });

  it('prints each design’s zombie acknowledgements, losses, zone a outcomes and RTO', () => {
    const row = (label: string, o: Outcome): string =>
      `| ${label} | ${num(o.stats.zombieAcks)} | ${num(o.stats.lostAcknowledged)} | ${num(o.zoneA.ok)}, ${num(o.zoneA.failed)}, ${num(o.zoneA.unknown)} | ${seconds(o.stats.rtoMs!)} |`;
    const none = results['none']!;
    const epoch = results['epoch']!;
    expectInLesson(
      row('None: the leader acknowledges on its own', none),
      row('Epoch fencing: a follower checks the epoch before a write is acknowledged', epoch),
    );
    expect(epoch.stats.lostAcknowledged).toBe(0);
    expect(none.stats.lostAcknowledged).toBe(none.stats.zombieAcks);
    expect(none.zoneA.unknown).toBe(0);
    expectInLesson(
      `All ${num(none.stats.zombieAcks)} of those writes are gone at the end.`,
      `its zone's clients get no answer (${num(epoch.zoneA.unknown)} writes)`,
      `It throws away ${num(epoch.stats.discarded['n1']!)} entries when it rejoins`,
      `the ${num(none.stats.zombieAcks)} writes acknowledged by n1 after the cut were thrown away`,
      `The fenced run turned the loss into ${num(epoch.zoneA.unknown)} requests with no answer.`,
    );
    // The followers themselves threw nothing away with fencing: n3 was a prefix of n2.
    expect(epoch.stats.discarded['n2']).toBe(0);
    expect(epoch.stats.discarded['n3']).toBe(0);
    // The promoted follower had the longest log, in both runs n2, on a tie.
    for (const o of [none, epoch]) {
      expect(o.stats.newLeader).toBe('n2');
      expect(o.stats.positions['n2']).toBe(o.stats.positions['n3']);
      expectInLesson(`here both report ${num(o.stats.positions['n2']!)} entries, and the tie goes to n2`);
    }
    expect(none.zoneA.duringPartition, 'every zone a write sent while cut off was acknowledged').toBe(none.zoneA.sentDuringPartition);
    expectInLesson('every write they sent while cut off was acknowledged');
  });

  it('says when the controller declares n1 dead, and why', () => {
    for (const o of [results['none']!, results['epoch']!]) {
      expect(o.stats.detectedAtMs).toBe(7_600);
    }
    // The last heartbeat heard left n1 at 4.5 s: the one due at 5 s was cut.
    const lastHeard = 7_600 - 3_000;
    expect(lastHeard - 4_500).toBeGreaterThan(0);
    expect(lastHeard - 4_500).toBeLessThanOrEqual(CHECK_EVERY_MS);
    expectInLesson('In both runs the controller declares n1 dead at 7.60 s: the last heartbeat it heard was sent at 4.5 s');
  });

  it('prints RTO against the detection timeout', () => {
    for (const [label, key] of [['1 s', 'epoch-1000'], ['3 s', 'epoch'], ['8 s', 'epoch-8000']] as const) {
      const s = results[key]!.stats;
      expectInLesson(`| ${label} | ${seconds(s.detectedAtMs!)} | ${seconds(s.rtoMs!)} |`);
    }
  });

  it('says how long two leaders acknowledged writes at once without fencing', () => {
    const s = results['none']!.stats;
    expect(s.zombieLastAckMs!).toBeGreaterThan(s.promotedAtMs!);
    expectInLesson(`from the promotion at ${seconds(s.promotedAtMs!)} until n1's last acknowledgement at ${seconds(s.zombieLastAckMs!)} two leaders`);
  });

  it('describes the invariants as they turn out', () => {
    expectInLesson('The check `noAcknowledgedWriteLost` fails, while `atMostOneLeaderPerTerm` passes');
  });
});

describe('Failover: arithmetic', () => {
  it('false failovers: 3 or 5 missed heartbeats at 1% loss, one heartbeat a second', () => {
    const p = 0.01;
    const three = 1 / p ** 3;
    const five = 1 / p ** 5;
    expect(Math.round(three)).toBe(1e6);
    const days = three / 86_400;
    const years = five / (365.25 * 86_400);
    expectInLesson(
      'once in 10^6 heartbeats; with one heartbeat a second that is a false failover every ' + `${days.toFixed(1)} days`,
      `once in 10^10 heartbeats, about every ${Math.round(years)} years, and adds 2 s to every real detection`,
    );
  });

  it('RPO: replication lag and the zombie window', () => {
    expectInLesson(
      `At ${num(2_000)} writes per second and 200 ms of replication lag, that is up to ${num(2_000 * 0.2)} writes.`,
      `if clients in its zone send 100 writes per second and it keeps acknowledging them for 10 s, another ${num(100 * 10)} writes`,
    );
  });

  it('RTO: Patroni defaults, a promotion and client caches, against a 99.99% monthly budget', () => {
    const ttl = 30;
    const loopWait = 10;
    const rto = ttl + loopWait + 5 + 30;
    const budgetS = 30 * 24 * 3_600 * (1 - 0.9999);
    expectInLesson(
      `noticed after ${ttl} to ${ttl + loopWait} s`,
      `writes stop for up to ${ttl + loopWait} + 5 + 30 = ${rto} s`,
      `may be down for ${(budgetS / 60).toFixed(2)} minutes, ${budgetS.toFixed(1)} s; one such failover spends ${((rto / budgetS) * 100).toFixed(1)}% of it`,
    );
  });

  it('the missed failover of September 2023: detection by hand plus the failover itself', () => {
    expectInLesson(`starting 17 minutes after the first alert and finishing 2 minutes later, for an outage of 17 + 2 = ${17 + 2} minutes`);
  });

  it('the last quiz: the zombie window after a 10 s detection in a 43 s partition', () => {
    expectInLesson(`lasts at least until the partition heals, ${43 - 10} s after the promotion`);
  });
});

describe('Failover: the page itself', () => {
  it('keeps MDX-special characters out of the prose, has no H1, has quizzes and is published', () => {
    const body = lesson.replace(/^---\n[\s\S]*?\n---\n/, '');
    const prose = proseOf(lesson);
    expect(/[{}<]/.test(prose), 'unescaped {, } or < in prose').toBe(false);
    expect(/^# /m.test(prose)).toBe(false);
    expect((body.match(/<Quiz/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(body).toContain('<Simulation scenario="failover-fencing" />');
    expect(body.match(/<Exercise /g)).toEqual(['<Exercise ']);
    expect(body).toContain('<Exercise id="replication-failover" />');
    expect(lesson).not.toMatch(/^draft:/m);
    expect(lesson).toMatch(/^exercises: \[replication-failover\]$/m);
  });

  it('cites a source for each production default it quotes', () => {
    expectInLesson(
      '`ttl` 30 s (the time before the automatic failover process starts), `loop_wait` 10 s and `retry_timeout` 10 s',
      '`electionTimeoutMillis` (10 s by default)',
      '30 s by default in the shipped `sentinel.conf`',
      'https://patroni.readthedocs.io/en/latest/dynamic_configuration.html',
      'https://www.mongodb.com/docs/manual/core/replica-set-elections/',
      'https://martin.kleppmann.com/2016/02/08/how-to-do-distributed-locking.html',
      'https://github.blog/2018-10-30-oct21-post-incident-analysis/',
      'https://github.blog/2012-09-14-github-availability-this-week/',
      'https://github.blog/2023-10-11-github-availability-report-september-2023/',
    );
  });
});

describe('Failover: the exercise section', () => {
  const exerciseFile = (file: string): string =>
    readFileSync(new URL(`../../../exercises/replication-failover/${file}`, import.meta.url), 'utf8');

  it('states the group, the zones, the loss and the clients as the harness sets them', () => {
    const cluster = exerciseFile('cluster.ts');
    expect(cluster).toContain("export const CROSS_ZONE: Distribution = uniform(0.4, 1.0);");
    expect(cluster).toContain("export const FAR_ZONE: Distribution = uniform(2, 4);");
    expect(cluster).toContain("sim.setLink('r1', 'r2', { latency: FAR_ZONE });");
    expect(cluster).toContain('const loss = options.controllerLoss ?? 0.02;');
    expect(cluster).toContain('export const CLIENT_ATTEMPT_MS = 150;');
    expect(cluster).toContain("ackMode: 'semi-sync',");
    expect(cluster).toContain("controller: 'b',");
    expectInLesson(
      'Zone b is further from zone a (2 to 4 ms one way) than zone c is (0.4 to 1 ms), so `r2` trails.',
      'The controller runs in zone b, and 2% of the messages to and from it are lost.',
      'write 150 times a second to the leader they know, and ask the controller who leads when an attempt fails or takes 150 ms.',
    );
  });

  it("states the suite's schedules and bounds as the tests set them", () => {
    const tests = exerciseFile('failover.test.ts');
    expect(tests).toContain('const SEEDS = 20;');
    expect(tests).toContain('[20, 30, 50, 75, 100][Math.floor(rng.next() * 5)]');
    expect(tests).toContain('heartbeatEveryMs * (3 + Math.floor(rng.next() * 4))');
    expect(tests).toContain('const SLACK_MS = 100;');
    expect(tests).toContain('return s.failAfterMs + s.heartbeatEveryMs + CLIENT_ATTEMPT_MS + SLACK_MS;');
    expect(tests).toContain('writesPerS: 150');
    expectInLesson(
      'Each test runs one schedule on 20 seeds, each with a heartbeat every 20 to 100 ms and `failAfterMs` of 3 to 6 heartbeats drawn from the seed',
      'within `failAfterMs` plus one heartbeat, 150 ms and 100 ms of the fault',
    );
  });
});
