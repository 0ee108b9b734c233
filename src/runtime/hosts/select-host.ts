/**
 * Chooses where tests run. The WebContainer is preferred once it has booted; until then,
 * and whenever the page is not cross-origin isolated or the browser lacks what
 * WebContainers need, the Worker host runs the tests at once. A learner never waits for a
 * boot: the choice is made per run, a WebContainer that boots late is used from the next
 * run on, and the learner is always told, in plain words, where their tests ran (with the
 * technical reason behind a disclosure).
 */
import type { GradeEvent, GradeResult } from '../../grader/types.ts';
import type { GradingHost, HostChoice, HostNote, Submission } from './host.ts';
import { WorkerHost } from './worker-host.ts';

export type BootState =
  | { readonly state: 'booting' }
  | { readonly state: 'ready'; readonly host: GradingHost }
  | { readonly state: 'unavailable'; readonly reason: string };

/** Why WebContainers cannot run on this page at all, or undefined when they might. */
export function webcontainerBlocker(env: {
  crossOriginIsolated: boolean;
  hasSharedArrayBuffer: boolean;
  hasWebAssembly: boolean;
}): string | undefined {
  if (!env.crossOriginIsolated) return 'this page is not cross-origin isolated';
  if (!env.hasSharedArrayBuffer) return 'this browser does not offer SharedArrayBuffer';
  if (!env.hasWebAssembly) return 'this browser does not offer WebAssembly';
  return undefined;
}

/** Races a promise against a deadline; `undefined` means the deadline came first. */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * A host that runs each submission on the WebContainer when it is ready and on the worker
 * otherwise, and says which. `boot` is started once, in the background.
 */
export class AdaptiveHost {
  readonly worker: GradingHost;
  #boot: BootState = { state: 'booting' };
  #lastNote: HostNote = { summary: '', details: '' };

  /**
   * @param boot starts the WebContainer; called at once unless `blocker` says it cannot run.
   * @param blocker why WebContainers cannot run here, if they cannot.
   * @param worker the fallback host; the page passes a WorkerHost, tests a stand-in.
   */
  constructor(boot: () => Promise<GradingHost>, blocker: string | undefined, worker: GradingHost) {
    this.worker = worker;
    if (blocker) {
      this.#boot = { state: 'unavailable', reason: blocker };
    } else {
      boot().then(
        (host) => void (this.#boot = { state: 'ready', host }),
        (error: unknown) => void (this.#boot = { state: 'unavailable', reason: `it failed to start (${(error as Error).message ?? error})` }),
      );
    }
  }

  get bootState(): BootState {
    return this.#boot;
  }

  /** What the learner is told about where the last run's tests ran. */
  get note(): HostNote {
    return this.#lastNote;
  }

  /** The note as one sentence, summary and details together. */
  get explanation(): string {
    return `${this.#lastNote.summary} ${this.#lastNote.details}`.trim();
  }

  /** Grades on the WebContainer if it has booted, and at once on the worker otherwise. */
  async grade(submission: Submission, onEvent: (event: GradeEvent) => void, signal?: AbortSignal): Promise<GradeResult> {
    const boot = this.#boot;
    if (boot.state === 'ready') {
      try {
        const result = await boot.host.grade(submission, onEvent, signal);
        this.#lastNote = {
          summary: 'Your tests ran in Node.js, inside this browser tab.',
          details: 'The page runs a WebContainer (StackBlitz’s Node.js runtime for the browser) and ran the grader in it as a Node process.',
        };
        return result;
      } catch (error) {
        this.#lastNote = {
          summary: 'Your tests ran in this browser tab.',
          details: `The in-browser Node.js runtime (WebContainer) failed during the run (${(error as Error).message}), so the same grader ran in a Web Worker instead; the verdicts are the same.`,
        };
        return this.worker.grade(submission, onEvent, signal);
      }
    }
    this.#lastNote =
      boot.state === 'booting'
        ? {
            summary: 'Your tests ran in this browser tab.',
            details:
              'The in-browser Node.js runtime (WebContainer) is still starting — it needs a connection to StackBlitz’s servers — so the same grader ran in a Web Worker instead of waiting; the verdicts are the same. Once the runtime has started, your next run uses it.',
          }
        : {
            summary: 'Your tests ran in this browser tab.',
            details: `The in-browser Node.js runtime (WebContainer) cannot run here: ${boot.reason}. The same grader ran in a Web Worker; the verdicts are the same.`,
          };
    return this.worker.grade(submission, onEvent, signal);
  }
}

/** Boots the page's WebContainer and wraps it as a host. */
async function bootWebContainer(): Promise<GradingHost> {
  const [{ WebContainer }, { WebContainerHost }] = await Promise.all([
    import('@webcontainer/api'),
    import('./webcontainer-host.ts'),
  ]);
  const container = await WebContainer.boot({ coep: 'require-corp', workdirName: 'faultlines' });
  let bundle: Promise<string> | undefined;
  const graderBundle = () =>
    (bundle ??= fetch('/grader/webcontainer-grader.mjs').then((r) => {
      if (!r.ok) throw new Error(`the grader bundle answered ${r.status}`);
      return r.text();
    }));
  return new WebContainerHost(container, graderBundle, (text, exerciseId) =>
    document.dispatchEvent(new CustomEvent('faultlines:terminal', { detail: { exerciseId, text } })),
  );
}

/**
 * The page's host, adapting between WebContainer and worker as described above. Adding
 * `?grader=worker` to the address skips the WebContainer altogether (for a learner on a
 * slow connection, and for measuring the worker host alone).
 */
export function chooseHost(): HostChoice {
  const forced = new URLSearchParams(globalThis.location?.search ?? '').get('grader') === 'worker';
  const worker = new WorkerHost();
  worker.warm();
  const adaptive = new AdaptiveHost(
    bootWebContainer,
    forced
      ? 'the address asks for the worker (?grader=worker)'
      : webcontainerBlocker({
          crossOriginIsolated: globalThis.crossOriginIsolated === true,
          hasSharedArrayBuffer: typeof SharedArrayBuffer === 'function',
          hasWebAssembly: typeof WebAssembly === 'object',
        }),
    worker,
  );
  const host: GradingHost = {
    get name() {
      return adaptive.bootState.state === 'ready' ? 'webcontainer' : 'worker';
    },
    grade: (submission, onEvent, signal) => adaptive.grade(submission, onEvent, signal),
    // Only the worker prepares files ahead; the WebContainer mounts them per run.
    preload: (files) => worker.preload(files),
    trace: (submission, testId) => worker.trace(submission, testId),
  };
  return {
    host,
    get explanation() {
      return adaptive.explanation;
    },
    get note() {
      return adaptive.note;
    },
  };
}
