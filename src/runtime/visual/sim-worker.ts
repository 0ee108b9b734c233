/**
 * The simulation worker: builds a scenario, runs it one metrics bucket at a time ahead of
 * what the page shows, and streams the trace and measurements back in batches. The
 * simulator is deterministic, so running ahead changes nothing about what is shown; the
 * page asks for more (`demand`) as its playhead moves, which bounds memory and work. What
 * a batch holds is decided by `RunFeed` (run-feed.ts); this file only paces and posts.
 */
import { getScenario } from '../../scenarios/index.ts';
import type { FromWorker, ToWorker } from './protocol.ts';
import { RunFeed } from './run-feed.ts';

/** Post a batch at least this often (real ms) while running, so the page sees progress. */
const POST_INTERVAL_MS = 40;
/** Or sooner, once this many messages and events are waiting: keeps each batch cheap to receive. */
const POST_SIZE = 4_000;
/** Yield to the worker's event loop this often (real ms), so a restart is heard promptly. */
const YIELD_INTERVAL_MS = 12;

interface Run {
  readonly runId: number;
  readonly feed: RunFeed;
  demandMs: number;
  looping: boolean;
  cancelled: boolean;
  /** Whether the final batch has been posted. */
  finished: boolean;
}

let current: Run | undefined;

const post = (message: FromWorker, transfer: Transferable[] = []): void => (self as unknown as Worker).postMessage(message, transfer);

self.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'start') {
    if (current) current.cancelled = true;
    current = undefined;
    try {
      const scenario = getScenario(message.scenarioId);
      const feed = new RunFeed(scenario, scenario.build(message.params, message.seed), message.seed);
      current = { runId: message.runId, feed, demandMs: 0, looping: false, cancelled: false, finished: false };
    } catch (error) {
      post({ type: 'error', runId: message.runId, message: (error as Error).message });
      return;
    }
    post({ type: 'ready', runId: current.runId, meta: current.feed.meta });
    return;
  }
  if (message.type === 'demand' && current && current.runId === message.runId) {
    current.demandMs = Math.max(current.demandMs, message.untilMs);
    if (!current.looping) void loop(current);
  }
});

async function loop(run: Run): Promise<void> {
  run.looping = true;
  const feed = run.feed;
  let lastPost = performance.now();
  let lastYield = lastPost;
  try {
    while (!run.cancelled) {
      if (feed.done || feed.simulatedMs >= run.demandMs) {
        // Post what is waiting; an idle run that was asked again has nothing to say.
        if (!run.finished && (feed.done || feed.waiting > 0)) flush(run);
        break;
      }
      await feed.step();
      const now = performance.now();
      if (now - lastPost > POST_INTERVAL_MS || feed.waiting > POST_SIZE) {
        flush(run);
        lastPost = now;
      }
      if (now - lastYield > YIELD_INTERVAL_MS) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
    }
  } catch (error) {
    if (!run.cancelled) post({ type: 'error', runId: run.runId, message: (error as Error).message });
  } finally {
    run.looping = false;
  }
}

function flush(run: Run): void {
  const { batch, transfer } = run.feed.take();
  post({ type: 'batch', runId: run.runId, ...batch }, transfer);
  // The batch that closes the run is posted once.
  if (batch.done) run.finished = true;
}
