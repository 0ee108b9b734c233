/**
 * The visual layer under load: a ten-node scenario (lossy-cluster with nine servers at
 * 4,000 requests per second, about 20,000 trace events per virtual second) streams into
 * the lesson page's simulation in headless Chromium, on the built site, while the page
 * counts animation frames and records main-thread long tasks (PerformanceObserver
 * 'longtask'). Target: no long task over 50 ms.
 *
 * Needs the built site (`npm run build`). Figures: visual.fps, visual.long_tasks,
 * visual.long_task_max_ms, visual.messages_per_s (messages received by the page per
 * real second while playing).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { siteHeaders } from '../../src/site/headers.mjs';
import { startPreview } from '../preview.ts';
import { launchBrowser } from '../lib/browser.ts';
import type { BenchSuite } from './types.ts';

const root = resolve(import.meta.dirname, '../..');
/** Real seconds of playback measured. */
const MEASURE_MS = 8_000;

export const visualBench: BenchSuite = {
  name: 'visual',
  async run(report) {
    const dist = resolve(root, 'dist');
    if (!existsSync(resolve(dist, 'lessons/numbers-that-matter/index.html'))) {
      throw new Error('the visual bench needs the built site: run `npm run build` first');
    }
    const { server, url } = await startPreview({ dir: dist, port: 0 });
    const browser = await launchBrowser();
    try {
      const lesson = `${url}/lessons/numbers-that-matter/`;
      const html = (await (await fetch(lesson)).text()).replaceAll('data-simulation="queueing-utilisation"', 'data-simulation="lossy-cluster"');
      // The lesson page's own built scripts, with its simulation switched to the ten-node scenario.
      await browser.context.route(`${url}/__bench__/`, (route) =>
        route.fulfill({ status: 200, headers: { ...siteHeaders, 'content-type': 'text/html; charset=utf-8' }, body: html }),
      );
      const page = await browser.context.newPage();
      await page.addInitScript(() => {
        const w = window as unknown as { __bench: { longTasks: number[]; frames: number; counting: boolean; from: number } };
        w.__bench = { longTasks: [], frames: 0, counting: false, from: Infinity };
        new PerformanceObserver((list) => {
          // Entries arrive in batches, some time after their task: a task that started before
          // the measured window (loading the page, the editor) must not count, however late
          // it is reported.
          for (const entry of list.getEntries()) if (entry.startTime >= w.__bench.from) w.__bench.longTasks.push(entry.duration);
        }).observe({ type: 'longtask', buffered: false });
        const count = () => {
          if (w.__bench.counting) w.__bench.frames++;
          requestAnimationFrame(count);
        };
        requestAnimationFrame(count);
      });
      await page.goto(`${url}/__bench__/`);
      const sim = page.locator('[data-simulation]');
      await sim.scrollIntoViewIfNeeded();
      await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-simulation]')?.dataset.mounted === 'ready', null, { timeout: 30_000 });
      const setParam = async (name: string, value: number) => {
        await page.locator(`[data-param="${name}"] input`).fill(String(value));
        await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-simulation]')?.dataset.state === 'ready');
      };
      await setParam('servers', 9);
      await setParam('ratePerS', 4_000);
      const nodes = await page.locator('[data-node-table] tbody tr').count();
      await page.selectOption('[data-speed]', '1000');
      await page.evaluate(() => {
        const bench = (window as unknown as { __bench: { counting: boolean; from: number } }).__bench;
        bench.counting = true;
        bench.from = performance.now();
      });
      const startMessages = Number((await sim.getAttribute('data-messages')) ?? 0);
      await page.getByRole('button', { name: 'Play the simulation' }).click();
      await page.waitForTimeout(MEASURE_MS);
      const endMessages = Number((await sim.getAttribute('data-messages')) ?? 0);
      const result = await page.evaluate(() => {
        const b = (window as unknown as { __bench: { longTasks: number[]; frames: number; counting: boolean } }).__bench;
        b.counting = false;
        return { frames: b.frames, longTasks: b.longTasks };
      });
      const fps = result.frames / (MEASURE_MS / 1000);
      const max = result.longTasks.length > 0 ? Math.max(...result.longTasks) : 0;
      report({ name: 'visual.fps', value: fps, unit: 'frames/s', note: `${nodes} nodes streaming, 1,000 virtual ms per second` });
      report({ name: 'visual.long_tasks', value: result.longTasks.length, unit: 'tasks', note: 'main-thread tasks over 50 ms while playing' });
      report({ name: 'visual.long_task_max_ms', value: max, unit: 'ms', note: 'target: no long task over 50 ms' });
      report({ name: 'visual.messages_per_s', value: (endMessages - startMessages) / (MEASURE_MS / 1000), unit: 'messages/s', note: 'messages received and indexed by the page' });
      await page.close();
    } finally {
      await browser.close();
      await new Promise((done) => server.close(done));
    }
  },
};
