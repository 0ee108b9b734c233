/**
 * A stand-in for `@webcontainer/api` that is honest about what it runs: `mount` writes the
 * file tree to a real folder, and `spawn` runs the real command there with this machine's
 * Node, streaming its output as the WebContainer's process would. Only the boot (which
 * needs StackBlitz's servers) is not exercised. One fake serves every test that needs it.
 */
import { spawn as spawnChild } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container } from '../../src/runtime/hosts/webcontainer-host.ts';
import type { FileTree } from '../../src/runtime/hosts/webcontainer-files.ts';

export function writeTree(dir: string, tree: FileTree): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, node] of Object.entries(tree)) {
    if ('file' in node) writeFileSync(join(dir, name), node.file.contents);
    else writeTree(join(dir, name), node.directory);
  }
}

export interface FakeContainer extends Container {
  /** The folder that stands for the container's file system. */
  readonly root: string;
  /** Every command spawned, for assertions. */
  readonly spawned: { command: string; args: string[] }[];
  dispose(): void;
}

export function createFakeContainer(): FakeContainer {
  const root = mkdtempSync(join(tmpdir(), 'faultlines-webcontainer-'));
  const spawned: { command: string; args: string[] }[] = [];
  const fake = {
    root,
    spawned,
    async mount(tree: FileTree) {
      writeTree(root, tree);
    },
    async spawn(command: string, args: string[] = []) {
      spawned.push({ command, args });
      const child = spawnChild(command === 'node' ? process.execPath : command, args, { cwd: root });
      const output = new ReadableStream<string>({
        start(controller) {
          let open = 2;
          const close = () => --open === 0 && controller.close();
          child.stdout.on('data', (d: Buffer) => controller.enqueue(d.toString()));
          child.stderr.on('data', (d: Buffer) => controller.enqueue(d.toString()));
          child.stdout.on('end', close);
          child.stderr.on('end', close);
        },
      });
      const exit = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 137 : 1))));
      return {
        output,
        exit,
        kill: () => void child.kill('SIGKILL'),
        input: new WritableStream<string>(),
        resize: () => undefined,
      };
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
  return fake as unknown as FakeContainer;
}
