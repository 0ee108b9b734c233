/**
 * The two pieces you write in this exercise, and how the harness uses them.
 *
 * Both are plain objects with no clock of their own: every method is told the current time
 * (`nowMs`, milliseconds of simulated time). That keeps them pure and easy to test, and lets
 * a later exercise drop them into a bigger system (a balancer, a shard router) unchanged.
 *
 * The setting: six instances of one service register with a registry and then send a
 * heartbeat every `heartbeatIntervalMs`, give or take 10% (each instance jitters its timer
 * so they do not all beat at once). The link from the instances to the registry loses
 * some messages, so now and then a heartbeat never arrives; the ones that do arrive take
 * a few milliseconds. Instances crash and restart on a schedule. A client sends requests
 * to the service; before each one it asks its cache whether to refresh from the registry
 * and which instance to use.
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
  /** The instances whose leases are live at `nowMs`, sorted by id. */
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
 * {@link ClientCache.update}. Then it calls {@link ClientCache.pick} and sends the request
 * to the chosen instance; if the request fails (no answer within 100 ms), it calls
 * {@link ClientCache.reportFailure}.
 */
export interface ClientCache {
  /** Whether it is time to fetch a fresh list from the registry. */
  refreshDue(nowMs: number): boolean;
  /** A fresh list arrived from the registry (sorted ids of instances with live leases). */
  update(instances: readonly string[], nowMs: number): void;
  /** The instance for the next request, or `undefined` when none is known to be usable. */
  pick(nowMs: number): string | undefined;
  /** A request to `instanceId` failed: it did not answer in time. */
  reportFailure(instanceId: string, nowMs: number): void;
}

/** Builds a client cache. This is the second function you write (in `client-cache.ts`). */
export type CreateClientCache = (options: ClientCacheOptions) => ClientCache;
