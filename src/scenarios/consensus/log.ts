/**
 * Raft's replicated log (sections 5.3 and 5.4 of the paper) on five servers, `n1` … `n5`, for
 * the lesson "The log": the election of `election.ts` with the election restriction, log
 * replication with the consistency check, repair of diverging followers, commitment, and a
 * tiny key-value store that clients write through the leader.
 *
 * - Every server keeps its term, its vote and its log on its disk (`state`, `len`, `e:<index>`),
 *   and syncs before it sends anything that depends on them: a vote, a request for votes, an
 *   acknowledgement of entries. One fsync runs at a time; writes made meanwhile wait for the
 *   next one, which covers them all. A restarted server reads everything back.
 * - Elections: a server votes only for a candidate whose log is at least as up to date as its
 *   own (a later last term, or the same last term and at least as many entries).
 * - A new leader appends a no-op in its term (with the `own-term` rule), sets every follower's
 *   nextIndex just past its last entry and probes: an `append` with no entries, naming the entry
 *   before nextIndex (`prev=index/term`). A follower that holds that entry accepts; one that
 *   does not refuses, and the leader lowers nextIndex and probes again. Once a probe passes, the
 *   leader sends entries from nextIndex, at most {@link MAX_BATCH} per message; the follower
 *   deletes any entry that conflicts with them, appends, syncs, and answers with how far its log
 *   now matches (matchIndex). nextIndex moves only on answers, and every heartbeat resends what
 *   a follower has not acknowledged, so a lost message costs a heartbeat, not a refusal.
 * - Refusals: without `conflictHint` the leader backs up one entry per refusal. With it, a
 *   follower whose log is too short says how long it is, and one whose entry at `prev` has
 *   another term names that term and the first index it holds for it (section 5.3 of the
 *   paper); the leader jumps past its own last entry of that term if it has one, or else to that
 *   first index: one refusal per conflicting term, and one more for a log that is short.
 * - Commitment: the leader counts the servers whose disk holds an entry, itself included. With
 *   `own-term` it commits by counting only an entry of its own term (earlier ones are committed
 *   with it, Figure 8). With `count-any` it commits whatever a majority holds, which is unsafe:
 *   a later leader may overwrite it. Followers learn the commit index from the leader.
 * - The store applies committed puts and gets in log order. A put carries a unique value that is
 *   also its request id: a leader that already holds the request in its log waits for that
 *   entry instead of appending it again, and a put already applied is applied only once.
 *   Clients get an answer only once their entry is applied, so only from a leader that
 *   committed it.
 *
 * Elections are `random` (timeouts of 150–300 ms, drawn anew each time) or `scripted`: then a
 * follower never stands by itself, only when the scenario calls {@link LogCluster.campaign}; once
 * standing, a candidate stands again after a random timeout until it wins or hears of a leader.
 * {@link LogCluster.enableTimeouts} turns the followers' timers on.
 *
 * The cluster records what happened (who stood and led in which term, commits, applies,
 * acknowledged writes, truncations, refusals) and mirrors each server's log, for the tests and
 * the notes under each node; the servers never read those records.
 */
import { Rejection, RemoteError, Simulation, uniform, type Distribution, type KvInput, type KvOutput, type NodeContext, type Workload } from '../../sim/index.ts';
import { HEARTBEAT_MS, MAJORITY, SERVERS, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS } from './election.ts';

export { HEARTBEAT_MS, MAJORITY, SERVERS, TIMEOUT_MAX_MS, TIMEOUT_MIN_MS };

/** Most entries in one `append`. */
export const MAX_BATCH = 64;

/** One entry: the term of the leader that created it, and a command: `noop`, `put <key>=<value>` or `get <key>`. */
export interface Entry {
  readonly term: number;
  readonly op: string;
}

export type CommitRule = 'own-term' | 'count-any';
export type Elections = 'random' | 'scripted';
export type Role = 'follower' | 'candidate' | 'leader';

/** Messages between servers, one way. `kind` and the fields show in the message view. */
export type LogMessage =
  | { readonly kind: 'request-vote'; readonly term: number; readonly candidate: string; readonly last: string }
  | { readonly kind: 'vote'; readonly term: number; readonly granted: boolean }
  | {
      readonly kind: 'append';
      readonly term: number;
      /** `index/term` of the entry just before `entries`. */
      readonly prev: string;
      readonly n: number;
      readonly commit: number;
      readonly entries: readonly Entry[];
    }
  | AppendReply;

export interface AppendReply {
  readonly kind: 'append-reply';
  readonly term: number;
  readonly ok: boolean;
  /** On success: the index up to which the follower's log now matches the leader's, on disk. */
  readonly match?: number;
  /** On a refusal: the `prev` index that was refused. */
  readonly prev?: number;
  /** Hint: the term of the follower's entry at `prev`, and the first index it holds for that term. */
  readonly 'conflict-term'?: number;
  readonly first?: number;
  /** Hint: the follower's log is shorter than `prev`; this is its length. */
  readonly len?: number;
}

