/**
 * Live simulation for the lesson "The log": the Figure 8 case of the Raft paper, step by step,
 * on servers `n1` … `n5` for S1 … S5 (`consensus/log.ts`, with scripted elections). Every
 * server starts at term 1 holding one entry of term 1 (a no-op). Messages take 1 ms, an fsync
 * 2 ms; no server stands by itself until step 5, only when the script makes it
 * (`campaign`); once standing, a candidate stands again after 150–300 ms until it wins or
 * hears of a leader. Four clients each send one command at a set moment and, while unanswered,
 * send it again to the same server (c4 looks for the leader):
 *
 * 1. t = 0.3 s: n1 stands and wins term 2; just before its first append goes out, its links
 *    to n3, n4 and n5 are cut one way, so it reaches only n2. At 0.4 s c1 writes `x=A` to n1:
 *    n1 and n2 hold it, not a majority.
 * 2. t = 0.7 s: n1 crashes. n5 stands for term 3 and wins with n3, n4 and itself (n2's log is
 *    more up to date, so it refuses); its links to the others are cut one way just before it
 *    leads, so its entries reach nobody. At 0.8 s c2 writes `y=B` to n5. At 1.0 s n5 crashes.
 * 3. t = 1.2 s: n1 restarts, n4 is cut off. n1 stands for term 3, in which n3 has already
 *    voted, loses, stands again for term 4 and wins with n2 and n3, and copies its entries to
 *    n3. At 1.65 s n1 is cut off from every server; at 1.7 s c3 writes `z=C` to it, which only
 *    n1 holds; at 1.8 s n1 crashes.
 * 4. t = 2.1 s: n5 restarts, n4 rejoins, and n5 stands: for term 4 (n2 and n3 have voted in
 *    it), then term 5, and on.
 * 5. t = 2.9 s: n1 restarts, the cut heals and every server's election timer runs again; at
 *    3.3 s c4 reads `x` through whichever server leads.
 *
 * With `commitRule: 'own-term'` (Raft's rule) a new leader appends a no-op of its term and
 * commits by counting only entries of its own term, so the logs carry a no-op at the start of
 * each term and `x=A` sits at index 3 (1 2 2 on n1 and n2 after step 1). In step 3 n1 may not
 * count `x=A`; its no-op of term 4 goes out with it, and once n2 and n3 hold both, n1 commits
 * the no-op and `x=A` with it and answers c1 (its commit index goes straight to 4). In step 4 n2
 * and n3 end in term 4, later than n5's last term 3, and refuse it: n5 stands again and again
 * and never wins. In step 5 one of n1, n2, n3 wins, and c4 reads `x=A`.
 * With `commitRule: 'count-any'` (Raft without the Figure 8 rule, which needs no no-op) n1
 * commits `x=A` at index 2 in step 3 as soon as n3 holds it, applies it and answers c1: the
 * logs are then exactly the lesson's table (1 2 4, 1 2, 1 2, 1, 1 3). In step 4 n5 wins term 5
 * with n2, n3 and n4, overwrites index 2 everywhere with `y=B`, and c4 reads no `x` at all: an
 * acknowledged write lost. n2 and n3 had already applied `x=A`, so their stores disagree
 * with n5's for good.
 *
 * Besides, clients ask who leads, 100 times a second; only a server that believes it leads
 * answers, so the availability chart shows when the cluster has a leader.
 *
 * The notes show each server's role, term, the terms of its log, its commit index and its
 * value of `x` (`F · t4 · 1 2 │ c2 · x=A`), and each client's command and outcome
 * (`put x=A · ok at 1.50 s, then lost`). The message view shows c1's `put key=x value=A`, its
 * answer `put index=2 term=2`, and the appends that carry and then overwrite index 2
 * (`append term=5 prev=1/1 n=1 commit=0 entries=[{"term":3,"op":"put y=B"}]`).
 */
import { constant, noAcknowledgedWriteLost, writesFromHistory, type InvariantResult, type KvInput, type KvOutput, type LostWrite, type Workload } from '../sim/index.ts';
import { buildLogCluster, putOp, SERVERS, stickyClient, whoLeadsClients, type CommitRule, type Leads, type LogCluster, type LogStats, type WhoLeads } from './consensus/log.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

