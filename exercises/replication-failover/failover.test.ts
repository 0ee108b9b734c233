/**
 * Your controller with your replica group (`cluster.ts`): r1 leads in epoch 1, clients in
 * all three zones write 150 times a second, and each schedule strikes the leader with one or
 * two faults (a lost command counts as one). Each schedule runs on 20 seeds, each seed with its own heartbeat
 * settings drawn from it, and every test reads numbers from those runs. The seeds derive
 * from the exercise's seed, so the cases are the same on every practice run and different
 * when the grade is for the record.
 */
import { assert, describe, inject, it } from 'vitest';
import {
  CLIENT_ATTEMPT_MS,
  REPLICAS,
  divergent,
  epochsCreated,
  lastLeader,
  leadersPerEpoch,
  lostAcknowledged,
  needlessTruncations,
  recoveryMs,
  runCluster,
  silenceBeforeEpochs,
  zombieAcks,
  type ClusterRun,
  type Fault,
} from './cluster.ts';
import { createController } from './controller.ts';
import { Random } from '@faultlines/sim';

const seed = inject('seed');
const SEEDS = 20;
/** When the fault strikes. */
const FAULT_MS = 200;
/**
 * Time for the fence, the promotion, their disk syncs and a few messages (some lost and
 * re-sent). Over seeds 1–30 the reference recovered with 20–82 ms of a 60 ms slack to spare
 * when the leader is cut from the controller (its tightest schedule), but alt-await-answers,
 * which waits a little for every replica's answer after a majority has fenced, came within
 * 0.04 ms of that bound (seed 22: a heartbeat every 75 ms, failAfterMs 300 ms, 584.96 ms of
 * 585): 100 ms leaves a correct design that waits room.
 */
const SLACK_MS = 100;

/** Heartbeat settings drawn from a run's seed: a heartbeat every 20–100 ms, death declared after 3 to 6 of them. */
export function settingsFor(runSeed: number): { heartbeatEveryMs: number; failAfterMs: number } {
  const rng = new Random(runSeed);
  const heartbeatEveryMs = [20, 30, 50, 75, 100][Math.floor(rng.next() * 5)]!;
  const failAfterMs = heartbeatEveryMs * (3 + Math.floor(rng.next() * 4));
  return { heartbeatEveryMs, failAfterMs };
}

/** The slowest recovery accepted: the leader is silent for failAfterMs, a lost fence costs a heartbeat, clients wait out one attempt. */
export function rtoBoundMs(s: { heartbeatEveryMs: number; failAfterMs: number }): number {
  return s.failAfterMs + s.heartbeatEveryMs + CLIENT_ATTEMPT_MS + SLACK_MS;
}

/**
 * How long the controller stops hearing a live leader: with the heartbeat just before the
 * cut and one lost after it, the silence stays below failAfterMs by half a heartbeat.
 */
export function muteMs(s: { heartbeatEveryMs: number; failAfterMs: number }): number {
  return s.failAfterMs - 2.5 * s.heartbeatEveryMs;
}

type Schedule = (s: { heartbeatEveryMs: number; failAfterMs: number }, rng: Random, run: number) => Fault[];

/** Which command the network loses in run `i` of "a command lost": each kind on a third of the runs. */
const LOST: readonly Omit<Extract<Fault, { kind: 'lose-command' }>, 'atMs' | 'kind'>[] = [
  { command: 'fence', to: 'r2' },
  { command: 'promote' },
  { command: 'follow' },
  { command: 'fence', to: 'r3' },
];

