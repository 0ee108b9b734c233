import type { SystemPlan } from './types.ts';

/**
 * Five replicas per group, two, two and one in the three zones: a zone cut leaves three or
 * four of them on the side that keeps working, so quorums of three (R = W = 3) keep reading
 * and writing there, and every read quorum meets every write quorum (3 + 3 > 5).
 */
export const plan: SystemPlan = {
  quorum: { r: 3, w: 3 },
  // Sized for the flash crowd on top of the peak, with a zone lost.
  routersPerZone: 'capacity plan',
  predictions: {
    // Two client round trips of 4–12 ms and two quorum rounds of about 2 ms: around 15 ms.
    p99AtPeakMs: 15,
    // CP quorums with R + W > N never acknowledge a write they can lose.
    ackedWritesLost: 0,
    // The cut zone's coordinators refuse within about 150 ms, the balancers retry elsewhere
    // and eject those routers: under 1% of the first second's requests fail.
    zoneCutRecoveryMs: 0,
  },
};