/** A question that does not touch the log: who leads? Only a leader answers. */
export interface WhoLeads {
  readonly kind: 'who-leads';
}
export interface Leads {
  readonly kind: 'leads';
  readonly leader: string;
  readonly term: number;
}

/** What a client gets back: KvOutput, plus where its entry sits in the log. */
export type LogReply = KvOutput & { readonly index: number; readonly term: number };

/** What the cluster saw happen, in order. */
export type LogEvent =
  | { readonly type: 'stand'; readonly atMs: number; readonly node: string; readonly term: number }
  | { readonly type: 'lead'; readonly atMs: number; readonly node: string; readonly term: number }
  | { readonly type: 'step-down'; readonly atMs: number; readonly node: string; readonly term: number; readonly newTerm: number }
  /** A leader raised its commit index to `index` (whose entry has term `entryTerm`). */
  | { readonly type: 'commit'; readonly atMs: number; readonly node: string; readonly term: number; readonly index: number; readonly entryTerm: number }
  /** A leader answered a client: its entry at `index` is applied. */
  | { readonly type: 'ack'; readonly atMs: number; readonly node: string; readonly term: number; readonly index: number; readonly op: string }
  /** A follower deleted the entries after `after` (their terms in `removed`); `committed` of them it had counted as committed. */
  | { readonly type: 'truncate'; readonly atMs: number; readonly node: string; readonly after: number; readonly removed: readonly number[]; readonly committed: number }
  /** A leader acted on a refusal from `follower` of `prev`, and moved that follower's nextIndex to `next`. */
  | { readonly type: 'refusal'; readonly atMs: number; readonly node: string; readonly term: number; readonly follower: string; readonly prev: number; readonly next: number }
  | { readonly type: 'crash' | 'restart'; readonly atMs: number; readonly node: string }
  | { readonly type: 'cut' | 'heal'; readonly atMs: number; readonly node: string; readonly label: string };

/** A committed entry replaced: `index` was applied as `first` (by `firstNode`) and later as `now` (by `node`). */
export interface LostCommit {
  readonly atMs: number;
  readonly node: string;
  readonly index: number;
  readonly first: Entry;
  readonly firstNode: string;
  readonly now: Entry;
}

export interface LogStats {
  readonly events: readonly LogEvent[];
  /** Who led which term, for `atMostOneLeaderPerTerm`. */
  readonly leaders: readonly { readonly nodeId: string; readonly term: number; readonly atMs: number }[];
  /** Refusals the leaders acted on (each lowered a nextIndex once). */
  readonly refusals: number;
  readonly truncations: number;
  /** Entries removed by truncations. */
  readonly entriesTruncated: number;
  /** The highest index any leader committed. */
  readonly committed: number;
  /** Committed entries later replaced at their index: never with `own-term`. */
  readonly lostCommits: readonly LostCommit[];
}

export interface InitialState {
  readonly term: number;
  /** The terms of the entries (each a no-op), or the entries themselves. */
  readonly log: readonly (number | Entry)[];
}

export interface LogClusterOptions {
  readonly seed: number;
  readonly trace?: boolean;
  /** Probability that any one message between servers is lost. @default 0 */
  readonly loss?: number;
  readonly conflictHint: boolean;
  readonly commitRule: CommitRule;
  /** Whether a new leader appends a no-op. @default commitRule === 'own-term' */
  readonly noop?: boolean;
  readonly elections: Elections;
  /** One-way latency between any two nodes. @default uniform(0.5, 1.5) */
  readonly latency?: Distribution;
  /** How long one fsync takes. @default uniform(1, 3) */
  readonly syncLatency?: Distribution;
  /** What a server's disk holds before the run, by server (an empty log at term 0 otherwise). */
  readonly initial?: Readonly<Record<string, InitialState>>;
  /** A key whose value in each server's store is shown in the notes. */
  readonly watchKey?: string;
}

/** A server as the records show it: role, term, log, commit index and store. */
export interface ServerView {
  readonly up: boolean;
  readonly role: Role;
  readonly term: number;
  readonly log: readonly Entry[];
  readonly commit: number;
  readonly store: ReadonlyMap<string, string>;
}

export interface LogCluster {
  readonly sim: Simulation;
  readonly options: LogClusterOptions;
  /** Makes `name` stand for election now, as if its timer had run out (if it is up and not leading). */
  campaign(name: string): void;
  /** From now on followers stand when they hear no leader for an election timeout. */
  enableTimeouts(): void;
  /** The leader of the newest term, if it is up. */
  currentLeader(): string | null;
  crash(name: string): void;
  restart(name: string): void;
  /** Marks a cut or a heal in the record (the scenario schedules them). */
  note(type: 'cut' | 'heal', name: string, label: string): void;
  view(name: string): ServerView;
  /** A short line per server: role, term, the terms of the last entries, length and commit index. */
  notes(): Record<string, string>;
  stats(): LogStats;
}