const schedules: Record<string, Schedule> = {
  'zone a dark': (s) => [{ kind: 'zone-dark', replica: 'r1', atMs: FAULT_MS, healAtMs: FAULT_MS + s.failAfterMs + 400 }],
  'leader paused': (s, rng) => [
    { kind: 'pause', replica: 'r1', atMs: FAULT_MS, resumeAtMs: FAULT_MS + s.failAfterMs + 100 + Math.floor(rng.next() * 300) },
  ],
  'leader cut from the controller': (s) => [
    { kind: 'cut-from-controller', replica: 'r1', atMs: FAULT_MS, healAtMs: FAULT_MS + s.failAfterMs + 500 },
  ],
  'heartbeats lost for a while': (s) => [{ kind: 'mute', replica: 'r1', atMs: FAULT_MS, healAtMs: FAULT_MS + muteMs(s) }],
  // The second leader restarts 300 ms after its crash in even runs, and in odd ones half of
  // failAfterMs after it: before its silence has lasted failAfterMs, so that a controller
  // that takes the restarted leader back in its old epoch is caught on every seed. With
  // 300 ms alone only runs whose failAfterMs exceeded 300 ms could catch it, and
  // bug-same-epoch-restart passed every test on seeds 6 and 8 of 1–10; now it fails on all
  // of 1–20, and the reference and both alternatives pass on all of 1–30.
  'two failovers': (s, _rng, run) => [
    { kind: 'zone-dark', replica: 'r1', atMs: FAULT_MS, healAtMs: FAULT_MS + s.failAfterMs + 300 },
    {
      kind: 'leader-crash',
      atMs: FAULT_MS + 2 * s.failAfterMs + 700,
      restartAtMs: FAULT_MS + 2 * s.failAfterMs + 700 + (run % 2 === 0 ? 300 : s.failAfterMs / 2),
    },
  ],
  'a command lost': (s, _rng, run) => [
    { kind: 'zone-dark', replica: 'r1', atMs: FAULT_MS, healAtMs: FAULT_MS + s.failAfterMs + 400 },
    { kind: 'lose-command', atMs: FAULT_MS, ...LOST[run % LOST.length]! },
  ],
  // r1 is cut from the controller and keeps taking writes it cannot acknowledge; the leader
  // that replaces it crashes soon after, and the links heal once the next failover is under
  // way. Its answer then shows the longest log of all, from an older epoch.
  'a deposed leader with a longer log': (s) => [
    { kind: 'cut-from-controller', replica: 'r1', atMs: FAULT_MS, healAtMs: FAULT_MS + 2 * s.failAfterMs + 250 + s.heartbeatEveryMs },
    { kind: 'leader-crash', atMs: FAULT_MS + s.failAfterMs + 220, restartAtMs: FAULT_MS + 2 * s.failAfterMs + 1_000 },
  ],
};

/** When a fault is over. */
const faultEndMs = (f: Fault): number =>
  f.kind === 'leader-crash' ? f.restartAtMs : f.kind === 'pause' ? f.resumeAtMs : f.kind === 'lose-command' ? f.atMs : f.healAtMs;

interface SeededRun {
  readonly runSeed: number;
  readonly settings: { heartbeatEveryMs: number; failAfterMs: number };
  readonly faults: Fault[];
  readonly run: ClusterRun;
}

const cache = new Map<string, Promise<SeededRun[]>>();
/** The schedule's 20 runs, once per test file. */
function runs(name: string): Promise<SeededRun[]> {
  let found = cache.get(name);
  if (found === undefined) {
    found = (async () => {
      const out: SeededRun[] = [];
      for (let i = 0; i < SEEDS; i++) {
        const runSeed = new Random(seed).fork(`${name} ${i}`).int(2 ** 31 - 1) + 1;
        const settings = settingsFor(runSeed);
        const faults = schedules[name]!(settings, new Random(runSeed).fork('faults'), i);
        // The clients write until every fault is over and there has been time to recover from the last.
        const stopMs = Math.max(...faults.map((f) => Math.max(faultEndMs(f), f.atMs + rtoBoundMs(settings)))) + 300;
        out.push({ runSeed, settings, faults, run: await runCluster({ seed: runSeed, createController, ...settings, faults, stopMs, writesPerS: 150 }) });
      }
      return out;
    })();
    cache.set(name, found);
  }
  return found;
}

const ms = (value: number): string =>
  Number.isFinite(value) ? `${value.toLocaleString('en-US', { maximumFractionDigits: 0 })} ms` : 'never';
