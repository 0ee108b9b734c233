/**
 * The queueing cliff: one server with a pool of workers and exponential service times,
 * behind an open-loop Poisson workload. Latency stays flat while the server is mostly
 * idle and climbs steeply as utilisation nears 100%, as the M/M/c model predicts.
 */
import { Simulation, exponential, uniform } from '../sim/index.ts';
import type { Scenario } from './types.ts';

/** Mean service time of one request, in ms: one worker completes 100 requests per second. */
export const SERVICE_MS = 10;
/** Requests waiting beyond this are refused, so an overloaded server sheds load visibly. */
export const QUEUE_CAPACITY = 100;
/** Virtual length of a run, in ms. */
export const DURATION_MS = 20_000;

/** Utilisation ρ = λ / (c μ) for an arrival rate in requests per second and c workers. */
export function utilisation(ratePerS: number, workers: number): number {
  return (ratePerS * SERVICE_MS) / (1000 * workers);
}

export const scenario: Scenario = {
  id: 'queueing-utilisation',
  title: 'The queueing cliff',
  description:
    'One server, a pool of workers, requests arriving at random. Raise the request rate towards what the workers can serve and watch p99 latency bend upwards long before the server is "full".',
  params: [
    { kind: 'number', name: 'ratePerS', label: 'Request rate', min: 10, max: 400, step: 10, default: 70, unit: 'QPS' },
    { kind: 'number', name: 'workers', label: 'Workers', min: 1, max: 4, step: 1, default: 1 },
  ],
  build(params, seed) {
    const ratePerS = Number(params.ratePerS ?? 70);
    const workers = Number(params.workers ?? 1);
    const sim = new Simulation({ seed, network: { latency: uniform(0.2, 0.5) } });
    sim.addNode('server', () => ({ onRequest: () => ({ kind: 'put' }) }), {
      capacity: { workers, serviceTime: exponential(SERVICE_MS), queueCapacity: QUEUE_CAPACITY },
    });
    sim.workload({
      name: 'clients',
      target: 'server',
      arrivals: { kind: 'open', ratePerS },
      mix: { put: 1 },
      deadlineMs: 5_000,
      stopMs: DURATION_MS,
    });
    return {
      sim,
      durationMs: DURATION_MS,
      slo: { p99LatencyMs: 100, availability: 0.99 },
      groups: { clients: ['clients'], servers: ['server'] },
    };
  },
};
