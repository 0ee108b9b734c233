/**
 * What the WebContainer host mounts and runs, kept apart from `@webcontainer/api` so that
 * it can be tested in Node: a test writes this same tree to a folder and runs this same
 * command with real Node, then reads the output with this same parser.
 */
import type { HostMessage, PortableGradeRequest } from '../../grader/types.ts';
import type { Submission } from './host.ts';
import { GRADER_FILE, MESSAGE_MARKER, REQUEST_FILE } from '../../grader/webcontainer-protocol.ts';

export { GRADE_COMMAND, GRADER_FILE, MESSAGE_MARKER, REQUEST_FILE } from '../../grader/webcontainer-protocol.ts';

/** A file tree in the shape `@webcontainer/api`'s `mount()` takes. */
export interface FileTree {
  [name: string]: { file: { contents: string } } | { directory: FileTree };
}

/** The tree for one submission: the grader bundle, the request, and the exercise's files for reference. */
export function webcontainerTree(submission: Submission, graderBundle: string): FileTree {
  const request: PortableGradeRequest = {
    files: submission.files,
    testFiles: submission.testFiles,
    ...(submission.learnerFiles ? { learnerFiles: submission.learnerFiles } : {}),
    ...(submission.hiddenFiles ? { hiddenFiles: submission.hiddenFiles } : {}),
    ...(submission.libraries ? { libraries: submission.libraries } : {}),
    testTimeoutMs: submission.testTimeoutMs,
    seed: submission.seed,
  };
  const tree: FileTree = {
    [GRADER_FILE]: { file: { contents: graderBundle } },
    [REQUEST_FILE]: { file: { contents: JSON.stringify(request) } },
    // The files themselves, so a learner who opens the terminal can look at them: the
    // exercise in exercise/, and the earlier exercises it builds on (../sharding-ring/…) beside it.
    exercise: { directory: {} },
  };
  for (const [path, text] of Object.entries(submission.files)) {
    const parts = ['exercise'];
    for (const part of path.split('/')) {
      if (part === '..') parts.pop();
      else if (part !== '.' && part !== '') parts.push(part);
    }
    // A path that climbs above the tree, or onto the grader's own files, is not laid out.
    if (parts.length < 2 || parts[0] === GRADER_FILE || parts[0] === REQUEST_FILE) continue;
    put(tree, parts, text);
  }
  return tree;
}

function put(tree: FileTree, parts: readonly string[], text: string): void {
  let dir = tree;
  for (const part of parts.slice(0, -1)) {
    const existing = dir[part];
    if (existing && 'directory' in existing) dir = existing.directory;
    else {
      const created: FileTree = {};
      dir[part] = { directory: created };
      dir = created;
    }
  }
  dir[parts.at(-1)!] = { file: { contents: text } };
}

/**
 * Splits the grader's output into messages and terminal text. Feed it chunks as they
 * arrive; a message split across chunks is reassembled.
 */
export class OutputParser {
  #pending = '';
  readonly #onMessage: (message: HostMessage) => void;
  readonly #onText: (text: string) => void;

  constructor(onMessage: (message: HostMessage) => void, onText: (text: string) => void) {
    this.#onMessage = onMessage;
    this.#onText = onText;
  }

  push(chunk: string): void {
    this.#pending += chunk;
    let newline: number;
    while ((newline = this.#pending.indexOf('\n')) >= 0) {
      const line = this.#pending.slice(0, newline).replace(/\r$/, '');
      this.#pending = this.#pending.slice(newline + 1);
      this.#line(line);
    }
  }

  end(): void {
    if (this.#pending) this.#line(this.#pending);
    this.#pending = '';
  }

  #line(line: string): void {
    const at = line.indexOf(MESSAGE_MARKER);
    if (at >= 0) {
      try {
        this.#onMessage(JSON.parse(line.slice(at + MESSAGE_MARKER.length)) as HostMessage);
        return;
      } catch {
        // Not one of ours after all: show it.
      }
    }
    this.#onText(line + '\n');
  }
}