const count = (n: number): string => n.toLocaleString('en-US');
const setting = (r: SeededRun): string =>
  `seed ${r.runSeed}, a heartbeat every ${ms(r.settings.heartbeatEveryMs)}, failAfterMs ${ms(r.settings.failAfterMs)}`;

function assertNoErrors(all: readonly SeededRun[]): void {
  for (const r of all) {
    assert(
      r.run.errors.length === 0,
      `Your code threw ${count(r.run.errors.length)} error(s) inside the simulation (${setting(r)}); the first: ${r.run.errors[0]}`,
    );
  }
}

function assertNothingLost(all: readonly SeededRun[], what: string): void {
  for (const r of all) {
    const { lost, acknowledged, example } = lostAcknowledged(r.run);
    assert(
      lost === 0,
      `${what} (${setting(r)}): ${count(lost)} of ${count(acknowledged)} acknowledged writes are missing from the final leader's log. ` +
        `${example ?? ''} Every acknowledged write is on a follower's disk; a new leader chosen from fewer than a majority of fenced ` +
        'replicas, or not the one furthest ahead, can lack it.',
    );
  }
}

/** Every epoch started after failAfterMs without a heartbeat (schedules where no leader restarts, which may start one sooner). */
function assertNoEarlyFailover(all: readonly SeededRun[], what: string): void {
  for (const r of all) {
    const early = silenceBeforeEpochs(r.run).find((e) => e.silentMs < r.settings.failAfterMs - 1e-6);
    assert(
      early === undefined,
      `${what} (${setting(r)}): your controller started epoch ${early?.epoch} at ${ms(early?.atMs ?? 0)}, when the last heartbeat ` +
        `of the epoch before had come ${ms(early?.silentMs ?? 0)} before, less than failAfterMs. A failover costs the writes in ` +
        'flight and an outage: declare the leader dead only after failAfterMs without a heartbeat.',
    );
  }
}

function assertOneLeaderPerEpoch(all: readonly SeededRun[], what: string): void {
  for (const r of all) {
    const result = leadersPerEpoch(r.run);
    assert(result.ok, `${what} (${setting(r)}): ${result.ok ? '' : result.message} Use each epoch for one promotion only.`);
  }
}

function assertLogsAgree(all: readonly SeededRun[], what: string): void {
  for (const r of all) {
    const bad = divergent(r.run);
    const first = bad[0];
    assert(
      first === undefined,
      `${what} (${setting(r)}): at the end ${first?.replica}'s log disagrees with the leader's (${lastLeader(r.run)?.replica ?? 'r1'}) at entry ` +
        `${first?.index}: ${first?.why}. A replica that comes back must be told to follow the current leader, from the index where ` +
        'its log stops agreeing with it (it throws away what comes after).',
    );
  }
}

/** The replica leading when `atMs` came: the last one promoted by then, or r1. */
function leaderAt(r: SeededRun, atMs: number): string {
  let leader = 'r1';
  for (const p of r.run.promotions) if (p.atMs <= atMs) leader = p.replica;
  return leader;
}

/**
 * Recovery within the bound, on every run whose fault struck the leader. On a rare seed
 * enough heartbeats are lost in a row that a failover before the fault is right (the test
 * checks the silence), and then a fault on r1 strikes a follower: such runs are skipped.
 */
