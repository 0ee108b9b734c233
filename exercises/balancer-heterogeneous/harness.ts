/**
 * The simulated cluster the tests run your balancer in. Read-only: read it to see exactly
 * what your balancer is up against.
 *
 * Five backends sit behind one client that sends an open-loop Poisson stream of requests at
 * 1,200 per second (users do not wait for each other). Each backend has 4 workers, a
 * service time of 5 ms on average (exponential) and a queue of at most 100 requests.
 *
 * - Three are healthy: a request to one takes about 6 ms, network included.
 * - One is slow: it is reached over a congested link whose delay has a long tail (each
 *   way: median 12 ms, p99 200 ms), so its round trips take about 30 ms typically and
 *   sometimes ten times that.
 * - One is failing: its database connection is broken, so 60% of its requests fail within
 *   a millisecond or two and 10% hang until the client gives up — yet the process is up,
 *   and a health check of it would pass.
 *
 * For every request the client asks the balancer for a backend, sends one attempt with a
 * 250 ms timeout, and reports the outcome. When the attempt fails it asks the balancer's
 * `retry` whether to try again, and if so sends the request again at once to a backend the
 * balancer picks among those the request has not tried, up to MAX_ATTEMPTS_PER_REQUEST
 * attempts (types.ts). Latency percentiles are over the requests that succeeded, from the
 * request's start to its answer, retries included; the error rate counts every request that
 * did not succeed. The client, not the balancer, counts the attempts.
 *
 * Two more scenarios test retries (options `errorRate` and `outage`): every backend refusing
 * a few requests at random, which a retry elsewhere fixes; and the database all the backends
 * share going down for a while, so that every attempt fails and a retry only adds load.
 *
 * The backends sit in three availability zones (ZONES), and one more scenario (option
 * `zoneLoss`) takes a whole zone off the network: a correlated failure, two backends lost at
 * once, and a slow one, since nothing answers and every attempt sent there waits out the
 * timeout.
 */
import {
  OverloadedError,
  Random,
  Rejection,
  RemoteError,
  RpcTimeoutError,
  Simulation,
  exponential,
  logNormal,
  uniform,
  type KvInput,
  type NodeContext,
} from '@faultlines/sim';
import { MAX_ATTEMPTS_PER_REQUEST, type Balancer, type BalancerFactory, type BackendView, type Outcome } from './types.ts';

/** The backends, in the order every `pick` sees them. */
export const BACKENDS = ['api-1', 'api-2', 'api-3', 'api-4', 'api-5'] as const;

/**
 * Where the backends run: three availability zones, two backends in zone a, two in b and
 * one in c. A balancer is not told (a view carries only a name and the outstanding count),
 * but a zone's backends share its power, its network and its fate.
 */
export const ZONES: Readonly<Record<string, readonly string[]>> = {
  a: ['api-1', 'api-2'],
  b: ['api-3', 'api-4'],
  c: ['api-5'],
};

/** How long the client waits for one attempt, in milliseconds. */
export const TIMEOUT_MS = 250;

/** Options for {@link runScenario}. */
export interface ScenarioOptions {
  /** Seed of the simulation and of the balancer's random generator. */
  readonly seed: number;
  /** Requests per second. @default 1200 */
  readonly ratePerS?: number;
  /**
   * How long requests keep arriving, in milliseconds. Five seconds (6,000 requests) keep
   * every bound of the tests clear: over seeds 1–100 the reference balancer's worst p99 was
   * 95.7 ms (bound 110), its worst error rate 0.39% (bound 2%) and its worst p99 0.71 of
   * round robin's (bound 0.75), while round robin failed both objectives on every seed.
   * @default 5000
   */
  readonly durationMs?: number;
  /** The slow backend, or `null` for none. @default 'api-2' */
  readonly slow?: string | null;
  /** The failing backend, or `null` for none. @default 'api-4' */
  readonly failing?: string | null;
  /**
   * Share of the requests it serves that each backend (but the failing one) refuses at
   * random (a dropped connection, a worker restarting): transient failures, which the same
   * request sent again to another backend survives.
   * @default 0
   */
  readonly errorRate?: number;
  /**
   * While this lasts (from `startMs` to `endMs`, in ms of the run), the database every
   * backend shares is down, and every backend refuses every request it serves. `null` for
   * none.
   * @default null
   */
  readonly outage?: { readonly startMs: number; readonly endMs: number } | null;
  /**
   * A zone that goes dark (one of {@link ZONES}): from `startMs` to `endMs`, in ms of the
   * run, its backends cannot be reached from the client at all. Nothing refuses anything:
   * requests sent there, and the answers already on their way back, are lost, and each
   * attempt ends only when the client's TIMEOUT_MS runs out. `null` for none.
   * @default null
   */
  readonly zoneLoss?: { readonly zone: string; readonly startMs: number; readonly endMs: number } | null;
}

