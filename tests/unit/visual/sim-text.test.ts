/** What a live simulation says in its status line and its tables (sim-status.ts, sim-tables.ts). */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/runtime/visual/metrics-data.ts';
import { finishedText, noDropText, playingText, readyText, timeText } from '../../../src/runtime/visual/sim-status.ts';
import { clusterLabel, nodeRowText, summaryRows } from '../../../src/runtime/visual/sim-tables.ts';

const snapshot: Snapshot = {
  atMs: 2_000,
  completed: 12_345,
  ok: 12_000,
  p50Ms: 4.5,
  p99Ms: 120,
  throughputPerS: 6_000.4,
  availability: 12_000 / 12_345,
  slo: [
    { label: 'p99 latency', target: '≤ 100 ms', pass: false },
    { label: 'availability', target: '≥ 99%', pass: undefined },
  ],
};

describe('the status line', () => {
  it('says what a ready run holds, or that it plays on after a change', () => {
    expect(readyText(7, 10_000, false, 1_000)).toBe('Ready: seed 7, 10.0 s of virtual time. Press Play.');
    expect(readyText(7, 10_000, true, 1_000)).toBe('Playing seed 7 at 1,000 virtual ms per second.');
    expect(playingText(250)).toBe('Playing at 250 virtual ms per second.');
  });

  it('sums a finished run up in its requests, p99 and availability', () => {
    expect(finishedText(snapshot)).toBe('Finished: 12,000 requests succeeded, p99 120 ms, availability 97.2%.');
  });

  it('reads the playhead out against the length of the run', () => {
    expect(timeText(1_250, 10_000)).toBe('1.25 s of 10.0 s');
  });

  it('tells a run with no drops from one not simulated far enough', () => {
    expect(noDropText(true)).toBe('No message was dropped in this run.');
    expect(noDropText(false)).toBe('No dropped message yet in what has been simulated.');
  });
});

describe('the tables under a simulation', () => {
  it('list the summary with each SLO’s verdict, and say when one cannot be judged yet', () => {
    const rows = summaryRows(snapshot, 2_000, false);
    expect(rows.map((r) => [r.label, r.value])).toEqual([
      ['Virtual time', '2.00 s'],
      ['Requests completed', '12,345'],
      ['p50 latency so far', '4.50 ms'],
      ['p99 latency so far', '120 ms'],
      ['Throughput, last second', '6000 ok/s'],
      ['Availability so far', '97.2%'],
      ['SLO: p99 latency ≤ 100 ms', 'missed'],
      ['SLO: availability ≥ 99%', 'not measured yet'],
    ]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
  });

  it('add a note when the trace was cut short', () => {
    expect(summaryRows(snapshot, 2_000, true).at(-1)).toEqual({ label: 'Note', value: 'the trace reached its capacity; later messages are not drawn', key: 'note' });
  });

  it('show a node down while it is crashed, paused while paused, and dashes before any sample', () => {
    const sample = { queueDepth: 3, inService: 1, served: 1_200, rejected: 0, up: true, paused: false, note: 'leader · term 3' };
    expect(nodeRowText(sample, false)).toEqual({ cells: ['up', '3', '1', '1,200', '0'], note: 'leader · term 3' });
    expect(nodeRowText(sample, true).cells[0]).toBe('down');
    expect(nodeRowText({ ...sample, paused: true }, false).cells[0]).toBe('paused');
    expect(nodeRowText(undefined, false)).toEqual({ cells: ['up', '–', '–', '–', '–'], note: '' });
  });

  it('label the cluster picture for a screen reader, mentioning state only where nodes keep notes', () => {
    const meta = { nodes: ['a', 'b', 'c'], groups: [{ name: 'nodes', nodes: [0, 1, 2] }] };
    expect(clusterLabel(meta, 500, 12)).toBe("Cluster of 3 nodes in 1 groups at 500 ms: p99 latency so far 12.0 ms. The tables below list each node's load.");
    expect(clusterLabel({ ...meta, notes: true }, 500, 12)).toMatch(/load and state\.$/);
  });
});