export const STEP_1_MS = 300;
export const STEP_2_MS = 700;
export const STEP_3_MS = 1_200;
export const STEP_4_MS = 2_100;
export const STEP_5_MS = 2_900;
export const READ_AT_MS = 3_300;
export const DURATION_MS = 3_800;
/** The client whose write is acknowledged in step 3 (and, with `count-any`, lost in step 4). */
export const LOST_WRITE = { client: 'c1', key: 'x', value: 'A' } as const;
const CLIENTS = ['c1', 'c2', 'c3', 'c4'] as const;
/** Questions per second from clients asking who leads (they only get an answer from a leader). */
export const WHO_LEADS_PER_S = 100;

export interface BuiltRaftFigure8 extends BuiltScenario {
  readonly cluster: LogCluster;
  readonly commitRule: CommitRule;
  readonly clients: Readonly<Record<(typeof CLIENTS)[number], Workload<KvInput, KvOutput>>>;
  readonly whoLeads: Workload<WhoLeads, Leads>;
  stats(): LogStats;
  /** Whether every acknowledged write survives in every server's store (run to the end first). */
  writesKept(): InvariantResult<LostWrite>;
  nodeNotes(): Readonly<Record<string, string>>;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const describeInput = (input: KvInput): string => (input.kind === 'get' ? `get ${input.key}` : `${input.kind} ${input.key}=${input.value}`);

export function buildRaftFigure8(params: ParamValues, seed: number, options: { readonly trace?: boolean } = {}): BuiltRaftFigure8 {
  const commitRule: CommitRule = params['commitRule'] === 'count-any' ? 'count-any' : 'own-term';
  const cluster = buildLogCluster({
    seed,
    trace: options.trace ?? true,
    conflictHint: false,
    commitRule,
    elections: 'scripted',
    latency: constant(1),
    syncLatency: constant(2),
    initial: Object.fromEntries(SERVERS.map((s) => [s, { term: 1, log: [1] }])),
    watchKey: 'x',
  });
  const { sim } = cluster;
  const others = (name: string): string[] => SERVERS.filter((s) => s !== name);
  /** Cuts the links from `name` to each of `to`, one way; returns a function that heals them. */
  const cutFrom = (name: string, to: readonly string[], label: string): (() => void) => {
    const cuts = to.map((t) => sim.cutLink(name, t, { label }));
    cluster.note('cut', name, label);
    return () => {
      for (const c of cuts) c.heal();
      cluster.note('heal', name, label);
    };
  };

  const clients = {
    c1: stickyClient(cluster, { name: 'c1', atMs: STEP_1_MS + 100, server: 'n1', input: { kind: 'put', key: 'x', value: 'A' }, deadlineMs: 1_800 }),
    c2: stickyClient(cluster, { name: 'c2', atMs: STEP_2_MS + 100, server: 'n5', input: { kind: 'put', key: 'y', value: 'B' }, deadlineMs: 2_000 }),
    c3: stickyClient(cluster, { name: 'c3', atMs: STEP_3_MS + 500, server: 'n1', input: { kind: 'put', key: 'z', value: 'C' }, deadlineMs: 1_000 }),
    c4: stickyClient(cluster, { name: 'c4', atMs: READ_AT_MS, input: { kind: 'get', key: 'x' }, deadlineMs: 450, attemptMs: 100 }),
  };

  const whoLeads = whoLeadsClients(cluster, { name: 'who-leads', ratePerS: WHO_LEADS_PER_S, startMs: 100, stopMs: DURATION_MS - 200 });

  // Step 1: n1 leads term 2 and reaches only n2.
  let healStep1 = (): void => {};
  sim.at(STEP_1_MS, () => cluster.campaign('n1'));
  // Its requests for votes arrive at +3 ms, the votes at +6 ms: cut in between.
  sim.at(STEP_1_MS + 4, () => {
    healStep1 = cutFrom('n1', ['n3', 'n4', 'n5'], 'n1 reaches only n2');
  });

  // Step 2: n1 crashes; n5 leads term 3 and reaches nobody; n5 crashes.
  let healStep2 = (): void => {};
  sim.at(STEP_2_MS, () => cluster.crash('n1'));
  sim.at(STEP_2_MS + 50, () => cluster.campaign('n5'));
  sim.at(STEP_2_MS + 54, () => {
    healStep2 = cutFrom('n5', ['n2', 'n3', 'n4'], 'n5 reaches nobody');
  });
  sim.at(STEP_2_MS + 300, () => cluster.crash('n5'));

  // Step 3: n1 restarts and leads term 4 with n2 and n3; then it is cut off and crashes.
  let healN4 = (): void => {};
  let healN1 = (): void => {};
  sim.at(STEP_3_MS, () => {
    healStep1();
    healStep2();
    const cut = sim.partition([['n4'], others('n4')], { label: 'n4 cut off' });
    cluster.note('cut', 'n4', 'n4 cut off');
    healN4 = () => {
      cut.heal();
      cluster.note('heal', 'n4', 'n4 cut off');
    };
    cluster.restart('n1');
  });
  sim.at(STEP_3_MS + 50, () => cluster.campaign('n1'));
  sim.at(STEP_3_MS + 450, () => {
    const cut = sim.partition([['n1'], others('n1')], { label: 'n1 cut off' });
    cluster.note('cut', 'n1', 'n1 cut off');
    healN1 = () => {
      cut.heal();
      cluster.note('heal', 'n1', 'n1 cut off');
    };
  });
  sim.at(STEP_3_MS + 600, () => cluster.crash('n1'));

  // Step 4: n5 restarts and stands.
  sim.at(STEP_4_MS, () => {
    healN4();
    cluster.restart('n5');
  });
  sim.at(STEP_4_MS + 50, () => cluster.campaign('n5'));

  // Step 5: everyone back, election timers on.
  sim.at(STEP_5_MS, () => {
    healN1();
    cluster.restart('n1');
    cluster.enableTimeouts();
  });

  const clientNote = (name: (typeof CLIENTS)[number]): string | undefined => {
    const op = clients[name].history[0];
    if (op === undefined) return undefined;
    const what = describeInput(op.input);
    if (op.status === 'unknown') return clients[name].open > 0 ? `${what} · waiting` : `${what} · no answer`;
    if (op.status === 'failed') return `${what} · refused`;
    const answer = op.output?.kind === 'get' ? ` → ${op.output.value ?? 'nothing'}` : ' · ok';
    const lost =
      op.input.kind === 'put' && cluster.stats().lostCommits.some((l) => l.first.op === putOp(op.input.key, (op.input as { value: string }).value))
        ? ', then lost'
        : '';
    return `${what}${answer} at ${seconds(op.returnMs!)}${lost}`;
  };

  return {
    sim,
    durationMs: DURATION_MS,
    groups: { clients: [...CLIENTS, 'who-leads'], servers: [...SERVERS] },
    // 100 questions a second: 50 ms buckets hold about five. They take 1–5 ms, c1's write
    // more than a second: a log axis shows both.
    charts: { bucketMs: 50, latencyScale: 'log' },
    cluster,
    commitRule,
    clients,
    whoLeads,
    stats: () => cluster.stats(),
    writesKept: () =>
      noAcknowledgedWriteLost({
        writes: CLIENTS.flatMap((c) => writesFromHistory(clients[c].history)),
        finalStates: SERVERS.map((s) => ({ source: s, values: Object.fromEntries(cluster.view(s).store) })),
      }),
    nodeNotes: () => {
      const notes: Record<string, string> = cluster.notes();
      for (const c of CLIENTS) {
        const note = clientNote(c);
        if (note !== undefined) notes[c] = note;
      }
      return notes;
    },
  };
}

export const scenario: Scenario = {
  id: 'raft-figure-8',
  title: 'Figure 8: why a leader counts only its own term',
  description:
    'The Figure 8 steps of the Raft paper, scripted: n1 leads term 2 and reaches only n2; n5 leads term 3 and reaches ' +
    'nobody; n1 leads term 4; n5 stands again. Watch c1’s write x=A. With Raft’s rule, n1 commits it only with an entry ' +
    'of its own term, and n5 cannot win afterwards. Counting any entry, n1 commits x=A as soon as three servers hold it ' +
    'and answers c1, then n5 wins term 5 and overwrites it: an acknowledged write lost.',
  params: [
    {
      kind: 'select',
      name: 'commitRule',
      label: 'A leader commits by counting',
      options: [
        { value: 'own-term', label: 'Only entries of its own term (Raft)' },
        { value: 'count-any', label: 'Any entry a majority holds (unsafe)' },
      ],
      default: 'own-term',
    },
  ],
  build: (params, seed) => buildRaftFigure8(params, seed),
};
