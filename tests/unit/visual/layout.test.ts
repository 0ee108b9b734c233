import { describe, expect, it } from 'vitest';
import { NARROW_PX, NOTE_LINE_PX, fitNote, layoutCluster, loadFillPath, loadFraction, messagePosition, type ClusterLayout } from '../../../src/runtime/visual/layout.ts';

const groups = [
  { name: 'clients', nodes: [0] },
  { name: 'servers', nodes: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
];

function overlaps(nodes: readonly { x: number; y: number; r: number }[]): boolean {
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i]!;
      const b = nodes[j]!;
      if (Math.hypot(a.x - b.x, a.y - b.y) < a.r + b.r) return true;
    }
  }
  return false;
}

describe('cluster layout', () => {
  it('puts each group in its own column on a wide screen, clients left of servers', () => {
    const layout = layoutCluster(groups, 640);
    expect(layout.orientation).toBe('columns');
    const client = layout.nodes.find((n) => n.node === 0)!;
    for (const server of layout.nodes.filter((n) => n.node !== 0)) expect(server.x).toBeGreaterThan(client.x);
    expect(layout.nodes).toHaveLength(10);
    expect(overlaps(layout.nodes)).toBe(false);
  });

  it('stacks groups as rows on a 375 px phone, keeping every node inside the width', () => {
    const layout = layoutCluster(groups, 343);
    expect(343).toBeLessThan(NARROW_PX);
    expect(layout.orientation).toBe('rows');
    for (const n of layout.nodes) {
      expect(n.x - n.r).toBeGreaterThanOrEqual(0);
      expect(n.x + n.r).toBeLessThanOrEqual(343);
      expect(n.y + n.r).toBeLessThanOrEqual(layout.height);
    }
    expect(overlaps(layout.nodes)).toBe(false);
  });

  it('wraps a large group onto more lines rather than shrinking nodes to dots', () => {
    const many = [{ name: 'servers', nodes: Array.from({ length: 40 }, (_, i) => i) }];
    const layout = layoutCluster(many, 320);
    expect(Math.min(...layout.nodes.map((n) => n.r))).toBeGreaterThanOrEqual(7);
    expect(overlaps(layout.nodes)).toBe(false);
  });
});

/**
 * Where a node's note lies: centred under its name (baseline 13 px below the circle), one
 * line per `NOTE_LINE_PX`, 11 px text that reaches about 3 px below its last baseline.
 */
function noteBox(layout: ClusterLayout, n: { x: number; y: number; r: number }) {
  const top = n.y + n.r + 13 + 2;
  return { left: n.x - layout.noteWidth / 2, right: n.x + layout.noteWidth / 2, top, bottom: n.y + n.r + 13 + layout.noteLines * NOTE_LINE_PX + 3 };
}

/** Whether any node's note runs into another node's circle or note, or out of the picture. */
function noteClashes(layout: ClusterLayout): string[] {
  const out: string[] = [];
  for (const a of layout.nodes) {
    const box = noteBox(layout, a);
    if (box.left < 0 || box.right > layout.width || box.bottom > layout.height) out.push(`node ${a.node}'s note leaves the picture`);
    for (const b of layout.nodes) {
      if (b === a) continue;
      const other = noteBox(layout, b);
      const apart = (p: typeof box, q: typeof box) => p.right <= q.left || q.right <= p.left || p.bottom <= q.top || q.bottom <= p.top;
      if (!apart(box, other)) out.push(`node ${a.node}'s note overlaps node ${b.node}'s`);
      if (!apart(box, { left: b.x - b.r, right: b.x + b.r, top: b.y - b.r, bottom: b.y + b.r })) out.push(`node ${a.node}'s note overlaps node ${b.node}'s circle`);
    }
  }
  return out;
}

