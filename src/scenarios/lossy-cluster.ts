/**
 * A round-robin client in front of a row of servers over a lossy network. Lost requests
 * surface as timeouts: availability falls by about the loss rate, twice over, since a
 * request and its reply can each be lost. With nine servers it is also the ten-node
 * scenario the visual benchmark streams.
 */
import { Simulation, exponential, uniform } from '../sim/index.ts';
import type { Scenario } from './types.ts';

export const scenario: Scenario = {
  id: 'lossy-cluster',
  title: 'Messages lost on the way',
  description:
    'A client spreads requests over several servers across a network that loses a few messages. Each lost request or reply becomes a timeout the client waits out.',
  params: [
    { kind: 'number', name: 'servers', label: 'Servers', min: 2, max: 9, step: 1, default: 3 },
    { kind: 'number', name: 'ratePerS', label: 'Request rate', min: 50, max: 4_000, step: 50, default: 200, unit: 'QPS' },
    { kind: 'number', name: 'lossPercent', label: 'Messages lost', min: 0, max: 10, step: 0.5, default: 2, unit: '%' },
  ],
  build(params, seed) {
    const count = Number(params.servers ?? 3);
    const ratePerS = Number(params.ratePerS ?? 200);
    const loss = Number(params.lossPercent ?? 2) / 100;
    const sim = new Simulation({ seed, network: { latency: uniform(1, 3), dropProbability: loss } });
    const servers = Array.from({ length: count }, (_, i) => `s${i + 1}`);
    for (const name of servers) {
      sim.addNode(name, () => ({ onRequest: () => ({ kind: 'put' }) }), {
        capacity: { workers: 4, serviceTime: exponential(2), queueCapacity: 200 },
      });
    }
    let turn = 0;
    sim.workload({
      name: 'clients',
      target: () => servers[turn++ % servers.length]!,
      arrivals: { kind: 'open', ratePerS },
      mix: { put: 1 },
      deadlineMs: 50,
      stopMs: 10_000,
    });
    return {
      sim,
      durationMs: 10_000,
      slo: { p99LatencyMs: 20, availability: 0.99 },
      groups: { clients: ['clients'], servers },
    };
  },
};
