/**
 * Your registry and client cache together, in the simulated cluster of `harness.ts`: six
 * instances heartbeating every second over a link that loses 10% of messages, five
 * crashes (four restart), and a client sending 200 requests per second for a minute.
 * The whole run happens once; each test reads one number from it.
 */
import { assert, describe, inject, it } from 'vitest';
import { createClientCache } from './client-cache.ts';
import { runFailover, type FailoverReport } from './harness.ts';
import { createRegistry } from './registry.ts';

const HEARTBEAT_MS = 1_000;
const LOSS_RATE = 0.1;

let run: Promise<FailoverReport> | undefined;
function report(): Promise<FailoverReport> {
  run ??= runFailover(createRegistry, createClientCache, {
    seed: inject('seed'),
    heartbeatIntervalMs: HEARTBEAT_MS,
    refreshIntervalMs: 1_000,
    lossRate: LOSS_RATE,
  });
  return run;
}

const ms = (value: number): string => `${Math.round(value).toLocaleString('en-US')} ms`;

/** "once", "twice", "3 times". */
const times = (n: number): string => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

/**
 * A registry that never drops anyone evicts no live instance and never has a restarted one to
 * bring back: the tests about those check nothing until crashed instances leave the lookups.
 */
function assertSomeCrashDetected(report: FailoverReport, what: string): void {
  const removed = report.detections.filter((d) => d.removedAtMs !== null).length;
  assert(
    removed > 0,
    `Not checked yet: ${what}, and your registry removed none of the ${report.detections.length} crashed instances ` +
      'from lookups. Make the test on removing crashed instances pass first.',
  );
}

describe('failover in the simulated cluster', () => {
  it('raises no errors inside the simulation', async () => {
    const { errors } = await report();
    assert(
      errors.length === 0,
      `your code threw or returned something unusable ${times(errors.length)} while the cluster ran: ${errors.slice(0, 3).join('; ')}`,
    );
  });

  it('removes every crashed instance from lookups within 3.5 heartbeat intervals', async () => {
    const { detections } = await report();
    const bound = 3.5 * HEARTBEAT_MS;
    for (const d of detections) {
      const took = d.removedAtMs === null ? Infinity : d.removedAtMs - d.crashAtMs;
      assert(
        took <= bound,
        d.removedAtMs === null
          ? `${d.instance} crashed at t = ${ms(d.crashAtMs)} and lookups still listed it until it restarted (or the run ended); ` +
              `the bound is ${ms(bound)}. Leases that never expire keep dead instances in the registry forever.`
          : `${d.instance} crashed at t = ${ms(d.crashAtMs)} and left the lookups ${ms(took)} later; the bound is ${ms(bound)}. ` +
              'The lease is too long: every extra interval is time the registry hands out a dead address.',
      );
    }
  });

  it('sends fewer than 0.35% of requests to instances that are down', async () => {
    const { requests, toDeadInstances, detections } = await report();
    const share = requests === 0 ? 1 : toDeadInstances / requests;
    const perCrash = toDeadInstances / detections.length;
    assert(
      requests > 10_000,
      `the client sent ${requests.toLocaleString('en-US')} requests in a minute at 200 a second (more than 10,000 expected): ` +
        'does pick return an instance once the cache has been updated?',
    );
    const cause =
      share > 0.03
        ? 'Above 3%, the client keeps a dead instance until the registry drops it: refresh, and stop using an instance ' +
          'whose request failed.'
        : 'Below 3% but above the bound, the client stops at a failure but forgets it too soon: each refresh brings a ' +
          'failed instance back while the registry still lists it, costing a few more timeouts every second.';
    assert(
      share < 0.0035,
      `${toDeadInstances.toLocaleString('en-US')} of ${requests.toLocaleString('en-US')} requests ` +
        `(${(share * 100).toFixed(2)}%, about ${perCrash.toFixed(0)} per crash) went to instances that were down; the bound ` +
        `is 0.35%. ${cause}`,
    );
  });

  it('evicts at most two live instances over a minute of 10% heartbeat loss', async () => {
    const measured = await report();
    assertSomeCrashDetected(measured, 'a registry that never drops anyone evicts no live instance either');
    const { falseEvictions, heartbeatsLost, heartbeatsSent } = measured;
    const list = falseEvictions.slice(0, 5).map((e) => `${e.instance} at ${ms(e.atMs)}`).join(', ');
    assert(
      falseEvictions.length <= 2,
      `a healthy instance vanished from lookups ${times(falseEvictions.length)} (${list}); the bound is twice. ` +
        `${heartbeatsLost} of ${heartbeatsSent} heartbeats were lost, about ${Math.round(LOSS_RATE * 100)}%: a lease that ` +
        'expires after one or two missed heartbeats turns ordinary packet loss into outages. Tolerate about three.',
    );
  });

  it('sends requests to a restarted instance again within 3 seconds', async () => {
    const measured = await report();
    assertSomeCrashDetected(measured, 'an instance that never leaves the lookups is served again at once after a restart');
    const { recoveries } = measured;
    const bound = 3_000;
    for (const r of recoveries) {
      const took = r.firstServedAtMs === null ? Infinity : r.firstServedAtMs - r.restartAtMs;
      assert(
        took <= bound,
        r.firstServedAtMs === null
          ? `${r.instance} restarted at t = ${ms(r.restartAtMs)} and never served another request; the bound is ${ms(bound)}. ` +
              'Does the cache refresh, and does it forgive a failed instance after a while?'
          : `${r.instance} restarted at t = ${ms(r.restartAtMs)} and served its first request ${ms(took)} later; the bound is ` +
              `${ms(bound)}. Avoiding a failed instance for too long wastes capacity once it is back.`,
      );
    }
  });
});
