import type { RpoSetting } from './types.ts';

/**
 * How many acknowledged writes your group loses, on average, in `async` mode when the
 * leader's zone goes dark at a random moment (the leader crashes, and every message it
 * had in flight is lost with it) and the follower with the longest log takes over.
 *
 * Predict it for your own replica: the tests run it in this setting, with constant
 * latencies, and compare. Think about when a write is acknowledged (when the client hears
 * of it, not when the leader decides), when the best follower has it, and how many writes
 * fall in between at `writesPerS`.
 */
export function predictRpo(setting: RpoSetting): number {
  void setting;
  return 0;
}
