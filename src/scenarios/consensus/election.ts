/**
 * Raft leader election (section 5.2 of the Raft paper) on five servers, `n1` … `n5`, for the
 * lesson "Why agreement is hard". Only the election: terms, one vote per server per term kept
 * on disk, election timeouts, heartbeats. No log.
 *
 * - Every server keeps `term` and `votedFor` on its disk, and syncs them before it sends
 *   anything that depends on them: a vote it grants, or, as a candidate, its request for
 *   votes (it voted for itself). A restarted server reads them back.
 * - A follower that hears no heartbeat of its term, and grants no vote, for an election
 *   timeout stands: it moves to the next term, votes for itself and asks the others.
 * - A server grants one vote per term, to the first candidate that asks; a candidate with a
 *   majority (itself included) leads, and sends heartbeats at once and every
 *   {@link HEARTBEAT_MS}.
 * - Any message of a higher term makes a server adopt that term and follow; a leader or a
 *   candidate steps down. A follower answers every heartbeat with its term, so a deposed
 *   leader learns of a newer term from its first answer.
 *
 * The servers talk only in one-way messages (`ctx.send`), so a lost message is simply gone.
 * The cluster records what happened (who stood in which term, who led it, who stepped down)
 * and each server's term and role as it changes, for the tests and the lesson; the nodes
 * never read those records.
 */
import { Rejection, RemoteError, Simulation, uniform, type NodeContext } from '../../sim/index.ts';

export const SERVERS = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;
export const MAJORITY = Math.floor(SERVERS.length / 2) + 1;
export const HEARTBEAT_MS = 50;
/** Random timeouts are drawn anew, uniformly from this range, every time a timer is set. */
export const TIMEOUT_MIN_MS = 150;
export const TIMEOUT_MAX_MS = 300;
/** Fixed timeouts: every server always waits this long. */
export const FIXED_TIMEOUT_MS = 150;

export type Timeouts = 'random' | 'fixed';

export type Role = 'follower' | 'candidate' | 'leader';

/** Messages between servers, one way. `kind` and the fields show in the message view. */
export type ElectionMessage =
  | { readonly kind: 'request-vote'; readonly term: number; readonly candidate: string }
  | { readonly kind: 'vote'; readonly term: number; readonly granted: boolean }
  | { readonly kind: 'heartbeat'; readonly term: number; readonly leader: string }
  | { readonly kind: 'heartbeat-reply'; readonly term: number };

/** What a client asks: who leads? Only a leader answers; a follower refuses and names the leader it knows. */
export interface WhoLeads {
  readonly kind: 'who-leads';
}
export interface Leads {
  readonly kind: 'leads';
  readonly leader: string;
  readonly term: number;
}

/** What the cluster saw happen, in order. */
export type ElectionEvent =
  | { readonly type: 'stand'; readonly atMs: number; readonly node: string; readonly term: number }
  | { readonly type: 'lead'; readonly atMs: number; readonly node: string; readonly term: number }
  | { readonly type: 'step-down'; readonly atMs: number; readonly node: string; readonly term: number; readonly newTerm: number }
  | { readonly type: 'crash'; readonly atMs: number; readonly node: string }
  | { readonly type: 'restart'; readonly atMs: number; readonly node: string }
  /** A server cut off from all the others, and the cut healing. */
  | { readonly type: 'cut-off'; readonly atMs: number; readonly node: string }
  | { readonly type: 'heal'; readonly atMs: number; readonly node: string };

/** The numbers of a run, as the lesson names them. */
export interface ElectionStats {
  /** The highest term any server reached. */
  readonly term: number;
  /** The leader of that term, if it has one and it is up. */
  readonly leader: string | null;
  /** Every candidacy: a server moving to a new term to stand for election. */
  readonly electionsStarted: number;
  /** Terms in which some server stood, nobody won, and a later term began. */
  readonly splitVotes: readonly number[];
  /** Who led which term, first heartbeat first (for `atMostOneLeaderPerTerm`). */
  readonly leaders: readonly { readonly nodeId: string; readonly term: number; readonly atMs: number }[];
  /**
   * Time, up to `untilMs`, during which the newest term had no leader that was up and
   * reachable: from the start until the first leader, and from a leader's crash, its being
   * cut off, or a newer term's first candidacy, until the newest term's leader.
   */
  readonly leaderlessMs: number;
  /** When the first leader was elected, or `null`. */
  readonly firstLeaderAtMs: number | null;
  readonly events: readonly ElectionEvent[];
}

export interface ElectionClusterOptions {
  readonly seed: number;
  readonly trace?: boolean;
  readonly timeouts: Timeouts;
  /** Probability that any one message between servers is lost. */
  readonly loss: number;
  /** Clients asking who leads, per second (0 for none). */
  readonly clientRatePerS?: number;
  readonly clientStopMs: number;
}

