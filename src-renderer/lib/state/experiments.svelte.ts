import type { Client, RunDetail, RunPrediction, RunStatus, RunSummary } from '../../../src-shared/contract/index.js';
import { clipDiff, type ClipDiff } from '../training/curves.js';
import { filterRuns, sortRuns, type RunSortKey } from '../training/run-table.js';
import type { RunsState } from './runs.svelte.js';

/** Test predictions fetched per run for the per-clip diff (the contract's upper bound). */
const PREDICTION_LIMIT = 5000;

/**
 * The Experiments view: the run table's sort, filter and selection, and what comparing the
 * selected runs needs (their full records, their test predictions for the per-clip diff).
 */
export class Experiments {
  sortKey = $state<RunSortKey>('id');
  descending = $state(true);
  filterText = $state('');
  statusFilter = $state<RunStatus | 'all'>('all');
  /** Selected run ids in the order they were ticked. */
  selected = $state.raw<number[]>([]);
  /** The two runs the per-clip diff compares; null: the first two selected. */
  pair = $state.raw<[number, number] | null>(null);
  /** Test-split predictions by run id. */
  predictions = $state.raw<ReadonlyMap<number, RunPrediction[]>>(new Map());
  predictionsError = $state<string | null>(null);

  readonly visible: RunSummary[] = $derived(sortRuns(filterRuns(this.allRuns(), { text: this.filterText, status: this.statusFilter }), this.sortKey, this.descending));
  /** Selected runs that still exist, in selection order. */
  readonly selectedRuns: RunSummary[] = $derived(this.selected.flatMap((id) => this.allRuns().filter((run) => run.id === id)));
  readonly compared: RunDetail[] = $derived(this.selectedRuns.flatMap((run) => this.detailOf(run.id) ?? []));
  readonly diffPair: [number, number] | null = $derived.by(() => {
    const ids = this.selectedRuns.map((run) => run.id);
    if (this.pair !== null && ids.includes(this.pair[0]) && ids.includes(this.pair[1]) && this.pair[0] !== this.pair[1]) return this.pair;
    return ids.length >= 2 ? [ids[0], ids[1]] : null;
  });
  readonly diff: ClipDiff | null = $derived.by(() => {
    if (this.diffPair === null) return null;
    const a = this.predictions.get(this.diffPair[0]);
    const b = this.predictions.get(this.diffPair[1]);
    return a === undefined || b === undefined ? null : clipDiff(a, b);
  });

  private readonly loadingDetails = new Set<number>();
  private readonly loadingPredictions = new Set<number>();

  constructor(
    private readonly client: Client,
    private readonly runs: RunsState,
  ) {}

  // Reached through methods: the derived fields above are initialised before the constructor runs.
  private allRuns(): RunSummary[] {
    return this.runs.runs;
  }

  private detailOf(runId: number): RunDetail | undefined {
    return this.runs.details.get(runId);
  }

  setSort(key: RunSortKey): void {
    if (this.sortKey === key) this.descending = !this.descending;
    else {
      this.sortKey = key;
      // Figures read best largest first; names and ids in their natural order.
      this.descending = !['name', 'status', 'preset', 'backend'].includes(key);
    }
  }

  toggle(runId: number): void {
    this.selected = this.selected.includes(runId) ? this.selected.filter((id) => id !== runId) : [...this.selected, runId];
  }

  clearSelection(): void {
    this.selected = [];
    this.pair = null;
  }

  setPair(which: 0 | 1, runId: number): void {
    const current = this.diffPair ?? [runId, runId];
    const next: [number, number] = which === 0 ? [runId, current[1]] : [current[0], runId];
    this.pair = next;
    void this.loadPredictions(runId);
  }

  /**
   * Fetches what comparing a run needs and is not here yet: its record, and its test predictions
   * once it has finished. Called for every selected run whenever the list changes.
   */
  ensure(run: RunSummary): void {
    if (!this.runs.details.has(run.id) && !this.loadingDetails.has(run.id)) {
      this.loadingDetails.add(run.id);
      void this.runs.load(run.id).finally(() => this.loadingDetails.delete(run.id));
    }
    if (run.status === 'finished' && !this.predictions.has(run.id)) void this.loadPredictions(run.id);
  }

  async loadPredictions(runId: number): Promise<void> {
    if (this.predictions.has(runId) || this.loadingPredictions.has(runId)) return;
    const summary = this.runs.summary(runId);
    if (summary === null || summary.status !== 'finished') return;
    this.loadingPredictions.add(runId);
    const result = await this.client.runs.predictions({ runId, split: 'test', sort: 'clip', limit: PREDICTION_LIMIT });
    this.loadingPredictions.delete(runId);
    if (!result.ok) {
      this.predictionsError = result.error.message;
      return;
    }
    this.predictionsError = null;
    this.predictions = new Map(this.predictions).set(runId, result.value);
  }
}