interface Saved {
  readonly term: number;
  readonly votedFor: string | null;
}

interface MutableView {
  up: boolean;
  role: Role;
  term: number;
  log: Entry[];
  commit: number;
  store: Map<string, string>;
}

interface Handle {
  campaign(): void;
  wake(): void;
}

const at = (index: number, term: number): string => `${index}/${term}`;
const parseAt = (text: string): [number, number] => {
  const slash = text.indexOf('/');
  return [Number(text.slice(0, slash)), Number(text.slice(slash + 1))];
};
const sameEntry = (a: Entry, b: Entry): boolean => a.term === b.term && a.op === b.op;

/** A put's command and request id. */
export function putOp(key: string, value: string): string {
  return `put ${key}=${value}`;
}

/** Splits a command into verb, key and value. */
function parseOp(op: string): { verb: string; key: string; value: string } {
  const space = op.indexOf(' ');
  if (space < 0) return { verb: op, key: '', value: '' };
  const verb = op.slice(0, space);
  const eq = op.indexOf('=', space);
  if (eq < 0) return { verb, key: op.slice(space + 1), value: '' };
  return { verb, key: op.slice(space + 1, eq), value: op.slice(eq + 1) };
}

/** The terms of a log as a note: all of them if short, else the last few after `…`. */
function termsText(log: readonly Entry[], budget = 15): string {
  if (log.length === 0) return '–';
  const all = log.map((e) => e.term).join(' ');
  if (all.length <= budget) return all;
  let text = '';
  for (let i = log.length - 1; i >= 0; i--) {
    const next = text === '' ? String(log[i]!.term) : `${log[i]!.term} ${text}`;
    if (next.length > budget - 1) break;
    text = next;
  }
  return `…${text}`;
}

