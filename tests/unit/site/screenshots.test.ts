import { describe, expect, it } from 'vitest';
import { diffShare } from '../../e2e/screenshots.ts';

/** A picture of `width` × `height` pixels, all grey, with the listed pixels made white. */
function picture(width: number, height: number, white: readonly [number, number][] = []) {
  const rgba = new Uint8Array(width * height * 4).fill(128);
  for (const [x, y] of white) rgba.set([255, 255, 255, 255], (y * width + x) * 4);
  return { width, height, rgba };
}

describe('comparing screenshots', () => {
  it('finds no difference between equal pictures, and the share of pixels that changed otherwise', () => {
    expect(diffShare(picture(10, 10), picture(10, 10))).toBe(0);
    expect(diffShare(picture(10, 10), picture(10, 10, [[3, 4]]))).toBe(0.01);
  });

  it('compares pictures one pixel apart in size over the area they share, aligned at either edge', () => {
    expect(diffShare(picture(10, 10), picture(10, 11))).toBe(0);
    expect(diffShare(picture(11, 10), picture(10, 10, [[5, 5]]))).toBe(0.01);
    // The same content, one pixel lower in the taller picture: aligned at the bottom, nothing changed.
    const marks: [number, number][] = [[2, 2], [5, 7], [8, 3]];
    const lower = picture(10, 11, marks.map(([x, y]) => [x, y + 1]));
    expect(diffShare(picture(10, 10, marks), lower)).toBe(0);
    expect(diffShare(lower, picture(10, 10, marks))).toBe(0);
  });

  it('finds the same picture drawn one pixel lower or to the side unchanged, but not one moved further', () => {
    const marks: [number, number][] = [[2, 2], [5, 7], [8, 3], [4, 4]];
    const moved = (dx: number, dy: number) => picture(10, 10, marks.map(([x, y]) => [x + dx, y + dy]));
    expect(diffShare(picture(10, 10, marks), moved(0, 1))).toBe(0);
    expect(diffShare(picture(10, 10, marks), moved(1, -1))).toBe(0);
    expect(diffShare(picture(10, 10, marks), moved(0, 2))).toBeGreaterThan(0.05);
  });

  it('counts a picture more than one pixel larger or smaller as entirely changed', () => {
    expect(diffShare(picture(10, 10), picture(10, 12))).toBe(1);
    expect(diffShare(picture(8, 10), picture(10, 10))).toBe(1);
  });
});
