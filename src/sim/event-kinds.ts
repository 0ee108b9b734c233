/**
 * The kinds of event in the simulator's queue. Numbers rather than strings so that the
 * queue can keep them in a typed array. The modules that schedule an event name its kind
 * from here; the engine's run loop dispatches on it.
 */

/** A message arrives at its destination (network.ts). */
export const EV_DELIVER = 1;
/** A timer fires (timers.ts). */
export const EV_TIMER = 2;
/** A scheduled scenario action runs. */
export const EV_CALL = 3;
/** A request has been served for its sampled service time and reaches its handler. */
export const EV_SERVICE_DONE = 4;
/** A disk sync completes (disk.ts). */
export const EV_SYNC_DONE = 5;
/** An RPC's deadline passes (rpc.ts). */
export const EV_RPC_TIMEOUT = 6;
/** A scheduled action that does not keep `runUntilIdle` running, such as queue sampling. */
export const EV_DAEMON = 7;
/** A delivery whose arrival checks already passed, replayed from a paused node's backlog. */
export const EV_ARRIVED = 8;
