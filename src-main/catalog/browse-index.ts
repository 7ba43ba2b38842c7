import type Database from 'better-sqlite3';
import type { ClipFilter, ClipStats, SortKey } from '../../src-shared/contract/catalog.js';

/**
 * The clip browser's filters and sorts, answered from columns held in memory: a filtered, sorted
 * page of a 100,000-clip catalog is one pass over typed arrays in a presorted order (about a
 * millisecond), where SQL needs a count and a sort over an index that rarely covers both.
 * SQLite stays the truth: the index is rebuilt when another connection commits (PRAGMA
 * data_version) or this one adds or moves clips, and relabelled clips are re-read by id, so a
 * rolled-back transaction cannot leave it wrong.
 */
export class BrowseIndex {
  private columns: Columns | null = null;
  private dataVersion = -1;
  private readonly relabelled = new Set<number>();
  private readonly dataVersionStatement: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.dataVersionStatement = db.prepare('PRAGMA data_version').pluck();
  }

  /** Clips were added, moved or changed in ways other than their label. */
  invalidate(): void {
    this.columns = null;
  }

  /** A clip's label may have changed (the transaction may still roll back). */
  labelChanged(clipId: number): void {
    this.relabelled.add(clipId);
  }

  /** Ids of one page, in order, and the number of clips that match. */
  query(filter: ClipFilter, sort: SortKey, descending: boolean, offset: number, limit: number): { total: number; ids: number[] } {
    const columns = this.current();
    const matches = compileFilter(columns, filter);
    const order = columns.order(sort);
    const ids: number[] = [];
    let total = 0;
    const n = order.length;
    for (let k = 0; k < n; k++) {
      const p = order[descending ? n - 1 - k : k];
      if (!matches(p)) continue;
      if (total >= offset && ids.length < limit) ids.push(columns.ids[p]);
      total += 1;
    }
    return { total, ids };
  }

  /** Counts per label and the actors present, under a filter. */
  stats(filter: ClipFilter): ClipStats {
    const columns = this.current();
    const matches = compileFilter(columns, filter);
    const perCode = new Int32Array(columns.labelNames.length);
    const actors = new Set<number>();
    let total = 0;
    for (let p = 0; p < columns.ids.length; p++) {
      if (!matches(p)) continue;
      perCode[columns.labelCodes[p]] += 1;
      if (columns.actors[p] >= 0) actors.add(columns.actors[p]);
      total += 1;
    }
    const byLabel: Record<string, number> = {};
    const labels = columns.labelNames.filter((_, code) => perCode[code] > 0).sort(compareText);
    for (const label of labels) byLabel[label] = perCode[columns.labelCode(label, false)];
    return { total, byLabel, actors: [...actors].sort((a, b) => a - b), labels };
  }

  private current(): Columns {
    const version = this.dataVersionStatement.get() as number;
    if (this.columns === null || version !== this.dataVersion) {
      this.columns = Columns.load(this.db);
      this.dataVersion = version;
      this.relabelled.clear();
    } else if (this.relabelled.size > 0) {
      this.columns.refreshLabels(this.db, [...this.relabelled]);
      this.relabelled.clear();
    }
    return this.columns;
  }
}

const GENDER = { male: 1, female: 2 } as const;
const CHANNEL = { speech: 1, song: 2 } as const;
const INTENSITY = { normal: 1, strong: 2 } as const;

interface Row {
  id: number;
  dataset_id: number;
  path: string;
  rel_path: string;
  duration_sec: number;
  actor: number | null;
  gender: keyof typeof GENDER | null;
  vocal_channel: keyof typeof CHANNEL | null;
  intensity: keyof typeof INTENSITY | null;
  label: string;
}

