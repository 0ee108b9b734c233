import { Random } from '@faultlines/sim';
import { assert, beforeAll, describe, inject, it } from 'vitest';
import { createBalancer } from './balancer.ts';
import { BACKENDS, TIMEOUT_MS, ZONES, createRoundRobin, describeRun, runScenario, type RunReport } from './harness.ts';
import {
  EJECT_AFTER_CONSECUTIVE_FAILURES,
  MAX_ATTEMPTS_PER_REQUEST,
  MAX_FIRST_EJECTION_MS,
  MAX_RETRY_AMPLIFICATION,
  MIN_EJECTION_MS,
  type BackendView,
} from './types.ts';

const seed = inject('seed');

/** The service-level objectives of the main scenario. */
const P99_BOUND_MS = 110;
const ERROR_RATE_BOUND = 0.02;
/** Your p99 must be at most this fraction of round robin's in the same seeded run. */
const VS_ROUND_ROBIN = 0.75;
/**
 * The busiest of five equal backends may get at most this many times the mean share. Over
 * seeds 1–400 (3 s at 1,200 requests a second) the reference measured 1.005–1.062 (seeds
 * 1–100), alt-least-outstanding at most 1.075, alt-hdr-window 1.071 and alt-p2c-ewma, whose
 * latency estimates differ by chance between equal backends, 1.134; least outstanding with
 * ties broken by position (the first backend wins) at least 1.156, and power of two choices
 * breaking its ties by position 1.35 or more (seeds 1–100). A bound of 1.1 failed the
 * latency-aware alternative on 2 seeds of 30.
 */
const SPREAD_BOUND = 1.145;

/**
 * The retry runs, on five healthy backends. In the first, each backend refuses this share of
 * the requests it serves, at random: transient failures that a second attempt elsewhere
 * survives…
 */
const TRANSIENT_ERROR_RATE = 0.05;
/** …and with your retries, at most this share of requests may fail. */
const RETRIED_ERROR_RATE_BOUND = 0.01;
/** In the second, after half a second of health, the database all backends share is down this long. */
const OUTAGE_MS = 1_500;

/**
 * The zone run, on five healthy backends at 1,200 requests a second: after a second of health
 * one zone of two backends (a or b, drawn from the seed) goes dark for this long…
 */
const ZONE_DARK_MS = 3_000;
/** …and at most this many of the requests that arrive while it is dark may fail. */
const ZONE_LOSS_FAILED_BOUND = 150;

const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;
const ms = (x: number): string => `${x.toFixed(1)} ms`;
const wholePercent = (x: number): string => `${Math.round(x * 100)}%`;
const num = (x: number): string => x.toLocaleString('en-US');
const plural = (n: number, one: string, many: string): string => `${num(n)} ${n === 1 ? one : many}`;

/** What retries after timeouts did to a run's latency, when they did anything. */
function lateAnswers(report: RunReport): string {
  if (report.answeredAfterTimeout === 0) return '';
  return ` ${plural(report.answeredAfterTimeout, 'request was', 'requests were')} answered by a retry after a ` +
    `${TIMEOUT_MS} ms timeout: each took longer than the timeout, and counts in the p99 (a retry after a ` +
    'timeout saves the request, but not its latency).';
}

/** Views of every backend with nothing outstanding, except as given. */
function views(outstanding: Readonly<Record<string, number>> = {}): BackendView[] {
  return BACKENDS.map((name) => ({ name, outstanding: outstanding[name] ?? 0 }));
}