export function buildLogCluster(options: LogClusterOptions): LogCluster {
  const sim = new Simulation({
    seed: options.seed,
    trace: { enabled: options.trace ?? true },
    network: { latency: options.latency ?? uniform(0.5, 1.5), dropProbability: options.loss ?? 0 },
  });
  const noop = options.noop ?? options.commitRule === 'own-term';
  const events: LogEvent[] = [];
  const views = new Map<string, MutableView>();
  const handles = new Map<string, Handle>();
  const firstApplied = new Map<number, { entry: Entry; node: string }>();
  const lostCommits: LostCommit[] = [];
  let timeoutsOn = options.elections === 'random';
  let newestTerm = 0;
  let newestLeader: string | null = null;

  const record = (event: LogEvent): void => {
    events.push(event);
    if ((event.type === 'stand' || event.type === 'lead') && event.term > newestTerm) {
      newestTerm = event.term;
      newestLeader = null;
    }
    if (event.type === 'lead' && event.term === newestTerm) newestLeader = event.node;
  };

  /** Told of every entry a server applies (the servers only report; they never read this). */
  const noteApplied = (node: string, index: number, entry: Entry): void => {
    const first = firstApplied.get(index);
    if (first === undefined) firstApplied.set(index, { entry, node });
    else if (!sameEntry(first.entry, entry)) {
      lostCommits.push({ atMs: sim.nowMs, node, index, first: first.entry, firstNode: first.node, now: entry });
    }
  };

  for (const name of SERVERS) {
    views.set(name, { up: true, role: 'follower', term: 0, log: [], commit: 0, store: new Map() });
    sim.addNode(
      name,
      (ctx: NodeContext) => {
        const view = views.get(name)!;
        const others = SERVERS.filter((s) => s !== name);
        const send = (to: string, message: LogMessage): void => ctx.send(to, message);

        // ---- The disk: term, vote and log; one fsync at a time.
        let writes = 0;
        let covered = 0;
        let syncing: { upTo: number; done: Promise<void> } | undefined;
        let queued: Promise<void> | undefined;
        const write = (key: string, value: unknown): void => {
          ctx.disk.write(key, value);
          writes++;
        };
        /** Resolves once every write made so far is on disk. */
        const durable = (): Promise<void> => {
          if (syncing === undefined) {
            const upTo = writes;
            covered = upTo;
            const done: Promise<void> = ctx.disk.sync().then(() => {
              if (syncing?.done === done) syncing = undefined;
            });
            syncing = { upTo, done };
            return done;
          }
          if (syncing.upTo === writes) return syncing.done;
          queued ??= syncing.done.then(() => {
            queued = undefined;
            return durable();
          });
          return queued;
        };
        /** Runs `then` once every write made so far is on disk: at once if it already is. */
        const whenDurable = (then: () => void): void => {
          if (syncing === undefined && covered === writes) then();
          else void durable().then(then);
        };

        const log: Entry[] = [];
        let term: number;
        let votedFor: string | null;
        const saved = ctx.disk.read('state') as Saved | undefined;
        const fresh = saved === undefined;
        if (saved === undefined) {
          const initial = options.initial?.[name];
          term = initial?.term ?? 0;
          votedFor = null;
          write('state', { term, votedFor } satisfies Saved);
          const entries = (initial?.log ?? []).map((e) => (typeof e === 'number' ? { term: e, op: 'noop' } : e));
          entries.forEach((e, i) => write(`e:${i + 1}`, e));
          write('len', entries.length);
          log.push(...entries);
        } else {
          term = saved.term;
          votedFor = saved.votedFor;
          const len = (ctx.disk.read('len') as number | undefined) ?? 0;
          for (let i = 1; i <= len; i++) log.push(ctx.disk.read(`e:${i}`) as Entry);
        }
        const saveState = (): void => write('state', { term, votedFor } satisfies Saved);

        const lastIndex = (): number => log.length;
        const termAt = (index: number): number => (index === 0 ? 0 : (log[index - 1]?.term ?? -1));
        const lastTerm = (): number => termAt(log.length);
        const appendLocal = (entries: readonly Entry[]): void => {
          for (const e of entries) {
            log.push(e);
            write(`e:${log.length}`, e);
          }
          write('len', log.length);
          view.log.push(...entries);
        };

        // ---- Volatile state.
        let role: Role = 'follower';
        let leader: string | null = null;
        let votes = new Set<string>();
        let commitIndex = 0;
        let lastApplied = 0;
        let electionTimer: number | undefined;
        let heartbeatTimer: number | undefined;
        const store = new Map<string, string>();
        /** Puts applied, by request id: where their entry sits. */
        const appliedIds = new Map<string, { index: number; term: number }>();
        const waitingPuts = new Map<string, ((reply: LogReply) => void)[]>();
        const waitingGets = new Map<string, (reply: LogReply) => void>();
        // Leader only.
        const nextIndex = new Map<string, number>();
        const matchIndex = new Map<string, number>();
        const probing = new Map<string, boolean>();
        const sentUpTo = new Map<string, number>();
        let durableIndex = 0;

        view.up = true;
        view.role = role;
        view.term = term;
        view.log = [...log];
        view.commit = 0;
        view.store = new Map();

        const setRole = (next: Role): void => {
          role = next;
          view.role = next;
        };

        const resetElectionTimer = (): void => {
          if (electionTimer !== undefined) ctx.cancelTimer(electionTimer);
          electionTimer = undefined;
          if (role === 'leader' || (role === 'follower' && !timeoutsOn)) return;
          electionTimer = ctx.setTimer(ctx.random.uniform(TIMEOUT_MIN_MS, TIMEOUT_MAX_MS), () => void stand());
        };

        const adopt = (newTerm: number): void => {
          if (role === 'leader') {
            record({ type: 'step-down', atMs: sim.nowMs, node: name, term, newTerm });
            if (heartbeatTimer !== undefined) ctx.cancelTimer(heartbeatTimer);
            heartbeatTimer = undefined;
          }
          const wasFollower = role === 'follower';
          term = newTerm;
          view.term = term;
          votedFor = null;
          leader = null;
          setRole('follower');
          saveState();
          if (!wasFollower) resetElectionTimer();
        };

        async function stand(): Promise<void> {
          if (role === 'leader') return;
          term += 1;
          view.term = term;
          votedFor = name;
          leader = null;
          setRole('candidate');
          votes = new Set([name]);
          saveState();
          record({ type: 'stand', atMs: sim.nowMs, node: name, term });
          // If this election fails, the candidate stands again after a timeout.
          resetElectionTimer();
          const standing = term;
          await durable();
          if (term !== standing || role !== 'candidate') return;
          for (const s of others) send(s, { kind: 'request-vote', term, candidate: name, last: at(lastIndex(), lastTerm()) });
        }

        // ---- Applying committed entries to the store.
        const applyCommitted = (): void => {
          // (Only the unsafe rule can leave a follower's commit index past the end of its log.)
          while (lastApplied < Math.min(commitIndex, log.length)) {
            lastApplied++;
            const index = lastApplied;
            const entry = log[index - 1]!;
            const { verb, key, value } = parseOp(entry.op);
            noteApplied(name, index, entry);
            if (verb === 'put') {
              if (!appliedIds.has(value)) {
                appliedIds.set(value, { index, term: entry.term });
                store.set(key, value);
                view.store.set(key, value);
              }
              const waiting = waitingPuts.get(value);
              if (waiting !== undefined) {
                waitingPuts.delete(value);
                if (role === 'leader') record({ type: 'ack', atMs: sim.nowMs, node: name, term, index, op: entry.op });
                for (const resolve of waiting) resolve({ kind: 'put', index, term: entry.term });
              }
            } else if (verb === 'get') {
              const resolve = waitingGets.get(at(index, entry.term));
              if (resolve !== undefined) {
                waitingGets.delete(at(index, entry.term));
                resolve({ kind: 'get', value: store.get(key) ?? null, index, term: entry.term });
              }
            }
          }
          view.commit = commitIndex;
        };

        // ---- Leader: replication and commitment.
        const sendAppend = (follower: string): void => {
          const next = nextIndex.get(follower)!;
          const prev = next - 1;
          const entries = probing.get(follower) ? [] : log.slice(prev, Math.min(log.length, prev + MAX_BATCH));
          sentUpTo.set(follower, prev + entries.length);
          send(follower, { kind: 'append', term, prev: at(prev, termAt(prev)), n: entries.length, commit: commitIndex, entries });
        };

        const advanceCommit = (): void => {
          const copies = [durableIndex, ...others.map((s) => matchIndex.get(s) ?? 0)].sort((a, b) => b - a);
          const candidate = copies[MAJORITY - 1]!;
          if (candidate <= commitIndex) return;
          // Raft's rule: count copies only of an entry of this leader's own term (Figure 8).
          if (options.commitRule === 'own-term' && termAt(candidate) !== term) return;
          commitIndex = candidate;
          record({ type: 'commit', atMs: sim.nowMs, node: name, term, index: candidate, entryTerm: termAt(candidate) });
          applyCommitted();
        };

        /** Makes this leader's own log durable and counts it once it is. */
        const flushOwn = (): void => {
          const upTo = lastIndex();
          const leading = term;
          whenDurable(() => {
            if (role !== 'leader' || term !== leading) return;
            if (upTo > durableIndex) durableIndex = upTo;
            advanceCommit();
          });
        };

        const lead = (): void => {
          setRole('leader');
          leader = name;
          resetElectionTimer();
          record({ type: 'lead', atMs: sim.nowMs, node: name, term });
          if (noop) appendLocal([{ term, op: 'noop' }]);
          durableIndex = 0;
          for (const s of others) {
            nextIndex.set(s, lastIndex() + 1);
            matchIndex.set(s, 0);
            probing.set(s, true);
            sentUpTo.set(s, 0);
          }
          flushOwn();
          const beat = (): void => {
            for (const s of others) sendAppend(s);
            heartbeatTimer = ctx.setTimer(HEARTBEAT_MS, beat);
          };
          beat();
        };

        const onAppendReply = (from: string, m: AppendReply): void => {
          if (role !== 'leader' || m.term !== term) return;
          if (m.ok) {
            const match = Math.max(m.match ?? 0, matchIndex.get(from) ?? 0);
            matchIndex.set(from, match);
            nextIndex.set(from, match + 1);
            probing.set(from, false);
            advanceCommit();
            // Entries never sent yet (a batch was full, or the probe carried none) go now.
            if (lastIndex() > (sentUpTo.get(from) ?? 0) && nextIndex.get(from)! <= lastIndex()) sendAppend(from);
            return;
          }
          const prev = m.prev ?? 0;
          const next = nextIndex.get(from)!;
          // A refusal of an older probe, or of a point already known to match, says nothing new.
          if (prev !== next - 1 || prev < (matchIndex.get(from) ?? 0)) return;
          let moved = prev;
          if (options.conflictHint) {
            if (m.len !== undefined) moved = m.len + 1;
            else if (m['conflict-term'] !== undefined) {
              const conflictTerm = m['conflict-term'];
              let lastOfTerm = 0;
              for (let i = Math.min(prev, lastIndex()); i >= 1; i--) {
                const t = log[i - 1]!.term;
                if (t === conflictTerm) {
                  lastOfTerm = i;
                  break;
                }
                if (t < conflictTerm) break;
              }
              moved = lastOfTerm > 0 ? lastOfTerm + 1 : (m.first ?? prev);
            }
          }
          moved = Math.max(Math.min(moved, prev), (matchIndex.get(from) ?? 0) + 1, 1);
          nextIndex.set(from, moved);
          probing.set(from, true);
          record({ type: 'refusal', atMs: sim.nowMs, node: name, term, follower: from, prev, next: moved });
          sendAppend(from);
        };

        // ---- Follower: the consistency check.
        const onAppend = (from: string, m: Extract<LogMessage, { kind: 'append' }>): void => {
          const [prevIndex, prevTerm] = parseAt(m.prev);
          if (m.term < term) {
            send(from, { kind: 'append-reply', term, ok: false, prev: prevIndex });
            return;
          }
          if (role !== 'follower') setRole('follower');
          leader = from;
          resetElectionTimer();
          if (prevIndex > lastIndex()) {
            send(from, options.conflictHint ? { kind: 'append-reply', term, ok: false, prev: prevIndex, len: lastIndex() } : { kind: 'append-reply', term, ok: false, prev: prevIndex });
            return;
          }
          const mine = termAt(prevIndex);
          if (mine !== prevTerm) {
            if (options.conflictHint) {
              let first = prevIndex;
              while (first > 1 && log[first - 2]!.term === mine) first--;
              send(from, { kind: 'append-reply', term, ok: false, prev: prevIndex, 'conflict-term': mine, first });
            } else send(from, { kind: 'append-reply', term, ok: false, prev: prevIndex });
            return;
          }
          // Keep what agrees, delete from the first conflict on, append the rest.
          let i = 0;
          for (; i < m.entries.length; i++) {
            const index = prevIndex + 1 + i;
            if (index > lastIndex()) break;
            if (log[index - 1]!.term !== m.entries[i]!.term) {
              const removed = log.slice(index - 1).map((e) => e.term);
              const committed = Math.max(0, commitIndex - (index - 1));
              log.length = index - 1;
              write('len', log.length);
              view.log.length = log.length;
              record({ type: 'truncate', atMs: sim.nowMs, node: name, after: index - 1, removed, committed });
              break;
            }
          }
          if (i < m.entries.length) appendLocal(m.entries.slice(i));
          const match = prevIndex + m.entries.length;
          const canCommit = Math.min(m.commit, match);
          if (canCommit > commitIndex) {
            commitIndex = canCommit;
            applyCommitted();
          }
          const replying = term;
          // Acknowledged only once on disk (a heartbeat that changed nothing is answered at once).
          whenDurable(() => {
            if (term === replying) send(from, { kind: 'append-reply', term, ok: true, match });
          });
        };

        handles.set(name, {
          campaign: () => {
            ctx.setTimer(0, () => void stand());
          },
          wake: () => {
            if (role === 'follower' && electionTimer === undefined) resetElectionTimer();
          },
        });

        return {
          onStart() {
            if (fresh) void durable();
            resetElectionTimer();
          },
          onMessage(message) {
            const from = message.from;
            const m = message.body as LogMessage;
            if (m.term > term) adopt(m.term);
            switch (m.kind) {
              case 'request-vote': {
                const [lastI, lastT] = parseAt(m.last);
                const upToDate = lastT > lastTerm() || (lastT === lastTerm() && lastI >= lastIndex());
                if (m.term < term || !upToDate || (votedFor !== null && votedFor !== from)) {
                  send(from, { kind: 'vote', term, granted: false });
                  break;
                }
                votedFor = from;
                saveState();
                resetElectionTimer();
                const voted = term;
                // The vote is on disk before the candidate hears of it.
                whenDurable(() => {
                  if (term === voted && votedFor === from) send(from, { kind: 'vote', term: voted, granted: true });
                });
                break;
              }
              case 'vote':
                if (role === 'candidate' && m.term === term && m.granted) {
                  votes.add(from);
                  if (votes.size >= MAJORITY) lead();
                }
                break;
              case 'append':
                onAppend(from, m);
                break;
              case 'append-reply':
                onAppendReply(from, m);
                break;
            }
            // A new term is written down even when nothing else asked for a sync.
            if (writes > covered && queued === undefined) void durable();
          },
          onRequest(request) {
            const body = request.body as KvInput | WhoLeads;
            if (role !== 'leader') throw new Rejection(`not the leader; leader is ${leader ?? 'unknown'}`);
            if (body.kind === 'who-leads') return { kind: 'leads', leader: name, term } satisfies Leads;
            if (body.kind === 'put') {
              const id = body.value;
              const applied = appliedIds.get(id);
              if (applied !== undefined) {
                // Already applied (the client asks again after losing the answer): answer at once.
                record({ type: 'ack', atMs: sim.nowMs, node: name, term, index: applied.index, op: putOp(body.key, body.value) });
                return { kind: 'put', ...applied } satisfies LogReply;
              }
              const reply = new Promise<LogReply>((resolve) => {
                const list = waitingPuts.get(id);
                if (list === undefined) waitingPuts.set(id, [resolve]);
                else list.push(resolve);
              });
              const op = putOp(body.key, body.value);
              let held = false;
              for (let i = lastIndex(); i > commitIndex && !held; i--) held = log[i - 1]!.op === op;
              if (!held) {
                appendLocal([{ term, op }]);
                flushOwn();
                for (const s of others) if (!probing.get(s)) sendAppend(s);
              }
              return reply;
            }
            if (body.kind === 'get') {
              appendLocal([{ term, op: `get ${body.key}` }]);
              const reply = new Promise<LogReply>((resolve) => waitingGets.set(at(lastIndex(), term), resolve));
              flushOwn();
              for (const s of others) if (!probing.get(s)) sendAppend(s);
              return reply;
            }
            throw new Rejection(`this store takes puts and gets, not ${(body as { kind: string }).kind}`);
          },
        };
      },
      { disk: { syncLatency: options.syncLatency ?? uniform(1, 3) } },
    );
  }

  const byTerm = (): { nodeId: string; term: number; atMs: number }[] =>
    events.filter((e) => e.type === 'lead').map((e) => ({ nodeId: e.node, term: (e as { term: number }).term, atMs: e.atMs }));

  const noteOf = (name: string): string => {
    const v = views.get(name)!;
    const role = !v.up ? 'down' : v.role === 'leader' ? 'L' : v.role === 'candidate' ? 'C' : 'F';
    const terms = termsText(v.log);
    const end = !v.up ? '' : terms.startsWith('…') ? ` │ ${v.log.length} c${v.commit}` : ` │ c${v.commit}`;
    const watched = options.watchKey === undefined ? '' : ` · ${options.watchKey}=${v.store.get(options.watchKey) ?? '–'}`;
    return `${role} · t${v.term} · ${terms}${end}${v.up ? watched : ''}`;
  };

  return {
    sim,
    options,
    campaign(name) {
      if (views.get(name)?.up !== true) return;
      handles.get(name)?.campaign();
    },
    enableTimeouts() {
      timeoutsOn = true;
      for (const name of SERVERS) if (views.get(name)!.up) handles.get(name)?.wake();
    },
    currentLeader: () => (newestLeader !== null && views.get(newestLeader)!.up ? newestLeader : null),
    crash(name) {
      record({ type: 'crash', atMs: sim.nowMs, node: name });
      views.get(name)!.up = false;
      sim.crash(name);
    },
    restart(name) {
      sim.restart(name);
      record({ type: 'restart', atMs: sim.nowMs, node: name });
    },
    note(type, name, label) {
      record({ type, atMs: sim.nowMs, node: name, label });
    },
    view(name) {
      const v = views.get(name)!;
      return { up: v.up, role: v.role, term: v.term, log: [...v.log], commit: v.commit, store: new Map(v.store) };
    },
    notes: () => Object.fromEntries(SERVERS.map((s) => [s, noteOf(s)])),
    stats() {
      const truncations = events.filter((e) => e.type === 'truncate');
      return {
        events: [...events],
        leaders: byTerm(),
        refusals: events.filter((e) => e.type === 'refusal').length,
        truncations: truncations.length,
        entriesTruncated: truncations.reduce((n, e) => n + (e.type === 'truncate' ? e.removed.length : 0), 0),
        committed: events.reduce((n, e) => (e.type === 'commit' && e.index > n ? e.index : n), 0),
        lostCommits: [...lostCommits],
      };
    },
  };
}

