/**
 * The linearizability counterexample view: operations as bars per client over time (uPlot
 * gives the axes; the bars are drawn in its draw hook), those that cannot be ordered
 * highlighted, the checker's explanation as text, and a table of the operations as the
 * text alternative.
 */
import uPlot from 'uplot';
import type { Counterexample } from '../../sim/index.ts';
import { axis } from './charts.ts';
import { ROLE_TEXT, counterexampleModel, roleCounts, type CxBar, type CxModel } from './counterexample-data.ts';
import { formatTicks } from './scales.ts';
import { onThemeChange, readPalette, type Palette } from './theme.ts';
import './counterexample.css';

const LANE_PX = 40;

/** A time for the table: whole positions as they are, simulated times to a hundredth. */
const time = (x: number): string => (Number.isInteger(x) ? String(x) : x.toLocaleString('en-US', { maximumFractionDigits: 2 }));

function colour(p: Palette, bar: CxBar): string {
  return bar.role === 'unplaceable' ? p.bad : bar.role === 'pending' ? p.warn : p.accent;
}

/**
 * Renders a counterexample into `host` and keeps it in the current theme. Returns a
 * function that removes it.
 */
export function renderCounterexample(
  host: HTMLElement,
  cx: Counterexample<unknown, unknown, unknown>,
  options: { timeUnit?: string; describeState?: (state: unknown) => string } = {},
): () => void {
  const model = counterexampleModel(cx, options.describeState);
  const unit = options.timeUnit ?? 'ms';
  const counts = roleCounts(model);
  const intro = document.createElement('p');
  intro.className = 'cx-explanation';
  intro.textContent = model.explanation;
  const summary = document.createElement('p');
  summary.className = 'cx-summary';
  summary.textContent =
    `In ${model.part}: ${counts.linearized} operation${counts.linearized === 1 ? '' : 's'} fit a valid order, ` +
    `${counts.unplaceable} cannot be placed in any order that respects real time` +
    (counts.pending > 0 ? `, and ${counts.pending} ${counts.pending === 1 ? 'was' : 'were'} still open` : '') +
    `. After the valid prefix the state is ${model.stateAfterPrefix}.`;
  const plotHost = document.createElement('div');
  plotHost.className = 'cx-plot';
  plotHost.setAttribute('role', 'img');
  plotHost.setAttribute('aria-label', `Operations of ${model.part} per client over time; the table below lists them.`);
  const legend = document.createElement('ul');
  legend.className = 'cx-legend';
  const table = document.createElement('table');
  table.className = 'cx-table';
  // On a narrow screen the table scrolls sideways: it takes focus so that keys can scroll it.
  table.tabIndex = 0;
  table.innerHTML = '<caption>Operations in the counterexample</caption><thead><tr><th scope="col">Client</th><th scope="col">Operation</th><th scope="col">Invoked</th><th scope="col">Returned</th><th scope="col">Role</th></tr></thead>';
  const body = document.createElement('tbody');
  for (const b of [...model.bars].sort((x, y) => x.startMs - y.startMs)) {
    const tr = document.createElement('tr');
    tr.dataset.role = b.role;
    const cells = [
      String(b.client),
      b.description,
      `${time(b.startMs)} ${unit}`,
      b.open ? 'never (outcome unknown)' : `${time(b.endMs)} ${unit}`,
      b.role === 'linearized' ? `#${b.order} in the valid order` : b.role === 'unplaceable' ? 'cannot be ordered' : 'open, not placed',
    ];
    cells.forEach((text, i) => {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) cell.setAttribute('scope', 'row');
      cell.textContent = text;
      tr.append(cell);
    });
    body.append(tr);
  }
  table.append(body);
  host.replaceChildren(intro, summary, plotHost, legend, table);

  let plot: uPlot | undefined;
  const build = () => {
    plot?.destroy();
    const p = readPalette(host);
    legend.replaceChildren(
      ...(['linearized', 'pending', 'unplaceable'] as const).map((role) => {
        const li = document.createElement('li');
        const swatch = document.createElement('span');
        swatch.className = 'cx-swatch';
        swatch.style.background = role === 'unplaceable' ? p.bad : role === 'pending' ? p.warn : p.accent;
        li.append(swatch, ` ${role}: ${ROLE_TEXT[role]}`);
        return li;
      }),
    );
    const n = model.clients.length;
    plot = new uPlot(
      {
        width: Math.max(260, Math.floor(host.clientWidth || 320)),
        height: n * LANE_PX + 60,
        scales: { x: { time: false, auto: false, range: [model.startMs - 0.5, model.endMs] }, y: { auto: false, range: [-0.6, n - 0.4] } },
        series: [{}, { stroke: 'transparent', points: { show: false } }],
        axes: [
          axis(p, { values: (_u, s) => formatTicks(s).map((t) => t.replace(' ms', ` ${unit}`)) , label: unit === 'ms' ? 'virtual time' : `time (${unit})`, labelSize: 20 }),
          axis(p, { splits: () => model.clients.map((_, i) => i), values: (_u, s) => s.map((v) => `client ${model.clients[n - 1 - v] ?? ''}`), size: 80, grid: { show: false } }),
        ],
        legend: { show: false },
        cursor: { show: false },
        hooks: { draw: [(u) => drawBars(u, model, p)] },
      },
      [[model.startMs, model.endMs], [null, null]],
      plotHost,
    );
  };
  build();
  const stop = onThemeChange(build);
  const resize = new ResizeObserver(() => plot?.setSize({ width: Math.max(260, Math.floor(host.clientWidth || 320)), height: model.clients.length * LANE_PX + 60 }));
  resize.observe(host);
  return () => {
    stop();
    resize.disconnect();
    plot?.destroy();
    host.replaceChildren();
  };
}

function drawBars(u: uPlot, model: CxModel, p: Palette): void {
  const ctx = u.ctx;
  const ratio = globalThis.devicePixelRatio || 1;
  const n = model.clients.length;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.textBaseline = 'bottom';
  // uPlot leaves its axis text alignment on the context; labels start at their bar.
  ctx.textAlign = 'left';
  ctx.font = `${11 * ratio}px ${p.mono}`;
  for (const bar of model.bars) {
    const x0 = u.valToPos(bar.startMs, 'x', true);
    const x1 = Math.max(u.valToPos(bar.endMs, 'x', true), x0 + 4 * ratio);
    const y = u.valToPos(n - 1 - bar.lane, 'y', true);
    const h = (bar.role === 'linearized' ? 8 : 12) * ratio;
    const c = colour(p, bar);
    ctx.fillStyle = c;
    ctx.globalAlpha = bar.role === 'linearized' ? 0.55 : 0.9;
    ctx.fillRect(x0, y - h / 2, x1 - x0, h);
    ctx.globalAlpha = 1;
    if (bar.role !== 'linearized') {
      ctx.strokeStyle = p.fg;
      ctx.lineWidth = (bar.role === 'unplaceable' ? 2 : 1) * ratio;
      ctx.setLineDash(bar.open ? [4 * ratio, 3 * ratio] : []);
      ctx.strokeRect(x0, y - h / 2, x1 - x0, h);
      ctx.setLineDash([]);
    }
    ctx.fillStyle = p.fg;
    const label = bar.order !== undefined ? `#${bar.order} ${bar.description}` : bar.description;
    ctx.fillText(label, x0, y - h / 2 - 2 * ratio, Math.max(40 * ratio, x1 - x0 + 60 * ratio));
  }
  ctx.restore();
}