/** "once", "twice", "100 times". */
const times = (n: number): string => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n.toLocaleString('en-US')} times`);

/**
 * How many times api-3 is picked in the ejection time after failing
 * EJECT_AFTER_CONSECUTIVE_FAILURES times in a row, in a fresh balancer: 0 once ejection works.
 */
function picksRightAfterFailures(): number {
  const balancer = unitBalancer();
  const last = fail(balancer, 'api-3', EJECT_AFTER_CONSECUTIVE_FAILURES, 10_000);
  let picked = 0;
  for (let now = last; now < last + MIN_EJECTION_MS; now += 2) if (balancer.pick(views(), now, 1) === 'api-3') picked++;
  return picked;
}

/** Tests about what happens after an ejection check nothing on a balancer that never ejects. */
function assertEjects(what: string): void {
  const picked = picksRightAfterFailures();
  assert(
    picked === 0,
    `Not checked yet: ${what}, but your balancer does not eject yet (api-3 was picked ${times(picked)} in the ` +
      `${MIN_EJECTION_MS} ms after failing ${EJECT_AFTER_CONSECUTIVE_FAILURES} times in a row). Make the test on ` +
      'never picking a backend that just failed pass first.',
  );
}

function unitBalancer() {
  return createBalancer({ random: new Random(seed).fork('unit') });
}

/** Reports `count` failed attempts on `backend`, one per millisecond from `startMs`; returns the last time. */
function fail(balancer: ReturnType<typeof createBalancer>, backend: string, count: number, startMs: number): number {
  let now = startMs;
  for (let i = 0; i < count; i++, now++) {
    balancer.onResult?.(backend, { ok: false, latencyMs: 2, error: 'rejected' }, now);
  }
  return now - 1;
}

describe('1,200 requests a second over five backends, one slow and one failing', () => {
  let mine: RunReport;
  let roundRobin: RunReport;

  beforeAll(async () => {
    mine = await runScenario(createBalancer, { seed });
    roundRobin = await runScenario(createRoundRobin, { seed });
  });

  it('returns only the names of backends it was offered, and never throws', () => {
    assert(mine.balancerErrors.length === 0, `the balancer misbehaved: ${mine.balancerErrors.join('; ')}`);
  });

  it(`keeps the error rate under ${percent(ERROR_RATE_BOUND)}`, () => {
    assert(
      mine.errorRate < ERROR_RATE_BOUND,
      `${percent(mine.errorRate)} of requests failed; the bound is ${percent(ERROR_RATE_BOUND)} ` +
        `(round robin: ${percent(roundRobin.errorRate)}) — the failing backend is probably still getting ` +
        `traffic: eject it after ${EJECT_AFTER_CONSECUTIVE_FAILURES} failures in a row. ${describeRun(mine)}`,
    );
  });

  it(`keeps the p99 latency of successful requests under ${P99_BOUND_MS} ms`, () => {
    assert(
      mine.p99Ms < P99_BOUND_MS,
      `p99 was ${ms(mine.p99Ms)}; the bound is ${P99_BOUND_MS} ms — the slow backend is probably still ` +
        `getting a fair share of requests: prefer backends with fewer outstanding requests.${lateAnswers(mine)} ` +
        describeRun(mine),
    );
  });

  it(`cuts p99 latency by at least ${Math.round((1 - VS_ROUND_ROBIN) * 100)}% compared with round robin in the same seeded run`, () => {
    const bound = roundRobin.p99Ms * VS_ROUND_ROBIN;
    assert(
      mine.p99Ms < bound,
      `p99 was ${ms(mine.p99Ms)}, round robin's was ${ms(roundRobin.p99Ms)}; the bound is ${ms(bound)} ` +
        `(${Math.round(VS_ROUND_ROBIN * 100)}% of round robin's).${lateAnswers(mine)} Yours: ${describeRun(mine)}. ` +
        `Round robin: ${describeRun(roundRobin)}`,
    );
  });

  it('meets the same bounds when the slow and failing backends are other ones', async () => {
    const moved = await runScenario(createBalancer, { seed: seed + 1, slow: 'api-5', failing: 'api-1' });
    const summary = describeRun(moved);
    assert(moved.balancerErrors.length === 0, `the balancer misbehaved: ${moved.balancerErrors.join('; ')}`);
    assert(
      moved.errorRate < ERROR_RATE_BOUND,
      `with api-5 slow and api-1 failing, ${percent(moved.errorRate)} of requests failed; the bound is ` +
        `${percent(ERROR_RATE_BOUND)} — does the balancer decide from what it observes, or from names? ${summary}`,
    );
    assert(
      moved.p99Ms < P99_BOUND_MS,
      `with api-5 slow and api-1 failing, p99 was ${ms(moved.p99Ms)}; the bound is ${P99_BOUND_MS} ms.` +
        `${lateAnswers(moved)} ${summary}`,
    );
  });
});

describe('choosing among backends', () => {
  it('sends few requests to a backend that already has many outstanding', () => {
    const balancer = unitBalancer();
    const loaded = views({ 'api-3': 40 });
    let picks = 0;
    for (let i = 0; i < 1_000; i++) if (balancer.pick(loaded, 1_000 + i, 1) === 'api-3') picks++;
    assert(
      picks / 1_000 < 0.1,
      `api-3 had 40 requests outstanding and the others none, yet got ${percent(picks / 1_000)} of 1,000 picks; ` +
        'the bound is 10% — the balancer is not looking at `outstanding`',
    );
  });

  it(`spreads load over five equal, healthy backends within max/mean ${SPREAD_BOUND}`, async () => {
    const report = await runScenario(createBalancer, { seed: seed + 2, durationMs: 3_000, slow: null, failing: null });
    assert(
      report.maxOverMean <= SPREAD_BOUND,
      `the busiest backend got ${report.maxOverMean.toFixed(3)}× the mean number of requests; the bound is ` +
        `${SPREAD_BOUND} — with equal backends, ties in \`outstanding\` are common: break them at random, ` +
        `not by position. ${describeRun(report)}`,
    );
  });
});