function assertRecovers(all: readonly SeededRun[], what: string, faultAt: (r: SeededRun) => number, struck?: string): void {
  const hit = all.filter((r) => struck === undefined || leaderAt(r, faultAt(r)) === struck);
  assert(
    hit.length >= all.length - 2,
    `${what}: on ${count(all.length - hit.length)} of ${count(all.length)} runs ${struck} no longer led when the fault came; ` +
      'a failover before the fault should be rare (it needs heartbeats lost for failAfterMs in a row).',
  );
  const worst = hit
    .map((r) => ({ r, rto: recoveryMs(r.run, faultAt(r)), bound: rtoBoundMs(r.settings) }))
    .sort((a, b) => b.rto - b.bound - (a.rto - a.bound))[0]!;
  assert(
    worst.rto <= worst.bound,
    `${what}: the first write a new leader acknowledged came ${ms(worst.rto)} after the fault (${setting(worst.r)}); the bound is ` +
      `${ms(worst.bound)}: failAfterMs, one heartbeat for a lost fence, ${ms(CLIENT_ATTEMPT_MS)} for the clients to give up on the old ` +
      `leader, and ${ms(SLACK_MS)} for messages and disk syncs. ` +
      (worst.r.run.promotions.length === 0
        ? 'No replica was ever promoted.'
        : `After the fault your controller first sent a command of a new epoch at ${ms([...epochsCreated(worst.r.run).values()].find((t) => t > faultAt(worst.r)) ?? Infinity)}. ` +
          'If a replica was promoted and still acknowledged nothing, look at your replica (../replication-log/replica.ts) too: after a ' +
          'failover it is created with config.leader naming the new leader, on a log that is not empty.'),
  );
}

describe('when the leader dies', () => {
  it('a follower leads within failAfterMs plus a little, and no acknowledged write is lost', async () => {
    const all = await runs('zone a dark');
    assertNoErrors(all);
    assertNoEarlyFailover(all, 'Zone a went dark');
    assertRecovers(all, 'Zone a (r1 and its clients) went dark', () => FAULT_MS, 'r1');
    assertNothingLost(all, 'Zone a went dark');
    assertOneLeaderPerEpoch(all, 'Zone a went dark');
  });

  it('the old leader, back from its crash, follows the new one and its log agrees', async () => {
    const all = await runs('zone a dark');
    assertLogsAgree(all, 'r1 restarted when zone a came back');
  });
});

describe('a zombie leader', () => {
  it('a leader that pauses past failAfterMs acknowledges nothing the new leader lacks once replaced', async () => {
    const all = await runs('leader paused');
    assertNoErrors(all);
    for (const r of all) {
      const zombies = zombieAcks(r.run);
      assert(
        zombies.length === 0,
        `r1 paused at ${ms(FAULT_MS)} for longer than failAfterMs (${setting(r)}), then carried on as leader of epoch ` +
          `${zombies[0]?.epoch}: it acknowledged ${count(zombies.length)} write(s) after a newer epoch's leader had been promoted ` +
          `without them, the first at ${ms(zombies[0]?.atMs ?? 0)}. Fence every replica with the new epoch before you promote: ` +
          'a follower of the new epoch refuses the old leader, which can then get no write onto a follower.',
      );
    }
    assertNoEarlyFailover(all, 'r1 paused');
    assertNothingLost(all, 'r1 paused');
    assertOneLeaderPerEpoch(all, 'r1 paused');
    assertLogsAgree(all, 'r1 paused and came back');
  });

  it('a leader the controller cannot reach is replaced, and fenced, though it still reaches its followers', async () => {
    const all = await runs('leader cut from the controller');
    assertNoErrors(all);
    for (const r of all) {
      const zombies = zombieAcks(r.run);
      assert(
        zombies.length === 0,
        `The links between r1 and the controller were cut at ${ms(FAULT_MS)} (${setting(r)}); r1 could still reach r2 and r3, and ` +
          `acknowledged ${count(zombies.length)} write(s) after a newer epoch's leader had been promoted without them, the first at ` +
          `${ms(zombies[0]?.atMs ?? 0)}. Every replica of the new epoch must have stored it before anyone leads it.`,
      );
    }
    assertNoEarlyFailover(all, 'r1 was cut from the controller');
    assertRecovers(all, 'r1 was cut from the controller', () => FAULT_MS, 'r1');
    assertNothingLost(all, 'r1 was cut from the controller');
    assertLogsAgree(all, 'r1 was cut from the controller, then the links healed');
  });
});

