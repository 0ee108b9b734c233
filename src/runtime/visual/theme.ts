/**
 * Colours for canvas and SVG drawing, read from the site's CSS variables so the views
 * follow the light and dark themes, and a hook to redraw when the theme changes (the
 * toggle's `faultlines:theme` event, or the system preference when no choice is saved).
 */

export interface Palette {
  readonly bg: string;
  readonly bgSoft: string;
  readonly fg: string;
  readonly muted: string;
  readonly border: string;
  readonly accent: string;
  readonly ok: string;
  readonly warn: string;
  readonly bad: string;
  readonly font: string;
  readonly mono: string;
}

export function readPalette(element: Element = document.documentElement): Palette {
  const style = getComputedStyle(element);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    bg: v('--bg', '#ffffff'),
    bgSoft: v('--bg-soft', '#f4f5f7'),
    fg: v('--fg', '#1c1e21'),
    muted: v('--fg-muted', '#4a5058'),
    border: v('--border', '#d0d4da'),
    accent: v('--accent', '#0b57d0'),
    ok: v('--ok', '#146c2e'),
    warn: v('--warn', '#8a4b00'),
    bad: v('--bad', '#b3261e'),
    font: v('--font-sans', 'system-ui, sans-serif'),
    mono: v('--font-mono', 'monospace'),
  };
}

/** Calls `onChange` after the theme changes; returns a function that stops listening. */
export function onThemeChange(onChange: () => void): () => void {
  // The toggle changes the attribute before dispatching; a frame later the styles are settled.
  const handler = () => requestAnimationFrame(() => onChange());
  const media = matchMedia('(prefers-color-scheme: dark)');
  document.addEventListener('faultlines:theme', handler);
  media.addEventListener('change', handler);
  return () => {
    document.removeEventListener('faultlines:theme', handler);
    media.removeEventListener('change', handler);
  };
}

/** A canvas sized for the device's pixel ratio, so lines stay sharp on a phone. */
export function sizeCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = Math.min(globalThis.devicePixelRatio || 1, 3);
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return ctx;
}
