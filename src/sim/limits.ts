/** Hard limits that turn runaway scenarios into clear errors instead of hangs. */
export const LIMITS = {
  /** Most nodes in one simulation. */
  maxNodes: 65_536,
  /** Most requests waiting in one node's queue when `queueCapacity` is not set. */
  maxQueueLength: 1_000_000,
  /** Most events parked while a node is paused. */
  maxBacklog: 1_000_000,
  /** Most microtask turns the run loop waits for learner code between two events. */
  maxMicrotaskTurns: 100_000,
  /** Most queue-depth samples kept. */
  maxQueueSamples: 1_000_000,
} as const;
