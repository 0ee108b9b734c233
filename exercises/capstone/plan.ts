import type { SystemPlan } from './types.ts';

/**
 * Your design for the day, and what you predict it will measure. Read `day.ts` for the load
 * and the faults, and `system.ts` for how your components are put together; then choose the
 * quorum sizes, size the router pool, and write down your predictions before you run it.
 */
export const plan: SystemPlan = {
  // Fast, but do reads and writes still meet?
  quorum: { r: 1, w: 1 },
  routersPerZone: 'capacity plan',
  predictions: {
    p99AtPeakMs: NaN,
    ackedWritesLost: NaN,
    zoneCutRecoveryMs: NaN,
  },
};