/** What one backend received. */
export interface BackendReport {
  readonly name: string;
  /** Attempts the balancer sent it. */
  readonly sent: number;
  /** Share of all attempts, 0–1. */
  readonly share: number;
  readonly ok: number;
  readonly failed: number;
}

/** The attempts of the requests that arrived in one stretch of the run. */
export interface AttemptCount {
  /** Requests that arrived in the stretch. */
  readonly requests: number;
  /** Attempts those requests made, retries included. */
  readonly attempts: number;
  /** Attempts divided by requests: 1 without retries, up to MAX_ATTEMPTS_PER_REQUEST. */
  readonly amplification: number;
}

/** The requests that arrived while a zone was dark. */
export interface ZoneLossCount {
  readonly zone: string;
  /** Requests that arrived while the zone was dark. */
  readonly requests: number;
  /** Those of them that did not succeed. */
  readonly failed: number;
  /** Attempts sent to the dark zone's backends while it was dark. */
  readonly attemptsToZone: number;
}

/** The measurements of one run. */
export interface RunReport {
  readonly requests: number;
  readonly ok: number;
  /** Attempts sent, first attempts and retries. */
  readonly attempts: number;
  /** Attempts after a request's first. */
  readonly retries: number;
  /**
   * Share of requests whose first attempt failed, 0–1: about the error rate the same run
   * would have had without retries.
   */
  readonly firstAttemptErrorRate: number;
  /**
   * Requests answered by a retry that followed a timeout: each took longer than TIMEOUT_MS,
   * and counts in the latency percentiles.
   */
  readonly answeredAfterTimeout: number;
  /** The requests that arrived during the outage, or `null` without one. */
  readonly duringOutage: AttemptCount | null;
  /** The requests that arrived while a zone was dark, or `null` without a zone loss. */
  readonly duringZoneLoss: ZoneLossCount | null;
  /** Share of requests that did not succeed, 0–1. */
  readonly errorRate: number;
  /** Latency of successful requests, milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly perBackend: readonly BackendReport[];
  /** Largest number of attempts sent to one backend divided by the mean over backends. */
  readonly maxOverMean: number;
  /** Problems with the balancer itself: it threw, or returned a name it was not offered. */
  readonly balancerErrors: readonly string[];
}

/** Round robin: the baseline the tests compare with (and the starter's policy). */
export function createRoundRobin(): Balancer {
  let next = 0;
  return {
    pick(backends) {
      const backend = backends[next % backends.length]!;
      next++;
      return backend.name;
    },
  };
}

/** A reply from a backend. */
interface Reply {
  readonly ok: true;
}

/**
 * Runs the scenario with a balancer built by `factory` and returns what was measured.
 * The same options give the same run, request for request.
 */
