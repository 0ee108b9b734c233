/**
 * The numbers behind the pictures: the run summary and the per-node table under a live
 * simulation, and the cluster view's text label. What each row says is worked out by pure
 * functions; `SimTables` writes them into the server-rendered tables in place.
 */
import { el } from '../dom.ts';
import type { ClusterView } from './cluster-view.ts';
import { snapshot, type Snapshot } from './metrics-data.ts';
import type { NodeSample, RunMeta } from './protocol.ts';
import { formatMs, formatPercent } from './scales.ts';
import type { RunStore } from './store.ts';

/** Whole numbers as "12,345"; one formatter, since toLocaleString builds one per call. */
const counts = new Intl.NumberFormat('en-US');
export const formatCount = (n: number): string => counts.format(n);

/** One row of the run summary: its heading, its value, and a key that stays the same while the value changes. */
export interface SummaryRow {
  readonly label: string;
  readonly value: string;
  readonly key: string;
}

/** The run summary's rows at virtual time `t`. */
export function summaryRows(s: Snapshot, t: number, traceTruncated: boolean): SummaryRow[] {
  const rows: SummaryRow[] = [
    { label: 'Virtual time', value: formatMs(t), key: 'time' },
    { label: 'Requests completed', value: formatCount(s.completed), key: 'completed' },
    { label: 'p50 latency so far', value: formatMs(s.p50Ms), key: 'p50' },
    { label: 'p99 latency so far', value: formatMs(s.p99Ms), key: 'p99' },
    { label: 'Throughput, last second', value: `${s.throughputPerS.toFixed(0)} ok/s`, key: 'throughput' },
    { label: 'Availability so far', value: formatPercent(s.availability), key: 'availability' },
    ...s.slo.map((o) => ({ label: `SLO: ${o.label} ${o.target}`, value: o.pass === undefined ? 'not measured yet' : o.pass ? 'met' : 'missed', key: `slo-${o.label}` })),
  ];
  if (traceTruncated) rows.push({ label: 'Note', value: 'the trace reached its capacity; later messages are not drawn', key: 'note' });
  return rows;
}

/** A node's row as text: Status, Queued, In service, Served, Rejected, and its note (empty without one). */
export function nodeRowText(sample: NodeSample | undefined, down: boolean): { readonly cells: readonly string[]; readonly note: string } {
  const num = (x: number | undefined) => (x === undefined ? '–' : formatCount(x));
  const status = down || sample?.up === false ? 'down' : sample?.paused ? 'paused' : 'up';
  return { cells: [status, num(sample?.queueDepth), num(sample?.inService), num(sample?.served), num(sample?.rejected)], note: sample?.note ?? '' };
}

/** What the cluster view says to a screen reader, since its picture says it to the eye. */
export function clusterLabel(meta: Pick<RunMeta, 'nodes' | 'groups' | 'notes'>, t: number, p99Ms: number): string {
  return `Cluster of ${meta.nodes.length} nodes in ${meta.groups.length} groups at ${formatMs(t)}: p99 latency so far ${formatMs(p99Ms)}. The tables below list each node's load${meta.notes ? ' and state' : ''}.`;
}

const setText = (cell: HTMLElement | undefined, text: string) => {
  if (cell && cell.textContent !== text) cell.textContent = text;
};

/**
 * The summary and per-node tables, updated in place: rows are built once per run (or when
 * the set of rows changes) and afterwards only cells whose text changed are written, since
 * they are redrawn many times a second while a run plays.
 */
export class SimTables {
  readonly #summaryBody: HTMLTableSectionElement;
  readonly #nodeBody: HTMLTableSectionElement;
  readonly #nodeHead: HTMLTableRowElement;
  readonly #summaryCells = new Map<string, HTMLTableCellElement>();
  #summaryKeys = '';
  #nodeCells: HTMLTableCellElement[][] = [];
  /** Each node's State cell (its note), when the scenario keeps notes. */
  #noteCells: HTMLTableCellElement[] = [];
  #nodeRowsFor: RunStore | undefined;

  constructor(parts: { readonly summaryBody: HTMLTableSectionElement; readonly nodeBody: HTMLTableSectionElement; readonly nodeHead: HTMLTableRowElement }) {
    this.#summaryBody = parts.summaryBody;
    this.#nodeBody = parts.nodeBody;
    this.#nodeHead = parts.nodeHead;
  }

  /** Shows the run in `store` at virtual time `t`, whose bucket is `upTo`, and labels `cluster` to match. */
  render(store: RunStore, cluster: ClusterView, upTo: number, t: number): void {
    const meta = store.meta;
    const s = snapshot(meta, store.buckets, upTo, t);
    this.#renderSummary(summaryRows(s, t, store.traceTruncated));
    if (this.#nodeRowsFor !== store) this.#buildNodeRows(store);
    const bucket = store.buckets[Math.max(0, upTo)];
    const down = store.nodesDownAt(t);
    meta.nodes.forEach((_, i) => {
      const row = nodeRowText(bucket?.nodes[i], down.has(i));
      const cells = this.#nodeCells[i]!;
      row.cells.forEach((text, c) => setText(cells[c], text));
      setText(this.#noteCells[i], row.note);
    });
    cluster.setLabel(clusterLabel(meta, t, s.p99Ms));
  }

  #renderSummary(rows: readonly SummaryRow[]): void {
    const keys = rows.map((r) => `${r.key}=${r.label}`).join('\n');
    if (keys !== this.#summaryKeys) {
      this.#summaryKeys = keys;
      this.#summaryCells.clear();
      this.#summaryBody.replaceChildren(
        ...rows.map(({ label, key }) => {
          const td = el('td', { className: 'num' });
          td.dataset.key = key;
          this.#summaryCells.set(key, td);
          return el('tr', {}, el('th', { scope: 'row', textContent: label }), td);
        }),
      );
    }
    for (const { value, key } of rows) setText(this.#summaryCells.get(key), value);
  }

  #buildNodeRows(store: RunStore): void {
    const meta = store.meta;
    this.#nodeRowsFor = store;
    this.#nodeCells = [];
    this.#noteCells = [];
    this.#setNoteColumn(meta.notes === true);
    this.#nodeBody.replaceChildren(
      ...meta.nodes.map((name) => {
        const cells = [el('td'), ...Array.from({ length: 4 }, () => el('td', { className: 'num' }))];
        this.#nodeCells.push(cells);
        const note = meta.notes ? [el('td', { className: 'note' })] : [];
        this.#noteCells.push(...note);
        return el('tr', {}, el('th', { scope: 'row', textContent: name }), cells[0]!, ...note, ...cells.slice(1));
      }),
    );
  }

  /**
   * The State column, after Status, holds each node's note; only a scenario that keeps
   * notes has one, and a run of another scenario in the same place drops it again.
   */
  #setNoteColumn(on: boolean): void {
    const present = this.#nodeHead.querySelector<HTMLElement>('[data-note-column]');
    if (on === (present !== null)) return;
    if (!on) {
      present!.remove();
      return;
    }
    const th = el('th', { scope: 'col', textContent: 'State' });
    th.dataset.noteColumn = '';
    this.#nodeHead.children[1]!.after(th);
  }
}