describe('outlier ejection', () => {
  it(`never picks a backend that just failed ${EJECT_AFTER_CONSECUTIVE_FAILURES} times in a row while another is available`, () => {
    const picked = picksRightAfterFailures();
    assert(
      picked === 0,
      `api-3 failed ${EJECT_AFTER_CONSECUTIVE_FAILURES} times in a row and was picked ${times(picked)} in the next ` +
        `${MIN_EJECTION_MS} ms; it should not be picked at all — eject a backend after that many consecutive failures`,
    );
  });

  it(`keeps a backend out for at least ${MIN_EJECTION_MS / 1000} s every time it is ejected, not only the first time`, () => {
    const balancer = unitBalancer();
    for (let round = 1; round <= 4; round++) {
      // A minute apart: each round's failures come after any earlier ejection a balancer would sensibly use.
      const last = fail(balancer, 'api-3', EJECT_AFTER_CONSECUTIVE_FAILURES, 10_000 + round * 60_000);
      let picked = 0;
      for (let now = last; now < last + MIN_EJECTION_MS; now += 2) if (balancer.pick(views(), now, 1) === 'api-3') picked++;
      assert(
        picked === 0,
        `ejection ${round}: api-3 failed ${EJECT_AFTER_CONSECUTIVE_FAILURES} times in a row at t=${last} ms and was picked ` +
          `${times(picked)} within ${MIN_EJECTION_MS} ms; it should not be picked at all — a backend that keeps failing ` +
          'should stay out at least as long each time',
      );
    }
  });

  it(`tries an ejected backend again no later than ${MAX_FIRST_EJECTION_MS / 1000} s after ejecting it`, () => {
    assertEjects('a balancer that never ejects picks api-3 again trivially');
    const balancer = unitBalancer();
    const last = fail(balancer, 'api-3', EJECT_AFTER_CONSECUTIVE_FAILURES, 10_000);
    const from = last + MAX_FIRST_EJECTION_MS;
    let picked = 0;
    for (let i = 0; i < 500; i++) if (balancer.pick(views(), from + i, 1) === 'api-3') picked++;
    assert(
      picked > 0,
      `api-3 was ejected at t=${last} ms and not picked once in 500 picks from t=${from} ms — an ejected ` +
        'backend must come back after its ejection time, or a brief failure removes it for good',
    );
  });

  it('picks the one backend left when every other backend is ejected', () => {
    const balancer = unitBalancer();
    let now = 10_000;
    for (const name of BACKENDS) if (name !== 'api-2') now = fail(balancer, name, EJECT_AFTER_CONSECUTIVE_FAILURES, now) + 1;
    const picked = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      let name: string;
      try {
        name = balancer.pick(views(), now + i, 1);
      } catch (error) {
        name = `(threw ${String(error)})`;
      }
      picked.set(name, (picked.get(name) ?? 0) + 1);
    }
    assert(
      picked.size === 1 && picked.get('api-2') === 200,
      `four of five backends were just ejected, so all 200 picks should go to api-2, the one left; got ` +
        `${JSON.stringify(Object.fromEntries(picked))} — a pool of one is an edge case: there is no second backend ` +
        'to compare with, so return that one (drawing two different indexes from one backend fails)',
    );
  });

  it(`keeps a backend that fails now and then, but never ${EJECT_AFTER_CONSECUTIVE_FAILURES} times in a row, in rotation`, () => {
    assertEjects('a balancer that never ejects keeps every backend in rotation trivially');
    const balancer = unitBalancer();
    const below = EJECT_AFTER_CONSECUTIVE_FAILURES - 1;
    let now = fail(balancer, 'api-3', below, 10_000) + 1;
    balancer.onResult?.('api-3', { ok: true, latencyMs: 6 }, now);
    now = fail(balancer, 'api-3', below, now + 1) + 1;
    let picks = 0;
    for (let i = 0; i < 1_000; i++) if (balancer.pick(views(), now + i, 1) === 'api-3') picks++;
    assert(
      picks / 1_000 >= 0.05,
      `api-3 failed ${below} times, succeeded, and failed ${below} times more — never ` +
        `${EJECT_AFTER_CONSECUTIVE_FAILURES} in a row — yet got ${percent(picks / 1_000)} of the next 1,000 picks ` +
        '(a fair share is 20%; the bound is 5%). Eject only after that many consecutive failures, and reset the ' +
        'count on a success: healthy backends fail now and then, and ejecting them on every blip wastes capacity.',
    );
  });

  it('still returns one of the backends when every backend is ejected', () => {
    assertEjects('a balancer that never ejects returns one of the backends trivially');
    const balancer = unitBalancer();
    let now = 10_000;
    for (const name of BACKENDS) now = fail(balancer, name, EJECT_AFTER_CONSECUTIVE_FAILURES, now) + 1;
    const names: readonly string[] = BACKENDS;
    for (let i = 0; i < 20; i++) {
      const picked = balancer.pick(views(), now + i, 1);
      assert(
        names.includes(picked),
        `with every backend ejected, pick returned ${JSON.stringify(picked)} — return one of them anyway ` +
          '(some requests may succeed, none would otherwise; Envoy goes further with its panic threshold: ' +
          'once fewer than 50% of hosts are healthy, by default, it balances over every host, healthy or not)',
      );
    }
  });
});