describe('a leader that is alive', () => {
  it('is not replaced before its heartbeats have stopped for failAfterMs', async () => {
    const all = await runs('heartbeats lost for a while');
    assertNoErrors(all);
    // 2% of heartbeats are lost: on a rare seed enough are lost in a row to reach failAfterMs, and a failover is then right.
    assertNoEarlyFailover(all, `The controller heard nothing from r1 for failAfterMs minus 2.5 heartbeats from ${ms(FAULT_MS)}, and 2% of its messages are lost`);
  });

  it('sends (almost) no commands while the leader is alive', async () => {
    // Reference: one fence to each follower at the first tick (to learn where they are), and
    // one more whenever an answer is lost. A command per replica every heartbeat is churn.
    for (const r of await runs('heartbeats lost for a while')) {
      if (epochsCreated(r.run).size > 0) continue;
      const sent = r.run.commands.length;
      const bound = REPLICAS.length * (1 + r.run.endMs / 1_000);
      assert(
        sent <= bound,
        `No failover happened (${setting(r)}), yet your controller sent ${count(sent)} commands in ${ms(r.run.endMs)}; at most ` +
          `${count(Math.floor(bound))} (one per replica per second) are allowed. Once a replica has answered that it is where it ` +
          'should be, leave it alone: re-send only to replicas that are not known to be in their place.',
      );
    }
  });
});

describe('a second failover', () => {
  it('after r1 rejoins as a follower, the new leader crashes: a third leader takes over, and nothing is lost', async () => {
    const all = await runs('two failovers');
    assertNoErrors(all);
    assertRecovers(all, 'The second leader crashed', (r) => r.faults[1]!.atMs);
    assertNothingLost(all, 'After two failovers');
    assertOneLeaderPerEpoch(all, 'After two failovers');
    assertLogsAgree(all, 'After two failovers');
  });
});

describe('a command lost on the way', () => {
  it('a lost fence, promotion or follow delays the failover by a heartbeat at most, and loses nothing', async () => {
    const all = await runs('a command lost');
    assertNoErrors(all);
    assertRecovers(all, 'Zone a went dark and the network lost one of your commands', () => FAULT_MS, 'r1');
    assertNothingLost(all, 'Zone a went dark and one command was lost');
    assertOneLeaderPerEpoch(all, 'Zone a went dark and one command was lost');
    assertLogsAgree(all, 'Zone a went dark and one command was lost');
  });
});

describe('choosing the new leader', () => {
  it('a deposed leader with the longest log, from an older epoch, does not lead again', async () => {
    const all = await runs('a deposed leader with a longer log');
    assertNoErrors(all);
    assertNothingLost(all, 'r1, cut from the controller, kept taking writes; its successor crashed');
    assertOneLeaderPerEpoch(all, 'r1, cut from the controller, kept taking writes; its successor crashed');
    assertLogsAgree(all, 'r1, cut from the controller, kept taking writes; its successor crashed');
    // A majority needs r1 again, so the failover can end only once its links heal: the bound runs from then.
    assertRecovers(all, "The leader that replaced r1 crashed, and a new one could be chosen once r1's links to the controller healed", (r) =>
      faultEndMs(r.faults[0]!),
    );
  });
});

describe('bringing a replica back', () => {
  it('throws away only the entries the leader it follows does not have', async () => {
    // In this schedule r1 always comes back with entries to throw away; until it is brought
    // back in line there is nothing to measure.
    assertLogsAgree(await runs('a deposed leader with a longer log'), 'Not checked yet: r1 came back with a tail of writes it could not acknowledge');
    for (const name of Object.keys(schedules)) {
      for (const r of await runs(name)) {
        const bad = needlessTruncations(r.run)[0];
        assert(
          bad === undefined,
          `${name} (${setting(r)}): at ${ms(bad?.atMs ?? 0)} ${bad?.replica} was told to follow ${bad?.leader} from index ` +
            `${bad?.fromIndex}, and threw away ${count(bad?.dropped ?? 0)} entries, ${count(bad?.agreeing ?? 0)} of which ${bad?.leader} ` +
            'held too, at the same index and from the same epoch: they must now be sent again. Its entries of its last epoch agree ' +
            'with the leader up to where the first later epoch began; cut there (or at its last index, if that comes first).',
        );
      }
    }
  });
});
