/**
 * Load-balancing policies, side by side, and the reference code the lessons of the
 * "Load balancing" module quote: round robin, smooth weighted round robin, random, least
 * outstanding requests and the power of two random choices, plus the balls-into-bins
 * experiment and the supermarket-model formula behind two choices.
 *
 * The scenario: five backends with 4 workers each (exponential service time, mean 5 ms,
 * so 4,000 requests per second in all) behind one client that sends an open-loop Poisson
 * stream. One backend sits behind a slow, long-tailed link; optionally another refuses most
 * requests within a millisecond or two. The reader picks the policy, the request rate, how
 * slow the slow link is and whether a backend fails, and watches p99 latency and errors.
 */
import { Random, Rejection, Simulation, exponential, logNormal, uniform, type KvInput, type NodeContext } from '../sim/index.ts';
import type { BuiltScenario, ParamValues, Scenario } from './types.ts';

/** What a balancer sees of a backend when it picks. */
export interface BackendView {
  readonly name: string;
  /** Requests this client sent there that have not finished. */
  readonly outstanding: number;
}

/** A policy: chooses the backend for the next request, and may learn from outcomes. */
export interface Picker {
  pick(backends: readonly BackendView[], now: number): string;
  onResult?(backend: string, ok: boolean, now: number): void;
}

/** Each backend in turn. */
export function roundRobin(): Picker {
  let next = 0;
  return {
    pick(backends) {
      return backends[next++ % backends.length]!.name;
    },
  };
}

/**
 * Smooth weighted round robin (the scheme NGINX uses): every pick, each backend's score
 * grows by its weight; the highest score wins and pays back the total weight. Weights
 * 5, 1, 1 give the order a a b a c a a, not a a a a a b c.
 */
export function weightedRoundRobin(weights: Readonly<Record<string, number>>): Picker {
  const score = new Map<string, number>();
  return {
    pick(backends) {
      let total = 0;
      let best: string | undefined;
      let bestScore = -Infinity;
      for (const { name } of backends) {
        const weight = weights[name] ?? 1;
        total += weight;
        const s = (score.get(name) ?? 0) + weight;
        score.set(name, s);
        if (s > bestScore) {
          bestScore = s;
          best = name;
        }
      }
      score.set(best!, bestScore - total);
      return best!;
    },
  };
}

/** A backend chosen uniformly at random. */
export function randomPick(random: Random): Picker {
  return {
    pick(backends) {
      return backends[random.int(backends.length)]!.name;
    },
  };
}

/** The backend with the fewest requests in flight; ties broken at random. */
export function leastOutstanding(random: Random): Picker {
  return {
    pick(backends) {
      let fewest = Infinity;
      let ties = 0;
      let chosen = backends[0]!.name;
      for (const backend of backends) {
        if (backend.outstanding < fewest) {
          fewest = backend.outstanding;
          ties = 1;
          chosen = backend.name;
        } else if (backend.outstanding === fewest && random.int(++ties) === 0) {
          // Reservoir sampling: each of the tied backends ends up equally likely.
          chosen = backend.name;
        }
      }
      return chosen;
    },
  };
}

/** The power of two random choices: two different backends at random, the less busy one wins. */
export function twoChoices(random: Random): Picker {
  return {
    pick(backends) {
      if (backends.length === 1) return backends[0]!.name;
      const i = random.int(backends.length);
      let j = random.int(backends.length - 1);
      if (j >= i) j++;
      const a = backends[i]!;
      const b = backends[j]!;
      return (b.outstanding < a.outstanding ? b : a).name;
    },
  };
}

/**
 * Outlier ejection in front of any policy, after Envoy's consecutive-5xx detector: after
 * `threshold` failures in a row a backend is skipped for `baseMs` times the number of times
 * it has been ejected (capped at `maxMs`). If every backend is ejected, all are eligible.
 */
export function withOutlierEjection(
  inner: Picker,
  options: { readonly threshold?: number; readonly baseMs?: number; readonly maxMs?: number } = {},
): Picker {
  const threshold = options.threshold ?? 5;
  const baseMs = options.baseMs ?? 2_000;
  const maxMs = options.maxMs ?? 20_000;
  const state = new Map<string, { failures: number; ejections: number; until: number }>();
  const of = (name: string) => {
    let entry = state.get(name);
    if (!entry) state.set(name, (entry = { failures: 0, ejections: 0, until: -Infinity }));
    return entry;
  };
  return {
    pick(backends, now) {
      const eligible = backends.filter((b) => of(b.name).until <= now);
      return inner.pick(eligible.length > 0 ? eligible : backends, now);
    },
    onResult(backend, ok, now) {
      inner.onResult?.(backend, ok, now);
      const entry = of(backend);
      if (ok) {
        entry.failures = 0;
        return;
      }
      if (++entry.failures >= threshold && entry.until <= now) {
        entry.ejections++;
        entry.until = now + Math.min(baseMs * entry.ejections, maxMs);
        entry.failures = 0;
      }
    },
  };
}