// ---------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------

export interface SeekingClientsOptions {
  readonly name: string;
  readonly ratePerS: number;
  readonly startMs: number;
  readonly stopMs: number;
  /** Keys `k0` … `k<keys - 1>`. */
  readonly keys: number;
  /** How long one server may take to answer before the client tries the next. @default 150 */
  readonly attemptMs?: number;
  /** How long a write may take in all before its outcome is unknown. @default 1000 */
  readonly deadlineMs?: number;
}

/** The server after `server` in name order, wrapping round: where a client tries next. */
const serverAfter = (server: string): string => SERVERS[(SERVERS.indexOf(server as (typeof SERVERS)[number]) + 1) % SERVERS.length]!;

/**
 * Clients that write (puts with unique values) to whoever they believe leads. A refusal that
 * names a leader sends them there; a refusal that names none, or no answer, to the next
 * server. One guess, shared by the whole group; a write keeps trying until its deadline.
 */
export function leaderSeekingClients(cluster: LogCluster, options: SeekingClientsOptions): Workload<KvInput, KvOutput> {
  const attemptMs = options.attemptMs ?? 150;
  const deadlineMs = options.deadlineMs ?? 1_000;
  let target: string = SERVERS[0];
  const next = (): void => {
    target = serverAfter(target);
  };
  const load = cluster.sim.workload<KvInput, KvOutput>({
    name: options.name,
    arrivals: { kind: 'open', ratePerS: options.ratePerS },
    keys: { count: options.keys },
    mix: { put: 1 },
    startMs: options.startMs,
    stopMs: options.stopMs,
    deadlineMs,
    issue: async (input, ctx) => {
      const until = ctx.now() + deadlineMs;
      for (;;) {
        const asked = target;
        try {
          return await ctx.rpc<LogReply>(asked, input, { timeoutMs: Math.min(attemptMs, Math.max(1, until - ctx.now())) });
        } catch (error) {
          const named = error instanceof RemoteError ? /leader is (n\d)/.exec(error.message)?.[1] : undefined;
          if (asked === target) {
            if (named !== undefined && named !== asked) target = named;
            else next();
          }
          if (ctx.now() + 1 >= until) throw error;
          if (error instanceof RemoteError && named === undefined) await ctx.sleep(20);
        }
      }
    },
  });
  for (const s of SERVERS) cluster.sim.setLink(options.name, s, { dropProbability: 0 });
  return load;
}

