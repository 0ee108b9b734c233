/**
 * Every live simulation, played to the end in the built site, as a learner sees it: the
 * result line counts requests and gives an availability, the SLO verdicts are measured,
 * every chart has drawn its series, and the message view shows messages (or says in words
 * that the scenario records none). The simulations are found, not listed: every scenario in
 * the registry, on every lesson page that embeds it, and on a stand-in page for a scenario
 * no lesson embeds yet.
 */
import { readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findScenario, listScenarios } from '../../src/scenarios/index.ts';
import { defaultParams } from '../../src/scenarios/types.ts';
import { siteHeaders } from '../../src/site/headers.mjs';
import { launchBrowser, type Browser } from '../../scripts/lib/browser.ts';
import { decodePng } from './screenshots.ts';
import { playToEnd } from './learner.ts';

const baseUrl = inject('baseUrl');
const contentDir = resolve(import.meta.dirname, '../../content');

interface Target {
  readonly scenarioId: string;
  /** Where it is played: a lesson page, or a stand-in page for a scenario no lesson embeds. */
  readonly url: string;
  readonly where: string;
}

/** Lesson ids, from the content folders (a lesson's file name is its id and address). */
function lessonIds(): string[] {
  return readdirSync(contentDir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.mdx'))
    .map((entry) => basename(entry.name, '.mdx'))
    .sort();
}

/** The built lesson pages that embed a simulation, and which scenarios they embed. */
async function embeddedSimulations(): Promise<{ lesson: string; html: string; scenarioIds: string[] }[]> {
  const out: { lesson: string; html: string; scenarioIds: string[] }[] = [];
  for (const lesson of lessonIds()) {
    const response = await fetch(`${baseUrl}/lessons/${lesson}/`);
    // A draft lesson is not built.
    if (!response.ok) continue;
    const html = await response.text();
    const scenarioIds = [...html.matchAll(/data-simulation="([^"]+)"/g)].map((m) => m[1]!);
    if (scenarioIds.length > 0) out.push({ lesson, html, scenarioIds });
  }
  return out;
}

const registered = listScenarios().map((s) => s.id);
let browser: Browser;
let targets: Target[] = [];

beforeAll(async () => {
  browser = await launchBrowser({ colorScheme: 'light' });
  const pages = await embeddedSimulations();
  targets = pages.flatMap((p) => p.scenarioIds.map((scenarioId) => ({ scenarioId, url: `${baseUrl}/lessons/${p.lesson}/`, where: `lesson ${p.lesson}` })));
  // A registered scenario that no lesson embeds yet still runs on a lesson's page, with the
  // lesson's simulation switched to it (the same built scripts, the site's headers).
  const host = pages.find((p) => p.scenarioIds.length === 1);
  for (const scenarioId of registered) {
    if (targets.some((t) => t.scenarioId === scenarioId) || !host) continue;
    const body = host.html.replaceAll(`data-simulation="${host.scenarioIds[0]}"`, `data-simulation="${scenarioId}"`);
    const url = `${baseUrl}/__every-simulation__/${scenarioId}/`;
    await browser.context.route(url, (route) =>
      route.fulfill({ status: 200, headers: { ...siteHeaders, 'content-type': 'text/html; charset=utf-8' }, body }),
    );
    targets.push({ scenarioId, url, where: `a stand-in page (no lesson embeds it)` });
  }
});

afterAll(async () => {
  await browser?.close();
});

/** The page's colours as canvas pixels: each CSS variable through a canvas, to get plain RGB. */
async function colours(page: Page, names: readonly string[]): Promise<Record<string, [number, number, number]>> {
  return page.evaluate((vars) => {
    const style = getComputedStyle(document.querySelector('[data-simulation]')!);
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
    const out: Record<string, [number, number, number]> = {};
    for (const name of vars) {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = style.getPropertyValue(name).trim();
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
      out[name] = [r!, g!, b!];
    }
    return out;
  }, names);
}

/** How many pixels of an element's picture are (nearly) each colour: a drawn series leaves hundreds. */
async function pixelsOf(locator: Locator, palette: Record<string, [number, number, number]>): Promise<Record<string, number>> {
  const image = decodePng(await locator.screenshot({ animations: 'disabled' }));
  const counts: Record<string, number> = Object.fromEntries(Object.keys(palette).map((k) => [k, 0]));
  const entries = Object.entries(palette);
  for (let i = 0; i < image.rgba.length; i += 4) {
    for (const [name, [r, g, b]] of entries) {
      if (Math.abs(image.rgba[i]! - r) + Math.abs(image.rgba[i + 1]! - g) + Math.abs(image.rgba[i + 2]! - b) <= 30) counts[name]!++;
    }
  }
  return counts;
}

const counted = (text: string) => Number(text.replace(/,/g, ''));
/** A duration as the tables print it ("6.10 ms", "1.10 s", "850 µs"), in ms; NaN otherwise. */
function parseDuration(text: string): number {
  const m = /([\d.,]+)\s*(µs|ms|s)$/.exec(text.trim());
  if (!m) return NaN;
  const n = Number(m[1]!.replace(/,/g, ''));
  return m[2] === 's' ? n * 1_000 : m[2] === 'µs' ? n / 1_000 : n;
}

describe('every live simulation, played to the end', () => {
  it('finds every registered scenario and the lesson pages that embed one', () => {
    expect(registered.length).toBeGreaterThan(0);
    expect(targets.length).toBeGreaterThan(0);
    // Each registered scenario is played at least once, and every embedded one is registered.
    expect(new Set(targets.map((t) => t.scenarioId))).toEqual(new Set(registered));
  });

  it('keeps every simulation’s controls inside its box on a 375 px phone', async () => {
    const problems: string[] = [];
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 375, height: 740 });
    for (const url of [...new Set(targets.map((t) => t.url))]) {
      await page.goto(url, { waitUntil: 'networkidle' });
      for (const section of await page.locator('[data-simulation]').all()) {
        const id = await section.getAttribute('data-simulation');
        const box = (await section.boundingBox())!;
        for (const control of await section.locator('[data-params] select, [data-params] input, [data-params] output, [data-params] label').all()) {
          const b = await control.boundingBox();
          if (b === null) continue;
          if (b.x < box.x - 1 || b.x + b.width > box.x + box.width + 1) {
            const what = (await control.evaluate((el) => `${el.tagName.toLowerCase()} ${el.textContent?.trim().slice(0, 40) ?? ''}`)) || 'a control';
            problems.push(`${id} on ${url}: ${what} spans ${Math.round(b.x)}–${Math.round(b.x + b.width)} px, outside the simulation's ${Math.round(box.x)}–${Math.round(box.x + box.width)} px`);
          }
        }
      }
    }
    await page.close();
    expect(problems).toEqual([]);
  });

  for (const scenarioId of registered) {
    it(`${scenarioId}: shows measured requests, availability, SLO verdicts, charts and messages at the end`, async () => {
      const problems: string[] = [];
      for (const target of targets.filter((t) => t.scenarioId === scenarioId)) {
        const page = await browser.context.newPage();
        const section = page.locator(`[data-simulation="${scenarioId}"]`);
        const say = (problem: string) => problems.push(`${scenarioId} on ${target.where}: ${problem}`);
        await page.goto(target.url, { waitUntil: 'networkidle' });
        // The fastest speed the control offers; the run plays from start to end.
        await playToEnd(section);

        // The result line.
        const status = (await section.locator('[data-status]').textContent()) ?? '';
        const result = /Finished: ([\d,]+) requests succeeded, p99 (.+), availability (.+)\.$/.exec(status);
        if (!result) say(`the result line reads "${status}"`);
        else {
          if (!(counted(result[1]!) > 0)) say(`the result line counts ${result[1]} successful requests: "${status}"`);
          if (!/^\d+(\.\d+)?\s*(µs|ms|s)$/.test(result[2]!)) say(`the result line's p99 is "${result[2]}"`);
          if (!/^\d+(\.\d+)?%$/.test(result[3]!)) say(`the result line's availability is "${result[3]}", not a percentage`);
        }

        // The numbers behind the pictures, opened as a reader would.
        await section.locator('[data-tables] > summary').click();
        const cell = (key: string) => section.locator(`[data-summary-table] td[data-key="${key}"]`);
        const completed = (await cell('completed').textContent()) ?? '';
        if (!(counted(completed) > 0)) say(`"Requests completed" reads "${completed}"`);
        const availability = (await cell('availability').textContent()) ?? '';
        if (!/^\d+(\.\d+)?%$/.test(availability)) say(`"Availability so far" reads "${availability}"`);
        for (const row of await section.locator('[data-summary-table] tr').all()) {
          const label = (await row.locator('th').textContent()) ?? '';
          const value = (await row.locator('td').textContent()) ?? '';
          if (label.startsWith('SLO') && !/^(met|missed)$/.test(value)) say(`"${label}" reads "${value}" at the end of the run`);
        }

        // The charts: each series leaves its colour on the canvas.
        const palette = await colours(page, ['--accent', '--warn', '--ok']);
        const chart = (name: string) => section.locator(`[data-chart="${name}"] .u-wrap`);
        const drawn = async (name: string, series: Record<string, string>) => {
          const pixels = await pixelsOf(chart(name), palette);
          for (const [label, colour] of Object.entries(series)) {
            if (!(pixels[colour]! >= 20)) say(`the ${name} chart has no ${label} drawn (${pixels[colour]} pixels of ${colour})`);
          }
        };
        // Where every request waits the same (clients queued in turn behind one disk), the p99
        // line lies on the p50 line and hides it: then only the p99 line can show.
        const p50 = parseDuration((await cell('p50').textContent()) ?? '');
        const p99 = parseDuration((await cell('p99').textContent()) ?? '');
        const coincide = p50 > 0 && Math.abs(p99 - p50) <= 0.02 * p99;
        await drawn('latency', coincide ? { p99: '--warn' } : { p50: '--accent', p99: '--warn' });
        // A scenario that asks for a log latency axis gets one, and the caption says so.
        const scenario = findScenario(scenarioId)!;
        const wantLog = scenario.build(defaultParams(scenario), 1).charts?.latencyScale === 'log';
        const scale = await section.locator('[data-chart="latency"]').getAttribute('data-scale');
        const caption = (await section.locator('figure:has([data-chart="latency"]) figcaption').textContent()) ?? '';
        if (scale !== (wantLog ? 'log' : 'linear')) say(`the latency chart's scale is "${scale}", not ${wantLog ? 'log' : 'linear'}`);
        if (/\(log scale\)$/.test(caption) !== wantLog) say(`the latency chart's caption reads "${caption}"`);
        await drawn('histogram', { 'latency bars': '--accent' });
        await drawn('throughput', { throughput: '--accent', availability: '--ok' });

        // The messages: half-way through the run, the diagram draws arrows and lists them,
        // unless the scenario records no messages, which the view must then say.
        const duration = Number(await section.locator('[data-scrubber]').getAttribute('max'));
        await section.locator('[data-scrubber]').fill(String(Math.round(duration / 2)));
        await expect.poll(async () => Number(await section.getAttribute('data-playhead-ms'))).toBe(Math.round(duration / 2));
        const noTrace = section.locator('[data-seq-empty]');
        if ((await noTrace.count()) > 0 && (await noTrace.isVisible())) {
          const words = (await noTrace.textContent()) ?? '';
          if (!/without a message trace/i.test(words)) say(`the message view says "${words}"`);
        } else {
          const messages = Number(await section.getAttribute('data-messages'));
          if (!(messages > 0)) say(`the sequence diagram received ${messages} messages`);
          await section.locator('.seq-list-box > summary').click();
          await expect
            .poll(() => section.locator('[data-seq-list] li').count(), { timeout: 5_000 })
            .toBeGreaterThan(0)
            .catch(() => say('the list of messages in view is empty half-way through the run'));
          await page.mouse.move(0, 0);
          const arrows = await pixelsOf(section.locator('[data-seq-plot] .u-wrap'), palette);
          if (!(arrows['--accent']! + arrows['--ok']! >= 20)) say(`the sequence diagram draws no arrows half-way through the run (${JSON.stringify(arrows)})`);
        }
        await page.close();
      }
      expect(problems).toEqual([]);
    });
  }
});
