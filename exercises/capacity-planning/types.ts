/** A service as capacity planning sees it: how much work arrives and how long each piece takes. */
export interface ServiceProfile {
  /** Requests arriving per second, at random (a Poisson process), at the busiest hour. */
  readonly ratePerS: number;
  /** Mean time one worker spends on one request, in milliseconds (exponentially distributed). */
  readonly meanServiceMs: number;
  /** The latency objective: 99% of requests must complete within this many milliseconds. */
  readonly p99TargetMs: number;
}
