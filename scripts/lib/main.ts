/**
 * Whether a module is the program node was started with (`node scripts/x.ts`), rather than
 * imported by another module or a test. Both paths are resolved through symbolic links, so a
 * script started through a link, or from a folder reached through one, still counts.
 *
 *   if (isMain(import.meta.url)) process.exitCode = await main();
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function isMain(moduleUrl: string, entry: string | undefined = process.argv[1]): boolean {
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    // The entry is not a file on disk (node -e, a REPL): no module is the entry point.
    return false;
  }
}