export interface ElectionCluster {
  readonly sim: Simulation;
  /** The leader of the newest term right now, if it is up. */
  currentLeader(): string | null;
  /** The term of server `name`, as it holds it now (0 before it has seen any). */
  termOf(name: string): number;
  /** The role server `name` holds now; a crashed server keeps the one it held when it went down. */
  roleOf(name: string): Role;
  /** Marks faults in the record (the scenario schedules them). */
  note(type: 'crash' | 'restart' | 'cut-off' | 'heal', name: string): void;
  stats(untilMs: number): ElectionStats;
}

interface Saved {
  readonly term: number;
  readonly votedFor: string | null;
}

export function buildElectionCluster(options: ElectionClusterOptions): ElectionCluster {
  const sim = new Simulation({
    seed: options.seed,
    trace: { enabled: options.trace ?? true },
    network: { latency: uniform(0.5, 1.5), dropProbability: options.loss },
  });
  const events: ElectionEvent[] = [];
  const terms = new Map<string, number>();
  const roles = new Map<string, Role>();
  const down = new Set<string>();
  let newestTerm = 0;
  let newestLeader: string | null = null;

  const record = (event: ElectionEvent): void => {
    events.push(event);
    if (event.type === 'stand' && event.term > newestTerm) {
      newestTerm = event.term;
      newestLeader = null;
    } else if (event.type === 'lead' && event.term === newestTerm) {
      newestLeader = event.node;
    } else if (event.type === 'crash' || event.type === 'cut-off') {
      down.add(event.node);
      if (newestLeader === event.node) newestLeader = null;
    } else if (event.type === 'restart' || event.type === 'heal') {
      down.delete(event.node);
    }
  };

  for (const name of SERVERS) {
    sim.addNode(
      name,
      (ctx: NodeContext) => {
        const others = SERVERS.filter((s) => s !== name);
        const saved = ctx.disk.read('election') as Saved | undefined;
        let term = saved?.term ?? 0;
        let votedFor = saved?.votedFor ?? null;
        let role: Role = 'follower';
        let leader: string | null = null;
        let votes = new Set<string>();
        let electionTimer: number | undefined;
        let heartbeatTimer: number | undefined;
        terms.set(name, term);
        roles.set(name, role);

        const send = (to: string, message: ElectionMessage): void => ctx.send(to, message);

        /** Writes term and vote and waits until they are durable. */
        const save = (): Promise<void> => {
          ctx.disk.write('election', { term, votedFor } satisfies Saved);
          return ctx.disk.sync();
        };

        const timeout = (): number =>
          options.timeouts === 'fixed' ? FIXED_TIMEOUT_MS : ctx.random.uniform(TIMEOUT_MIN_MS, TIMEOUT_MAX_MS);

        const waitForLeader = (): void => {
          if (electionTimer !== undefined) ctx.cancelTimer(electionTimer);
          electionTimer = ctx.setTimer(timeout(), stand);
        };

        const follow = (): void => {
          if (role === 'leader') {
            if (heartbeatTimer !== undefined) ctx.cancelTimer(heartbeatTimer);
            heartbeatTimer = undefined;
            // A deposed leader has no election timer running: start one, or it would wait forever.
            waitForLeader();
          }
          role = 'follower';
          roles.set(name, role);
        };

        const adopt = (newTerm: number): void => {
          if (role === 'leader') record({ type: 'step-down', atMs: sim.nowMs, node: name, term, newTerm });
          term = newTerm;
          terms.set(name, term);
          votedFor = null;
          leader = null;
          follow();
          void save();
        };

        async function stand(): Promise<void> {
          term += 1;
          terms.set(name, term);
          votedFor = name;
          role = 'candidate';
          roles.set(name, role);
          leader = null;
          votes = new Set([name]);
          record({ type: 'stand', atMs: sim.nowMs, node: name, term });
          // The next timeout starts now: if this election splits, the candidate tries again.
          waitForLeader();
          const standing = term;
          await save();
          if (term !== standing || role !== 'candidate') return;
          for (const server of others) send(server, { kind: 'request-vote', term, candidate: name });
        }

        const lead = (): void => {
          role = 'leader';
          roles.set(name, role);
          leader = name;
          if (electionTimer !== undefined) ctx.cancelTimer(electionTimer);
          electionTimer = undefined;
          record({ type: 'lead', atMs: sim.nowMs, node: name, term });
          const beat = (): void => {
            for (const server of others) send(server, { kind: 'heartbeat', term, leader: name });
            heartbeatTimer = ctx.setTimer(HEARTBEAT_MS, beat);
          };
          beat();
        };

        return {
          onStart() {
            waitForLeader();
          },
          onMessage(message) {
            const from = message.from;
            const m = message.body as ElectionMessage;
            if (m.term > term) adopt(m.term);
            switch (m.kind) {
              case 'request-vote': {
                if (m.term < term || (votedFor !== null && votedFor !== from)) {
                  send(from, { kind: 'vote', term, granted: false });
                  return;
                }
                votedFor = from;
                waitForLeader();
                const voted = term;
                // The vote is on disk before the candidate hears of it.
                void save().then(() => {
                  if (term === voted && votedFor === from) send(from, { kind: 'vote', term: voted, granted: true });
                });
                return;
              }
              case 'vote': {
                if (role === 'candidate' && m.term === term && m.granted) {
                  votes.add(from);
                  if (votes.size >= MAJORITY) lead();
                }
                return;
              }
              case 'heartbeat': {
                if (m.term === term) {
                  if (role === 'candidate') follow();
                  leader = m.leader;
                  waitForLeader();
                }
                send(from, { kind: 'heartbeat-reply', term });
                return;
              }
              case 'heartbeat-reply':
                // A higher term in the reply has already made this server step down.
                return;
            }
          },
          onRequest(request) {
            const body = request.body as WhoLeads;
            if (body.kind !== 'who-leads') throw new Rejection(`unknown request ${String((body as { kind?: unknown }).kind)}`);
            if (role === 'leader') return { kind: 'leads', leader: name, term } satisfies Leads;
            throw new Rejection(`not the leader: leader is ${leader ?? 'unknown'} in term ${term}`);
          },
        };
      },
      { disk: { syncLatency: uniform(1, 3) } },
    );
  }

  const rate = options.clientRatePerS ?? 0;
  if (rate > 0) {
    // Clients ask whoever they believe leads; a refusal names the leader, silence sends them to the next server.
    let target: string = SERVERS[0];
    const next = (): void => {
      target = SERVERS[(SERVERS.indexOf(target as (typeof SERVERS)[number]) + 1) % SERVERS.length]!;
    };
    sim.workload<WhoLeads, Leads>({
      name: 'clients',
      arrivals: { kind: 'open', ratePerS: rate },
      stopMs: options.clientStopMs,
      deadlineMs: 200,
      operation: () => ({ kind: 'who-leads' }),
      issue: async (input, ctx) => {
        const asked = target;
        try {
          return await ctx.rpc<Leads>(asked, input, { timeoutMs: 100 });
        } catch (error) {
          const named = error instanceof RemoteError ? /leader is (n\d)/.exec(error.message)?.[1] : undefined;
          if (asked === target) {
            if (named !== undefined) target = named;
            else next();
          }
          throw error;
        }
      },
    });
    // Only the servers' own messages are lost: the clients' view of the cluster stays clear.
    for (const s of SERVERS) sim.setLink('clients', s, { dropProbability: 0 });
  }

  function stats(untilMs: number): ElectionStats {
    const upTo = events.filter((e) => e.atMs <= untilMs);
    let highest = 0;
    let leader: string | null = null;
    let leaderlessMs = 0;
    let since: number | null = 0;
    const led = new Set<number>();
    const stood = new Set<number>();
    const leaders: { nodeId: string; term: number; atMs: number }[] = [];
    let firstLeaderAtMs: number | null = null;
    const dead = new Set<string>();
    for (const e of upTo) {
      switch (e.type) {
        case 'stand':
          stood.add(e.term);
          if (e.term > highest) {
            highest = e.term;
            if (leader !== null) since = e.atMs;
            leader = null;
          }
          break;
        case 'lead':
          led.add(e.term);
          leaders.push({ nodeId: e.node, term: e.term, atMs: e.atMs });
          firstLeaderAtMs ??= e.atMs;
          if (e.term === highest && !dead.has(e.node)) {
            if (since !== null) leaderlessMs += e.atMs - since;
            since = null;
            leader = e.node;
          }
          break;
        case 'crash':
        case 'cut-off':
          dead.add(e.node);
          if (leader === e.node) {
            leader = null;
            since = e.atMs;
          }
          break;
        case 'restart':
        case 'heal':
          dead.delete(e.node);
          break;
        case 'step-down':
          break;
      }
    }
    if (since !== null) leaderlessMs += untilMs - since;
    const splitVotes = [...stood].filter((t) => !led.has(t) && t < highest).sort((a, b) => a - b);
    return {
      term: highest,
      leader,
      electionsStarted: upTo.filter((e) => e.type === 'stand').length,
      splitVotes,
      leaders,
      leaderlessMs,
      firstLeaderAtMs,
      events: upTo,
    };
  }

  return {
    sim,
    currentLeader: () => (newestLeader !== null && !down.has(newestLeader) ? newestLeader : null),
    termOf: (name) => terms.get(name) ?? 0,
    roleOf: (name) => roles.get(name) ?? 'follower',
    note: (type, name) => record({ type, atMs: sim.nowMs, node: name }),
    stats,
  };
}