/**
 * Throws `n` balls into `n` bins, one at a time: each ball looks at `choices` bins chosen
 * independently at random and goes into the least full of them (the first, on a tie).
 * Returns the fullest bin's count. With one choice this is plain random assignment.
 */
export function maxLoadBallsIntoBins(n: number, choices: number, random: Random): number {
  const bins = new Uint32Array(n);
  let max = 0;
  for (let ball = 0; ball < n; ball++) {
    let best = random.int(n);
    for (let c = 1; c < choices; c++) {
      const other = random.int(n);
      if (bins[other]! < bins[best]!) best = other;
    }
    const load = ++bins[best]!;
    if (load > max) max = load;
  }
  return max;
}

/**
 * Mitzenmacher's supermarket model: n servers (n large), Poisson arrivals at rate λn,
 * exponential service with mean 1; each arrival joins the shortest of d queues chosen at
 * random. The expected time in system, in units of the mean service time, is
 * Σ_{i≥1} λ^((d^i − d)/(d − 1)) for d ≥ 2, and 1/(1 − λ) for d = 1 (plain random).
 */
export function supermarketTimeInSystem(lambda: number, d: number): number {
  if (!(lambda >= 0 && lambda < 1)) throw new RangeError(`lambda must be in [0, 1); got ${lambda}`);
  if (d === 1) return 1 / (1 - lambda);
  let sum = 0;
  for (let i = 1; i < 64; i++) {
    const term = lambda ** ((d ** i - d) / (d - 1));
    sum += term;
    if (term < 1e-12) break;
  }
  return sum;
}

export const BACKENDS = ['s1', 's2', 's3', 's4', 's5'] as const;
/** The backend behind the slow link. */
export const SLOW_BACKEND = 's2';
/** The backend that fails fast, when the failing option is on. */
export const FAILING_BACKEND = 's4';
/** Share of the failing backend's requests that it refuses, within a millisecond or two. */
export const FAILING_SHARE = 0.6;
/** Per-attempt timeout of the client, in milliseconds. */
export const TIMEOUT_MS = 500;

export type PolicyName = 'round-robin' | 'random' | 'least-outstanding' | 'two-choices' | 'two-choices-ejection';

export function createPicker(policy: PolicyName, random: Random): Picker {
  switch (policy) {
    case 'round-robin':
      return roundRobin();
    case 'random':
      return randomPick(random);
    case 'least-outstanding':
      return leastOutstanding(random);
    case 'two-choices':
      return twoChoices(random);
    case 'two-choices-ejection':
      return withOutlierEjection(twoChoices(random));
  }
}

/** Parameters of {@link buildPolicyRun}. */
export interface PolicyRunOptions {
  readonly policy: PolicyName;
  readonly ratePerS: number;
  /** Median one-way delay of the slow link in ms; 0 means no slow backend. */
  readonly slowLinkMs: number;
  /** Whether one backend refuses most requests, fast. @default false */
  readonly failing?: boolean;
  readonly durationMs: number;
  readonly seed: number;
  /** Record the message trace (the lesson's sequence diagram draws it). @default false, which runs faster */
  readonly trace?: boolean;
}

/** A built run, plus how many attempts each backend was sent (filled in as it runs). */
export interface PolicyRun extends BuiltScenario {
  readonly sent: ReadonlyMap<string, number>;
}

