/**
 * Screenshot checks: a view's picture compared pixel by pixel with the one kept in
 * tests/e2e/__screenshots__/, with a tolerance. After an intended visual change, review the
 * new pictures and update them by running the tests with UPDATE_SCREENSHOTS=1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const screenshotDir = resolve(import.meta.dirname, '__screenshots__');
const updating = process.env.UPDATE_SCREENSHOTS === '1';

interface Image {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

/** Decodes an 8-bit, non-interlaced PNG (what Chromium writes) with Node's zlib only. */
export function decodePng(buffer: Buffer): Image {
  if (buffer.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colourType = 0;
  const idat: Buffer[] = [];
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('ascii', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0) throw new Error('only 8-bit non-interlaced PNGs are supported');
      colourType = data[9]!;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const channels = colourType === 6 ? 4 : colourType === 2 ? 3 : 0;
  if (channels === 0) throw new Error(`unsupported PNG colour type ${colourType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels]! : 0;
      let value = line[x]!;
      if (filter === 1) value += left;
      else if (filter === 2) value += up;
      else if (filter === 3) value += (left + up) >> 1;
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        value += pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      pixels[y * stride + x] = value & 0xff;
    }
  }
  if (channels === 4) return { width, height, rgba: pixels };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set(pixels.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}

/**
 * Share of pixels whose colour differs by more than `threshold` in any channel. An element
 * that sits at a fractional position can come out one pixel wider or taller from one run to
 * the next, or with its content drawn one pixel lower or to the side; so the pictures are
 * compared over the area they share with each offset of at most one pixel either way, and
 * the best match counts. A larger difference in size counts as every pixel changed.
 */
export function diffShare(a: Image, b: Image, threshold = 24): number {
  if (Math.abs(a.width - b.width) > 1 || Math.abs(a.height - b.height) > 1) return 1;
  let best = 1;
  // (dx, dy): pixel (x, y) of `a` is compared with pixel (x + dx, y + dy) of `b`.
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const x0 = Math.max(0, -dx);
      const y0 = Math.max(0, -dy);
      const x1 = Math.min(a.width, b.width - dx);
      const y1 = Math.min(a.height, b.height - dy);
      if (x1 - x0 < a.width - 2 || y1 - y0 < a.height - 2) continue;
      let differing = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = (y * a.width + x) * 4;
          const j = ((y + dy) * b.width + x + dx) * 4;
          for (let c = 0; c < 4; c++) {
            if (Math.abs(a.rgba[i + c]! - b.rgba[j + c]!) > threshold) {
              differing++;
              break;
            }
          }
        }
      }
      best = Math.min(best, differing / ((x1 - x0) * (y1 - y0)));
    }
  }
  return best;
}

/**
 * Fails when more than 1% of the pixels changed visibly (2% when the picture came out one
 * pixel larger or smaller: a chart then redraws its lines at a slightly different scale);
 * writes the new picture beside the old for review.
 */
export async function expectScreenshot(page: Page, selector: string, name: string): Promise<void> {
  // The element's box can sit at a fractional position, so that its own screenshot comes out
  // one pixel taller or wider on one run than the next; a clip of the box rounded to whole
  // pixels keeps the picture's size the same on every run.
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${name}: ${selector} is not visible`);
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  const fresh = (await page.locator(selector).first().boundingBox()) ?? box;
  const clip = { x: Math.round(fresh.x), y: Math.round(fresh.y), width: Math.round(fresh.width), height: Math.round(fresh.height) };
  const png = await page.screenshot({ clip, animations: 'disabled' });
  mkdirSync(screenshotDir, { recursive: true });
  const file = resolve(screenshotDir, `${name}.png`);
  if (updating || !existsSync(file)) {
    if (!updating) throw new Error(`No screenshot ${name}.png yet; create it with UPDATE_SCREENSHOTS=1 and review it.`);
    writeFileSync(file, png);
    return;
  }
  const expected = decodePng(readFileSync(file));
  const actual = decodePng(png);
  const share = diffShare(expected, actual);
  const allowed = expected.width === actual.width && expected.height === actual.height ? 0.01 : 0.02;
  if (share > allowed) writeFileSync(resolve(screenshotDir, `${name}.actual.png`), png);
  expect(
    share,
    `${name}: ${(share * 100).toFixed(2)}% of pixels differ (size ${actual.width}x${actual.height}, expected ${expected.width}x${expected.height}); see ${name}.actual.png, or update with UPDATE_SCREENSHOTS=1`,
  ).toBeLessThanOrEqual(allowed);
}