describe('retries within a budget', () => {
  let transient: RunReport;
  let outage: RunReport;

  beforeAll(async () => {
    transient = await runScenario(createBalancer, {
      seed: seed + 3,
      durationMs: 1_500,
      slow: null,
      failing: null,
      errorRate: TRANSIENT_ERROR_RATE,
    });
    outage = await runScenario(createBalancer, {
      seed: seed + 4,
      durationMs: 500 + OUTAGE_MS,
      slow: null,
      failing: null,
      outage: { startMs: 500, endMs: 500 + OUTAGE_MS },
    });
  });

  // Seeds 1–100 (about 1,800 requests each): 3.7–6.3% of first attempts fail, which is what
  // a balancer that never retries ends with. With retries the reference lets 0–0.23% fail;
  // the alternatives at most 0.23% (10% of the requests of the last 10 s) and 0.17% (a token
  // bucket). A budget of 10 retries that is never refilled lets 3.2–5.6% fail.
  it(`retries transient failures: with ${wholePercent(TRANSIENT_ERROR_RATE)} of requests refused at random, at most ${wholePercent(RETRIED_ERROR_RATE_BOUND)} fail`, () => {
    assert(transient.balancerErrors.length === 0, `the balancer misbehaved: ${transient.balancerErrors.join('; ')}`);
    const failedFirst = transient.firstAttemptErrorRate;
    assert(
      transient.errorRate <= RETRIED_ERROR_RATE_BOUND,
      `every backend refused ${wholePercent(TRANSIENT_ERROR_RATE)} of what it served, at random: ${percent(failedFirst)} of ` +
        `the ${num(transient.requests)} requests failed at their first attempt, and ` +
        (transient.retries === 0
          ? 'with no retry as many failed in the end'
          : `${percent(transient.errorRate)} in the end, after your ${plural(transient.retries, 'retry', 'retries')}`) +
        `; the bound is ${wholePercent(RETRIED_ERROR_RATE_BOUND)}. ` +
        (transient.retries === 0
          ? 'Your balancer never retries: implement `retry` (types.ts), so that a request refused by one backend ' +
            'is sent again to another, which will almost surely answer.'
          : 'Some failures went without a retry: does your budget allow about as many retries as there are ' +
            `transient failures (here ${percent(failedFirst)} of requests), and does it keep earning them?`),
    );
  });

  // Seeds 1–100 (about 1,800 requests in the outage, counted from its first moment): the
  // reference makes 1.099–1.104 attempts per request (10% of requests, at most 10 retries
  // saved), the alternatives at most 1.130 (10% of the requests of the last 10 s, which include
  // the healthy half second) and 1.126 (a token bucket earning 0.1 per attempt and 5 a second,
  // holding 20). Retrying every failure makes 2.96–3.0. A budget of exactly 20% with 10
  // retries saved makes 1.197–1.204, over the bound on 66 seeds of 100: the bound leaves
  // such a budget no room for what it saved, as types.ts and the lesson say.
  it(`keeps attempts within ${MAX_RETRY_AMPLIFICATION}× the requests while every backend fails for ${OUTAGE_MS / 1000} s`, () => {
    assert(
      transient.retries > 0,
      `Not checked yet: your balancer never retried in the run with ${wholePercent(TRANSIENT_ERROR_RATE)} of requests ` +
        'refused at random, so it cannot multiply anything; make the test on retrying transient failures pass first.',
    );
    assert(outage.balancerErrors.length === 0, `the balancer misbehaved: ${outage.balancerErrors.join('; ')}`);
    const during = outage.duringOutage!;
    const retries = during.attempts - during.requests;
    const advice =
      during.amplification < (1 + MAX_ATTEMPTS_PER_REQUEST) / 2
        ? 'Your budget holds, but too loosely: what it saved before the outage is spent during it too, so a share ' +
          `of ${wholePercent(MAX_RETRY_AMPLIFICATION - 1)} or more goes over. Keep the share lower (the SRE book uses ` +
          '10% per client) and save up only a few retries.'
        : `No retry could succeed, and each one was more load on a service that was already failing: retrying ` +
          `every failure multiplies it by up to ${MAX_ATTEMPTS_PER_REQUEST}. Give retries a budget, a share of the ` +
          'requests (the SRE book uses 10% per client), with only a few retries saved up, so that a long outage ' +
          'cannot spend more than that share.';
    assert(
      during.amplification <= MAX_RETRY_AMPLIFICATION,
      `while every backend failed for ${OUTAGE_MS / 1000} s, the ${num(during.requests)} requests that arrived made ` +
        `${num(during.attempts)} attempts: ${plural(retries, 'retry', 'retries')}, ` +
        `${percent(retries / during.requests)} of the requests, so ${during.amplification.toFixed(3)} attempts per ` +
        `request; the bound is ${MAX_RETRY_AMPLIFICATION} (types.ts). ${advice}`,
    );
  });
});