export interface StickyClientOptions {
  readonly name: string;
  readonly atMs: number;
  /**
   * The server it asks, again and again. Without one, it asks `n1` first and follows the
   * leader a refusal names (or moves to the next server after a refusal that names none, or silence).
   */
  readonly server?: string;
  readonly input: KvInput;
  /** @default 250 */
  readonly attemptMs?: number;
  readonly deadlineMs: number;
}

/**
 * One client with one command at a scripted moment, sent to one server and sent again (after
 * a refusal, 100 ms later; after silence, at once) until it is answered or its deadline passes.
 */
export function stickyClient(cluster: LogCluster, options: StickyClientOptions): Workload<KvInput, KvOutput> {
  const attemptMs = options.attemptMs ?? 250;
  let target: string = options.server ?? SERVERS[0];
  const load = cluster.sim.workload<KvInput, KvOutput>({
    name: options.name,
    arrivals: { kind: 'closed', clients: 1 },
    operation: () => Object.freeze({ ...options.input }),
    startMs: options.atMs,
    maxOperations: 1,
    deadlineMs: options.deadlineMs,
    issue: async (input, ctx) => {
      const until = ctx.now() + options.deadlineMs;
      for (;;) {
        try {
          return await ctx.rpc<LogReply>(target, input, { timeoutMs: Math.min(attemptMs, Math.max(1, until - ctx.now())) });
        } catch (error) {
          if (ctx.now() + 1 >= until) throw error;
          if (options.server === undefined) {
            const named = error instanceof RemoteError ? /leader is (n\d)/.exec(error.message)?.[1] : undefined;
            target = named ?? serverAfter(target);
            if (named !== undefined) continue;
          }
          if (error instanceof RemoteError) await ctx.sleep(100);
        }
      }
    },
  });
  for (const s of SERVERS) cluster.sim.setLink(options.name, s, { dropProbability: 0 });
  return load;
}