/** One array per column, indexed by position; positions are in id order. */
class Columns {
  readonly ids: Int32Array;
  readonly datasets: Int32Array;
  /** -1 for no actor. */
  readonly actors: Int32Array;
  /** 0 for unknown, else the codes above. */
  readonly genders: Uint8Array;
  readonly channels: Uint8Array;
  readonly intensities: Uint8Array;
  readonly durations: Float64Array;
  readonly paths: string[];
  /** Every relative path, ASCII-lowercased, each followed by a newline: one string to search. */
  private readonly allPaths: string;
  /** Where each position's path starts in allPaths (plus one end entry). */
  private readonly pathStarts: Int32Array;
  private lastText: { text: string; mask: Uint8Array } | null = null;
  /** Each clip's label as an index into labelNames. */
  readonly labelCodes: Uint16Array;
  readonly labelNames: string[] = [];
  private readonly codes = new Map<string, number>();
  private readonly positionOf = new Map<number, number>();
  private readonly orders = new Map<SortKey, Int32Array>();

  private constructor(rows: Row[]) {
    const n = rows.length;
    this.ids = new Int32Array(n);
    this.datasets = new Int32Array(n);
    this.actors = new Int32Array(n);
    this.genders = new Uint8Array(n);
    this.channels = new Uint8Array(n);
    this.intensities = new Uint8Array(n);
    this.durations = new Float64Array(n);
    this.paths = new Array<string>(n);
    this.pathStarts = new Int32Array(n + 1);
    this.labelCodes = new Uint16Array(n);
    rows.forEach((row, i) => {
      this.ids[i] = row.id;
      this.datasets[i] = row.dataset_id;
      this.actors[i] = row.actor ?? -1;
      this.genders[i] = row.gender === null ? 0 : GENDER[row.gender];
      this.channels[i] = row.vocal_channel === null ? 0 : CHANNEL[row.vocal_channel];
      this.intensities[i] = row.intensity === null ? 0 : INTENSITY[row.intensity];
      this.durations[i] = row.duration_sec;
      this.paths[i] = row.path;
      this.labelCodes[i] = this.labelCode(row.label, true);
      this.positionOf.set(row.id, i);
    });
    // Paths never contain a newline in practice; one that does only affects its own matches.
    const lowered = rows.map((row) => asciiLower(row.rel_path));
    let at = 0;
    lowered.forEach((path, i) => {
      this.pathStarts[i] = at;
      at += path.length + 1;
    });
    this.pathStarts[n] = at;
    this.allPaths = lowered.join('\n') + '\n';
  }

  static load(db: Database.Database): Columns {
    const rows = db
      .prepare('SELECT id, dataset_id, path, rel_path, duration_sec, actor, gender, vocal_channel, intensity, label FROM clips ORDER BY id')
      .all() as Row[];
    return new Columns(rows);
  }

  refreshLabels(db: Database.Database, clipIds: number[]): void {
    const rows = db.prepare('SELECT id, label FROM clips WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(clipIds)) as {
      id: number;
      label: string;
    }[];
    for (const row of rows) {
      const position = this.positionOf.get(row.id);
      const code = this.labelCode(row.label, true);
      if (position !== undefined && this.labelCodes[position] !== code) {
        this.labelCodes[position] = code;
        this.reposition('label', position);
      }
    }
  }

