/** `bindParts` (src/runtime/dom.ts): the typed binding of a server-rendered component's parts. */
import { describe, expect, it } from 'vitest';
import { bindParts } from '../../../src/runtime/dom.ts';

/** A stand-in for a section: each selector finds a distinct object, except those left out. */
const root = (without: readonly string[] = []) => ({
  querySelector: (selector: string) => (without.includes(selector) ? null : ({ selector } as unknown as Element)),
});

describe('bindParts', () => {
  const selectors = { status: '[data-status]', play: '[data-action="play"]', rows: '[data-node-table] tbody' };

  it('finds each part by its own selector', () => {
    const parts = bindParts<{ status: HTMLElement; play: HTMLButtonElement; rows: HTMLTableSectionElement }>(root(), selectors, 'simulation demo');
    expect(Object.fromEntries(Object.entries(parts).map(([name, part]) => [name, (part as unknown as { selector: string }).selector]))).toEqual(selectors);
  });

  it('names the component and every missing part', () => {
    expect(() => bindParts(root(['[data-status]']), selectors, 'simulation demo')).toThrow('The simulation demo is missing a part: [data-status].');
    expect(() => bindParts(root(['[data-status]', '[data-node-table] tbody']), selectors, 'simulation demo')).toThrow(
      'The simulation demo is missing 2 parts: [data-status], [data-node-table] tbody.',
    );
  });
});