export async function runScenario(factory: BalancerFactory, options: ScenarioOptions): Promise<RunReport> {
  const ratePerS = options.ratePerS ?? 1200;
  const durationMs = options.durationMs ?? 5_000;
  const slow = options.slow === undefined ? 'api-2' : options.slow;
  const failing = options.failing === undefined ? 'api-4' : options.failing;
  const errorRate = options.errorRate ?? 0;
  const outage = options.outage ?? null;
  const inOutage = (t: number): boolean => outage !== null && t >= outage.startMs && t < outage.endMs;
  const zoneLoss = options.zoneLoss ?? null;
  const darkBackends = zoneLoss === null ? [] : ZONES[zoneLoss.zone];
  if (darkBackends === undefined) throw new RangeError(`no zone ${zoneLoss!.zone}; the zones are ${Object.keys(ZONES).join(', ')}`);
  const inZoneLoss = (t: number): boolean => zoneLoss !== null && t >= zoneLoss.startMs && t < zoneLoss.endMs;

  const sim = new Simulation({
    seed: options.seed,
    network: { latency: uniform(0.3, 1.2) },
    trace: { enabled: false },
  });

  for (const name of BACKENDS) {
    if (name === failing) {
      // Up, but its dependency is broken: most requests fail fast, some hang.
      const unreachable = new Rejection(`${name}: cannot reach its database`);
      const databaseDown = new Rejection(`${name}: the shared database is down`);
      sim.addNode(name, (ctx) => ({
        async onRequest(): Promise<Reply> {
          if (inOutage(sim.nowMs)) throw databaseDown;
          const roll = ctx.random.next();
          if (roll < 0.6) {
            await ctx.sleep(1 + ctx.random.next());
            throw unreachable;
          }
          if (roll < 0.7) {
            await ctx.sleep(10_000);
            return { ok: true };
          }
          await ctx.sleep(ctx.random.exponential(5));
          return { ok: true };
        },
      }));
      continue;
    }
    // Only an error's message reaches the client, so one of each kind serves every request.
    const databaseDown = new Rejection(`${name}: the shared database is down`);
    const connectionReset = new Rejection(`${name}: connection reset`);
    sim.addNode(name, (ctx) => ({
      onRequest(): Reply {
        if (inOutage(sim.nowMs)) throw databaseDown;
        if (errorRate > 0 && ctx.random.next() < errorRate) throw connectionReset;
        return { ok: true };
      },
    }), {
      capacity: {
        workers: 4,
        serviceTime: exponential(5),
        queueCapacity: 100,
      },
    });
  }

  const balancer = factory({ random: new Random(options.seed).fork('balancer') });
  const offered = new Set<string>(BACKENDS);
  const outstanding = new Map<string, number>(BACKENDS.map((name) => [name, 0]));
  const sent = new Map<string, number>(BACKENDS.map((name) => [name, 0]));
  const okBy = new Map<string, number>(BACKENDS.map((name) => [name, 0]));
  const balancerErrors: string[] = [];
  const noteProblem = (problem: string): void => {
    if (balancerErrors.length < 5) balancerErrors.push(problem);
  };

  const report = (backend: string, outcome: Outcome, now: number): void => {
    if (!balancer.onResult) return;
    try {
      balancer.onResult(backend, outcome, now);
    } catch (error) {
      noteProblem(`onResult threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  /** The balancer's answer to "send this request again?"; anything but `true` is a no. */
  const askRetry = (backend: string, outcome: Outcome, now: number): boolean => {
    if (!balancer.retry) return false;
    try {
      return balancer.retry(backend, outcome, now) === true;
    } catch (error) {
      noteProblem(`retry threw: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  };

  // Counted here, by the client, whatever the balancer does.
  let attempts = 0;
  let retries = 0;
  let firstAttemptFailures = 0;
  let answeredAfterTimeout = 0;
  let outageRequests = 0;
  let outageAttempts = 0;
  let zoneLossRequests = 0;
  let zoneLossFailed = 0;
  let attemptsToDarkZone = 0;

  /** Asks the balancer for the backend of a request's attempt `number`, checking its answer. */
  const choose = (number: number, tried: readonly string[], now: number): string => {
    const views: BackendView[] = [];
    for (const name of BACKENDS) if (!tried.includes(name)) views.push({ name, outstanding: outstanding.get(name)! });
    let target: string;
    try {
      target = balancer.pick(views, now, number);
    } catch (error) {
      noteProblem(`pick threw: ${error instanceof Error ? error.message : String(error)}`);
      throw new Rejection('the balancer threw');
    }
    // Checked against the client's own lists, not the array pick was handed.
    if (typeof target !== 'string' || !offered.has(target) || tried.includes(target)) {
      const names = BACKENDS.filter((name) => !tried.includes(name)).join(', ');
      noteProblem(
        `pick returned ${JSON.stringify(target)}, which is not one of ${names}` +
          (tried.includes(target) ? ' (a retry is offered only the backends its request has not tried)' : ''),
      );
      throw new Rejection('the balancer returned a backend it was not offered');
    }
    return target;
  };

  const issue = async (input: KvInput, ctx: NodeContext): Promise<Reply> => {
    const arrived = sim.nowMs;
    const tried: string[] = [];
    let timedOut = false;
    let succeeded = false;
    try {
      for (;;) {
        const start = ctx.now();
        const target = choose(tried.length + 1, tried, start);
        tried.push(target);
        attempts++;
        if (tried.length > 1) retries++;
        outstanding.set(target, outstanding.get(target)! + 1);
        sent.set(target, sent.get(target)! + 1);
        if (inZoneLoss(start) && darkBackends.includes(target)) attemptsToDarkZone++;
        let failure: unknown;
        let outcome: Outcome;
        try {
          const reply = await ctx.rpc<Reply>(target, input, { timeoutMs: TIMEOUT_MS });
          okBy.set(target, okBy.get(target)! + 1);
          outstanding.set(target, outstanding.get(target)! - 1);
          report(target, Object.freeze({ ok: true, latencyMs: ctx.now() - start }), ctx.now());
          if (timedOut) answeredAfterTimeout++;
          succeeded = true;
          return reply;
        } catch (error) {
          outstanding.set(target, outstanding.get(target)! - 1);
          const kind: Outcome['error'] =
            error instanceof RpcTimeoutError ? 'timeout' : error instanceof OverloadedError ? 'overloaded' : 'rejected';
          outcome = Object.freeze({ ok: false, latencyMs: ctx.now() - start, error: kind });
          failure = error;
        }
        report(target, outcome, ctx.now());
        if (outcome.error === 'timeout') timedOut = true;
        if (tried.length === 1) firstAttemptFailures++;
        if (tried.length >= MAX_ATTEMPTS_PER_REQUEST || !askRetry(target, outcome, ctx.now())) {
          if (failure instanceof RemoteError && !failure.rejected) throw new Rejection(failure.message);
          throw failure;
        }
      }
    } finally {
      if (inOutage(arrived)) {
        outageRequests++;
        outageAttempts += tried.length;
      }
      if (inZoneLoss(arrived)) {
        zoneLossRequests++;
        if (!succeeded) zoneLossFailed++;
      }
    }
  };

  sim.workload({
    name: 'client',
    issue,
    arrivals: { kind: 'open', ratePerS },
    keys: { count: 1000 },
    mix: { get: 1 },
    // Long enough for every attempt a request may make.
    deadlineMs: MAX_ATTEMPTS_PER_REQUEST * TIMEOUT_MS + 50,
    stopMs: durationMs,
  });

  // The slow backend sits behind a congested, long-tailed link (each way: median 12 ms,
  // p99 200 ms), so a round trip to it takes about 30 ms typically and sometimes ten times that.
  if (slow !== null) sim.setLink('client', slow, { latency: logNormal({ p50Ms: 12, p99Ms: 200 }) });

  // The dark zone: every link between the client and its backends is cut, both ways, and
  // whatever is on the wire is lost.
  if (zoneLoss !== null) {
    sim.partition([['client'], darkBackends], { atMs: zoneLoss.startMs, healAtMs: zoneLoss.endMs, label: `zone ${zoneLoss.zone} dark` });
  }

  await sim.runUntilIdle();

  const summary = sim.summary();
  const total = BACKENDS.reduce((sum, name) => sum + sent.get(name)!, 0);
  const perBackend = BACKENDS.map((name) => ({
    name,
    sent: sent.get(name)!,
    share: total === 0 ? 0 : sent.get(name)! / total,
    ok: okBy.get(name)!,
    failed: sent.get(name)! - okBy.get(name)!,
  }));
  const mean = total / BACKENDS.length;
  return {
    requests: summary.operations,
    ok: summary.ok,
    attempts,
    retries,
    firstAttemptErrorRate: summary.operations === 0 ? 0 : firstAttemptFailures / summary.operations,
    answeredAfterTimeout,
    duringOutage:
      outage === null
        ? null
        : {
            requests: outageRequests,
            attempts: outageAttempts,
            amplification: outageRequests === 0 ? 0 : outageAttempts / outageRequests,
          },
    duringZoneLoss:
      zoneLoss === null
        ? null
        : { zone: zoneLoss.zone, requests: zoneLossRequests, failed: zoneLossFailed, attemptsToZone: attemptsToDarkZone },
    errorRate: summary.operations === 0 ? 0 : 1 - summary.ok / summary.operations,
    p50Ms: summary.latency.p50Ms,
    p99Ms: summary.latency.p99Ms,
    perBackend,
    maxOverMean: mean === 0 ? 0 : Math.max(...perBackend.map((b) => b.sent)) / mean,
    balancerErrors,
  };
}

/** One line per backend, for failure messages. */
export function describeRun(report: RunReport): string {
  const rows = report.perBackend.map(
    (b) => `${b.name}: ${(b.share * 100).toFixed(1)}% of attempts, ${b.failed} failed`,
  );
  const retries = report.retries === 1 ? '1 retry' : `${report.retries.toLocaleString('en-US')} retries`;
  return `p50 ${report.p50Ms.toFixed(1)} ms, p99 ${report.p99Ms.toFixed(1)} ms, ` +
    `errors ${(report.errorRate * 100).toFixed(2)}% of ${report.requests} requests (${retries}); ${rows.join('; ')}`;
}