/** How long clients asking who leads disbelieve a redirect to a server that has just not answered. */
const SILENT_MS = 300;

/**
 * A stream of clients asking who leads, at `ratePerS`: only a server that believes it leads
 * answers, so the availability chart shows when there is one. They ask the server a refusal
 * names (unless it has just been silent), or the next one after a refusal that names none,
 * or silence.
 */
export function whoLeadsClients(
  cluster: LogCluster,
  options: { readonly name: string; readonly ratePerS: number; readonly startMs: number; readonly stopMs: number },
): Workload<WhoLeads, Leads> {
  let target: string = SERVERS[0];
  // A server that did not answer in time, and until when a follower naming it is not
  // believed: without this, a follower that still names a crashed leader sends the
  // clients back to it again and again.
  let silent: { readonly server: string; readonly untilMs: number } | null = null;
  const load = cluster.sim.workload<WhoLeads, Leads>({
    name: options.name,
    arrivals: { kind: 'open', ratePerS: options.ratePerS },
    operation: () => ({ kind: 'who-leads' }),
    startMs: options.startMs,
    stopMs: options.stopMs,
    deadlineMs: 200,
    issue: async (input, ctx) => {
      const asked = target;
      try {
        // An answer takes 1–5 ms: 25 ms without one means the server is down or cut off.
        return await ctx.rpc<Leads>(asked, input, { timeoutMs: 25 });
      } catch (error) {
        if (asked !== target) throw error;
        if (!(error instanceof RemoteError)) {
          silent = { server: asked, untilMs: ctx.now() + SILENT_MS };
          target = serverAfter(asked);
        } else {
          const named = /leader is (n\d)/.exec(error.message)?.[1];
          const doubted = silent !== null && named === silent.server && ctx.now() < silent.untilMs;
          target = named !== undefined && !doubted ? named : serverAfter(asked);
        }
        throw error;
      }
    },
  });
  // The clients sit at different distances from the servers: 0.5–2.5 ms each way.
  for (const s of SERVERS) cluster.sim.setLink(options.name, s, { dropProbability: 0, latency: uniform(0.5, 2.5) });
  for (const s of SERVERS) cluster.sim.setLink(s, options.name, { dropProbability: 0, latency: uniform(0.5, 2.5) });
  return load;
}