describe('a zone goes dark', () => {
  // Measured with the reference over seeds 1–200 and the others over seeds 1–100 (the zone drawn
  // from each seed as here; about 3,600 requests arrive in the 3 s the zone is dark, and round
  // robin would send two fifths of them into it): the reference (two random choices on
  // outstanding requests) fails 51–96 of them, alt-least-outstanding 7–17, alt-p2c-ewma (latency
  // × outstanding) 38–90, broken-first-backends 28–61. Round robin with the reference's ejection
  // and budget (bug-round-robin-ejection) fails 230–273: it keeps giving the zone its turns
  // until five timeouts in a row have come back from each backend, 250 ms and more after the
  // zone went dark, and again each time an ejection ends. The starter fails 1,393–1,481 (seeds 1–20).
  it(`fails at most ${ZONE_LOSS_FAILED_BOUND} requests while a zone's backends stop answering for ${ZONE_DARK_MS / 1000} s`, async () => {
    const zones = Object.keys(ZONES).filter((zone) => ZONES[zone]!.length > 1);
    const zone = zones[new Random(seed).fork('zone').int(zones.length)]!;
    const dark = ZONES[zone]!;
    const startMs = 1_000;
    const run = await runScenario(createBalancer, {
      seed: seed + 5,
      durationMs: startMs + ZONE_DARK_MS,
      slow: null,
      failing: null,
      zoneLoss: { zone, startMs, endMs: startMs + ZONE_DARK_MS },
    });
    assert(run.balancerErrors.length === 0, `the balancer misbehaved: ${run.balancerErrors.join('; ')}`);
    const during = run.duringZoneLoss!;
    const share = dark.length / BACKENDS.length;
    assert(
      during.failed <= ZONE_LOSS_FAILED_BOUND,
      `zone ${zone} (${dark.join(' and ')}) went dark for ${ZONE_DARK_MS / 1000} s: its backends stopped answering, ` +
        `and every attempt sent there ended only at the ${TIMEOUT_MS} ms timeout. ` +
        `${plural(during.failed, 'request', 'requests')} of the ${num(during.requests)} that arrived meanwhile failed, ` +
        `after ${plural(during.attemptsToZone, 'attempt', 'attempts')} sent into the dark zone; the bound is ` +
        `${ZONE_LOSS_FAILED_BOUND}. Ejection alone reacts late: the first timeout comes back ${TIMEOUT_MS} ms after the ` +
        `zone went dark, and a balancer that gives the zone its ${wholePercent(share)} share until then has already sent ` +
        `it about ${num(Math.round(1_200 * share * TIMEOUT_MS / 1000))} requests that cannot succeed (and as many again ` +
        'each time an ejection ends). A backend that does not answer keeps every request sent to it outstanding, so ' +
        'its `outstanding` count climbs from the first millisecond: prefer backends with fewer requests in flight, and ' +
        `the dark zone stops getting traffic long before its first timeout. ${describeRun(run)}`,
    );
  });
});
