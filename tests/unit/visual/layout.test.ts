import { describe, expect, it } from 'vitest';
import { NARROW_PX, layoutCluster, loadFillPath, loadFraction, messagePosition } from '../../../src/runtime/visual/layout.ts';

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