/** Builds (does not run) the simulation behind the scenario, for the page and for tests. */
export function buildPolicyRun(options: PolicyRunOptions): PolicyRun {
  const sim = new Simulation({
    seed: options.seed,
    network: { latency: uniform(0.3, 1.2) },
    trace: { enabled: options.trace ?? false },
    sampleIntervalMs: 100,
  });
  for (const name of BACKENDS) {
    if (options.failing && name === FAILING_BACKEND) {
      // Up, but its dependency is broken: most requests are refused almost at once.
      sim.addNode(name, (ctx) => ({
        async onRequest() {
          if (ctx.random.chance(FAILING_SHARE)) {
            await ctx.sleep(1 + ctx.random.next());
            throw new Rejection(`${name} cannot reach its database`);
          }
          await ctx.sleep(ctx.random.exponential(5));
          return { ok: true };
        },
      }));
      continue;
    }
    sim.addNode(name, () => ({ onRequest: () => ({ ok: true }) }), {
      capacity: { workers: 4, serviceTime: exponential(5), queueCapacity: 200 },
    });
  }
  const picker = createPicker(options.policy, new Random(options.seed).fork('balancer'));
  const outstanding = new Map<string, number>(BACKENDS.map((name) => [name, 0]));
  const sent = new Map<string, number>(BACKENDS.map((name) => [name, 0]));
  const issue = async (input: KvInput, ctx: NodeContext): Promise<unknown> => {
    const target = picker.pick(
      BACKENDS.map((name) => ({ name, outstanding: outstanding.get(name)! })),
      ctx.now(),
    );
    outstanding.set(target, outstanding.get(target)! + 1);
    sent.set(target, sent.get(target)! + 1);
    try {
      const reply = await ctx.rpc(target, input, { timeoutMs: TIMEOUT_MS });
      outstanding.set(target, outstanding.get(target)! - 1);
      picker.onResult?.(target, true, ctx.now());
      return reply;
    } catch (error) {
      outstanding.set(target, outstanding.get(target)! - 1);
      picker.onResult?.(target, false, ctx.now());
      throw error;
    }
  };
  sim.workload({
    name: 'clients',
    issue,
    arrivals: { kind: 'open', ratePerS: options.ratePerS },
    keys: { count: 1000 },
    mix: { get: 1 },
    deadlineMs: TIMEOUT_MS + 50,
    stopMs: options.durationMs,
  });
  if (options.slowLinkMs > 0) {
    // A long tail: the p99 of each one-way trip is 15 times its median.
    sim.setLink('clients', SLOW_BACKEND, {
      latency: logNormal({ p50Ms: options.slowLinkMs, p99Ms: options.slowLinkMs * 15 }),
    });
  }
  return {
    sim,
    sent,
    durationMs: options.durationMs + TIMEOUT_MS + 100,
    slo: { p99LatencyMs: 50 },
    groups: { clients: ['clients'], servers: [...BACKENDS] },
  };
}

export const scenario: Scenario = {
  id: 'load-balancing-policies',
  title: 'Four ways to pick a backend',
  description:
    'Five equal backends, one of them behind a slow, long-tailed link. Watch p99 latency as you switch from ' +
    'round robin or random to least outstanding requests or two random choices, and as the request rate ' +
    'approaches the 4,000 requests per second the five can serve. Then make one backend fail fast and ' +
    'watch least outstanding requests feed it, until outlier ejection stops that.',
  params: [
    {
      kind: 'select',
      name: 'policy',
      label: 'Policy',
      options: [
        { value: 'round-robin', label: 'Round robin' },
        { value: 'random', label: 'Random' },
        { value: 'least-outstanding', label: 'Least outstanding requests' },
        { value: 'two-choices', label: 'Two random choices' },
        { value: 'two-choices-ejection', label: 'Two random choices + outlier ejection' },
      ],
      default: 'round-robin',
    },
    { kind: 'number', name: 'qps', label: 'Requests per second', min: 500, max: 3800, step: 100, default: 2400, unit: 'QPS' },
    {
      kind: 'number',
      name: 'slowLinkMs',
      label: 'Slow link, median one-way delay (0 = no slow backend)',
      min: 0,
      max: 40,
      step: 2,
      default: 10,
      unit: 'ms',
    },
    { kind: 'boolean', name: 'failing', label: 'One backend fails 60% of requests, fast', default: false },
  ],
  build(params: ParamValues, seed: number): BuiltScenario {
    // The lesson draws every message; tests that only read the summary leave the trace off.
    return buildPolicyRun({ ...policyOptions(params), seed, trace: true });
  },
};

/** The run the scenario's parameters describe (without seed and trace). */
export function policyOptions(params: ParamValues): Omit<PolicyRunOptions, 'seed' | 'trace'> {
  return {
    policy: String(params.policy ?? 'round-robin') as PolicyName,
    ratePerS: Number(params.qps ?? 2400),
    slowLinkMs: Number(params.slowLinkMs ?? 10),
    failing: params.failing === true,
    durationMs: 5_000,
  };
}