  /** Moves one position to its new place in a cached sort order: O(n) copies, no re-sort. */
  private reposition(sort: SortKey, position: number): void {
    const order = this.orders.get(sort);
    if (order === undefined) return;
    const from = order.indexOf(position);
    order.copyWithin(from, from + 1);
    const compare = sort === 'id' ? (a: number, b: number) => a - b : this.comparator(sort);
    const before = (a: number, b: number) => (compare(a, b) || a - b) < 0;
    let low = 0;
    let high = order.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (before(order[mid], position)) low = mid + 1;
      else high = mid;
    }
    order.copyWithin(low + 1, low, order.length - 1);
    order[low] = position;
  }

  /** Positions whose relative path contains `text` (already lowercased): indexOf over one string. */
  textMask(text: string): Uint8Array {
    if (this.lastText?.text === text) return this.lastText.mask;
    const mask = new Uint8Array(this.ids.length);
    let position = 0;
    for (let at = this.allPaths.indexOf(text); at !== -1; at = this.allPaths.indexOf(text, at + 1)) {
      while (this.pathStarts[position + 1] <= at) position += 1;
      // A match across the separator is not inside one path.
      if (at + text.length < this.pathStarts[position + 1]) mask[position] = 1;
    }
    this.lastText = { text, mask };
    return mask;
  }

  /** The code of a label; -1 for an unknown one unless `add`. */
  labelCode(label: string, add: boolean): number {
    let code = this.codes.get(label);
    if (code === undefined) {
      if (!add) return -1;
      code = this.labelNames.length;
      this.labelNames.push(label);
      this.codes.set(label, code);
    }
    return code;
  }

  /** Positions sorted as SQLite sorts `column ASC, id ASC` (NULL first); DESC is its exact reverse. */
  order(sort: SortKey): Int32Array {
    let order = this.orders.get(sort);
    if (order === undefined) {
      order = Int32Array.from({ length: this.ids.length }, (_, i) => i);
      if (sort !== 'id') {
        const compare = this.comparator(sort);
        order.sort((a, b) => compare(a, b) || a - b);
      }
      this.orders.set(sort, order);
    }
    return order;
  }

  private comparator(sort: Exclude<SortKey, 'id'>): (a: number, b: number) => number {
    switch (sort) {
      case 'path':
        return (a, b) => compareText(this.paths[a], this.paths[b]);
      case 'label':
        return (a, b) => compareText(this.labelNames[this.labelCodes[a]], this.labelNames[this.labelCodes[b]]);
      case 'actor':
        return (a, b) => this.actors[a] - this.actors[b];
      case 'duration':
        return (a, b) => this.durations[a] - this.durations[b];
      case 'intensity':
        return (a, b) => this.intensities[a] - this.intensities[b];
    }
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** LIKE's case folding: ASCII letters only. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The filter as one test over the columns' codes (lookup tables, no hashing in the scan). */
function compileFilter(columns: Columns, filter: ClipFilter): (p: number) => boolean {
  let labels: Uint8Array | null = null;
  if (filter.labels !== undefined && filter.labels.length > 0) {
    labels = new Uint8Array(columns.labelNames.length + 1);
    for (const label of filter.labels) {
      const code = columns.labelCode(label, false);
      if (code >= 0) labels[code] = 1;
    }
  }
  let actors: Uint8Array | null = null;
  if (filter.actors !== undefined && filter.actors.length > 0) {
    actors = new Uint8Array(Math.max(...filter.actors) + 1);
    for (const actor of filter.actors) if (actor >= 0) actors[actor] = 1;
  }
  const dataset = filter.datasetId ?? -1;
  const gender = filter.gender === undefined ? 0 : GENDER[filter.gender];
  const channel = filter.vocalChannel === undefined ? 0 : CHANNEL[filter.vocalChannel];
  const intensity = filter.intensity === undefined ? 0 : INTENSITY[filter.intensity];
  const text = filter.text === undefined || filter.text === '' ? null : columns.textMask(asciiLower(filter.text));
  const { datasets, labelCodes, genders, channels, intensities } = columns;
  const actorColumn = columns.actors;
  return (p) =>
    (dataset < 0 || datasets[p] === dataset) &&
    (labels === null || labels[labelCodes[p]] === 1) &&
    (actors === null || (actorColumn[p] >= 0 && actorColumn[p] < actors.length && actors[actorColumn[p]] === 1)) &&
    (gender === 0 || genders[p] === gender) &&
    (channel === 0 || channels[p] === channel) &&
    (intensity === 0 || intensities[p] === intensity) &&
    (text === null || text[p] === 1);
}
