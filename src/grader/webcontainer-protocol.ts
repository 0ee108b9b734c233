/** How the page and the grader process inside a WebContainer talk: files, command, output marker. */

/** Lines of the grader's stdout that carry a message start with this marker; the rest is terminal output. */
export const MESSAGE_MARKER = '\u001eFL ';

/** The grader bundle's file name inside the container. */
export const GRADER_FILE = 'grader.mjs';

/** The request file the grader reads. */
export const REQUEST_FILE = 'request.json';

/** The process the host spawns: `node grader.mjs request.json`. No `npm install` is ever run. */
export const GRADE_COMMAND = { command: 'node', args: [GRADER_FILE, REQUEST_FILE] } as const;
