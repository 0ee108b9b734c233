/**
 * The two pieces you write in this exercise, and how the harness uses them.
 *
 * Both are plain objects with no clock of their own: every method is told the current time
 * (`nowMs`, milliseconds of simulated time). That keeps them pure and easy to test, and lets
 * them sit in a bigger system unchanged: here, your client cache works with the balancer you
 * wrote in the load-balancing lesson (`../balancer-heterogeneous/balancer.ts`).
 *
 * The setting: six instances of one service register with a registry and then send a
 * heartbeat every `heartbeatIntervalMs`, give or take 10% (each instance jitters its timer
 * so they do not all beat at once). The link from the instances to the registry loses
 * some messages, so now and then a heartbeat never arrives; the ones that do arrive take
 * a few milliseconds. Instances crash and restart on a schedule. They sit in three zones, two
 * in each, and in one run a whole zone is cut off from the registry for a while: its
 * heartbeats are all lost, though its instances are up and the client still reaches them
 * (`ZONES` and `ZONE_CUT_RUN` in `harness.ts`). A client sends requests
 * to the service. The work is split in two, as in a gRPC client or an Envoy sidecar: the
 * cache decides which instances are usable at all (the registry's latest list, minus the
 * instances that just failed), and the balancer decides which of those gets the next
 * request.
 */

/** Options for {@link Registry}. */
export interface RegistryOptions {
  /**
   * How often each instance sends a heartbeat, in milliseconds (each one is jittered by up
   * to ±10%). Choose the lease's time to live as a multiple of it: too short, and a lost or
   * late heartbeat evicts a healthy instance; too long, and a crashed one stays listed.
   */
  readonly heartbeatIntervalMs: number;
}

/**
 * The service registry: who is alive, according to their leases.
 *
 * The harness calls it from the registry node when a message arrives, and also calls
 * {@link Registry.lookup} every 20 ms to measure how fast crashes are noticed.
 */
export interface Registry {
  /**
   * An instance announces itself (at start-up, or after being told its lease is gone).
   * It starts a fresh lease and should appear in lookups from now on.
   */
  register(instanceId: string, nowMs: number): void;
  /**
   * A heartbeat arrived from `instanceId`: extend its lease. Return `true` if the instance
   * held a live lease, or `false` if it did not (never registered, or its lease already
   * expired); on `false` the instance registers again, as an etcd client whose keepalive
   * finds its lease gone, or a Eureka client whose renewal gets a 404, would.
   */
  renew(instanceId: string, nowMs: number): boolean;
  /** An instance shuts down cleanly: remove it at once. */
  deregister(instanceId: string, nowMs: number): void;
  /**
   * The instances whose leases are live at `nowMs`, sorted by id. A registry that protects
   * itself against correlated silence may also list instances whose leases it holds past
   * their time (see `registry.ts`): the tests want a crashed instance gone within 3.5
   * heartbeat intervals, but no more than one of a zone's two instances dropped while that
   * zone is cut off from the registry. Leases that ran out since the registry was last called
   * are settled in the order they ran out, as if it had been watching all along: which
   * instances are listed does not depend on how often `lookup` was called before.
   */
  lookup(nowMs: number): string[];
}

/** Builds a registry. This is the first function you write (in `registry.ts`). */
export type CreateRegistry = (options: RegistryOptions) => Registry;

/** Options for {@link ClientCache}. */
export interface ClientCacheOptions {
  /** How often to fetch the instance list from the registry, in milliseconds. */
  readonly refreshIntervalMs: number;
}

/**
 * A client's local copy of the registry, as a Eureka client, a gRPC resolver or an Envoy
 * sidecar keeps one: requests are routed from the cache, never by asking the registry
 * each time.
 *
 * Before every request the harness calls {@link ClientCache.refreshDue}; if it says yes,
 * the harness fetches the registry's list (which takes a round trip) and hands it to
 * {@link ClientCache.update}. Then it calls {@link ClientCache.usable} and hands those
 * instances to the balancer (`Balancer.pick` in `../balancer-heterogeneous/types.ts`),
 * which chooses one; the request goes there. If it fails (no answer within 100 ms), the
 * harness calls {@link ClientCache.reportFailure}, and tells the balancer too
 * (`Balancer.onResult`), as it does for every request that succeeds. Each request gets one
 * attempt: the harness never asks the balancer's `retry`.
 */
export interface ClientCache {
  /** Whether it is time to fetch a fresh list from the registry. */
  refreshDue(nowMs: number): boolean;
  /**
   * A fresh list arrived from the registry (sorted ids of instances with live leases). It
   * replaces the previous list entirely: an instance the registry no longer lists is gone.
   */
  update(instances: readonly string[], nowMs: number): void;
  /**
   * The instances the next request may go to: those of the latest {@link ClientCache.update},
   * in the order given there, without any instance reported failed (see
   * {@link ClientCache.reportFailure}) recently enough that the cache still avoids it. How
   * long to avoid one is yours to choose: long enough to outlast the registry's lease (or the
   * next refresh brings a crashed instance straight back), short enough that an instance
   * which restarts is offered again soon (the tests want it back within 3 seconds of its
   * restart, and the shortest outage in the run lasts under 9 seconds).
   *
   * Empty before the first update, and when every listed instance is being avoided: the
   * harness then sends nothing and counts the request as failed. The harness calls this
   * before every request, so keep it cheap (a pass over the list is fine).
   */
  usable(nowMs: number): string[];
  /** A request to `instanceId` failed: it did not answer in time. */
  reportFailure(instanceId: string, nowMs: number): void;
}

/** Builds a client cache. This is the second function you write (in `client-cache.ts`). */
export type CreateClientCache = (options: ClientCacheOptions) => ClientCache;
