/**
 * The terminal panel: what the grader's Node process prints inside the WebContainer, shown
 * in xterm.js as a real terminal would. Loaded only when the WebContainer host first
 * prints something; the Worker host has no process and no terminal.
 */
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

/** Most lines kept for scrolling back; a flood of output must not grow without end. */
const SCROLLBACK_LINES = 2_000;

export function createTerminal(host: HTMLElement, theme: 'light' | 'dark'): { write(text: string): void; setTheme(theme: 'light' | 'dark'): void } {
  const colours = (t: 'light' | 'dark') =>
    t === 'dark' ? { background: '#0d1117', foreground: '#e6e8eb', cursor: '#e6e8eb' } : { background: '#f6f8fa', foreground: '#1c1e21', cursor: '#1c1e21' };
  const terminal = new Terminal({
    convertEol: true,
    disableStdin: true,
    scrollback: SCROLLBACK_LINES,
    rows: 14,
    fontSize: 13,
    screenReaderMode: true,
    theme: colours(theme),
  });
  terminal.open(host);
  return {
    write: (text) => terminal.write(text),
    setTheme: (t) => {
      terminal.options.theme = colours(t);
    },
  };
}