describe('room for a line of state under each node', () => {
  const five = [
    { name: 'clients', nodes: [0] },
    { name: 'servers', nodes: [1, 2, 3, 4, 5] },
  ];

  it('leaves the layout as it was for a scenario without notes', () => {
    for (const width of [343, 640, 900]) {
      const layout = layoutCluster(groups, width);
      expect(layout.noteLines).toBe(0);
      expect(layoutCluster(groups, width, { notes: false })).toEqual(layout);
    }
    // The figures the layout had before notes existed.
    expect(layoutCluster(five, 640).height).toBeCloseTo(22 + 16 + 5 * 26 * 2.6 + 12, 6);
  });

  it('spaces the nodes so that no note meets a circle or another note, on a desktop and on a phone', () => {
    for (const g of [five, groups, [{ name: 'servers', nodes: Array.from({ length: 40 }, (_, i) => i) }]]) {
      for (const width of [320, 343, 390, 480, 640, 900]) {
        const layout = layoutCluster(g, width, { notes: true });
        expect(layout.noteLines, `${width} px`).toBe(width >= NARROW_PX ? 1 : 2);
        expect(layout.noteWidth, `${width} px`).toBeGreaterThan(10);
        expect(noteClashes(layout), `${g.length} groups, ${layout.nodes.length} nodes at ${width} px`).toEqual([]);
        expect(overlaps(layout.nodes)).toBe(false);
      }
    }
  });

  it('gives a phone’s five servers room for "follower" on its own line', () => {
    const layout = layoutCluster(five, 358, { notes: true });
    expect(layout.orientation).toBe('rows');
    // About 6 px a character for 11 px sans-serif text.
    expect(layout.noteWidth).toBeGreaterThanOrEqual('candidate'.length * 6);
  });
});

describe('fitting a note under its node', () => {
  /** Every character 6 px wide. */
  const measure = (text: string) => text.length * 6;

  it('keeps a note that fits on one line whole', () => {
    expect(fitNote('leader · term 3', 200, 1, measure)).toEqual(['leader · term 3']);
    expect(fitNote('leader · term 3', 200, 2, measure)).toEqual(['leader · term 3']);
    expect(fitNote('', 200, 2, measure)).toEqual([]);
  });

  it('breaks a note too wide for one line at its separators, when it may use two', () => {
    expect(fitNote('follower · term 3', 60, 2, measure)).toEqual(['follower', 'term 3']);
    // Parts that fit together share a line; the rest crowds into the last line and is cut short.
    expect(fitNote('a · b · c · d', 30, 2, measure)).toEqual(['a · b', 'c · d']);
    expect(fitNote('leader · term 3 · log 12 · commit 9', 60, 2, measure)).toEqual(['leader', 'term 3…']);
  });

  it('cuts a line still too wide short with an ellipsis, within the width', () => {
    expect(fitNote('candidate · term 12', 60, 1, measure)).toEqual(['candidate…']);
    expect(fitNote('candidate · term 12', 54, 1, measure)).toEqual(['candidat…']);
    expect(fitNote('candidate · term 12', 36, 2, measure)).toEqual(['candi…', 'term…']);
    for (const width of [6, 13, 25, 61, 99]) {
      for (const line of fitNote('candidate · term 12', width, 2, measure)) expect(measure(line)).toBeLessThanOrEqual(Math.max(width, 6));
    }
  });
});

describe('message dots and load fill', () => {
  it('moves a message along its link in proportion to the time it has flown', () => {
    const a = { x: 0, y: 0 };
    const b = { x: 100, y: 50 };
    expect(messagePosition(a, b, 10, 20, 10)).toEqual({ x: 0, y: 0 });
    expect(messagePosition(a, b, 10, 20, 15)).toEqual({ x: 50, y: 25 });
    expect(messagePosition(a, b, 10, 20, 99)).toEqual({ x: 100, y: 50 });
  });

  it('fills a node by the requests inside it, capped at full', () => {
    expect(loadFraction(1, 1, 4)).toBe(0.5);
    expect(loadFraction(4, 100, 4)).toBe(1);
    expect(loadFraction(0, 0, 0)).toBe(0);
  });

  it('draws the load fill as the part of the circle below the level', () => {
    expect(loadFillPath(50, 50, 10, 0)).toBe('');
    // Half full: the chord is the horizontal diameter.
    expect(loadFillPath(50, 50, 10, 0.5)).toBe('M40,50A10,10 0 0 0 60,50Z');
    // A quarter: the chord sits 5 below the centre, half-width √75; the short arc.
    const half = Math.round(Math.sqrt(75) * 100) / 100;
    expect(loadFillPath(50, 50, 10, 0.25)).toBe(`M${Math.round((50 - Math.sqrt(75)) * 100) / 100},55A10,10 0 0 0 ${50 + half},55Z`);
    // Three quarters: the long arc.
    expect(loadFillPath(50, 50, 10, 0.75)).toContain(' 0 1 0 ');
    // Full: the whole circle.
    expect(loadFillPath(50, 50, 10, 1)).toBe('M40,50A10,10 0 1 0 60,50A10,10 0 1 0 40,50Z');
  });
});
