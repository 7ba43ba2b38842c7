import type { Client, Clip, RunPrediction, Transport } from '../../../src-shared/contract/index.js';

/** Clips listed for one confusion cell, and for the likely-mislabeled ranking. */
const CELL_LIMIT = 1000;
const RANKING_LIMIT = 300;

export type ErrorListMode = 'cell' | 'ranking';

/**
 * The Errors view: a finished run, the clips of one test confusion cell (surest first) or every
 * clip of the run ranked by its loss (the likeliest mislabels first), and the clip under review,
 * kept current as it is relabelled here or anywhere else.
 */
export class ErrorAnalysis {
  runId = $state<number | null>(null);
  mode = $state<ErrorListMode>('cell');
  /** The confusion cell listed, by label. */
  cell = $state.raw<{ truth: string; predicted: string } | null>(null);
  items = $state.raw<RunPrediction[]>([]);
  loading = $state(false);
  /** Why the list could not be loaded, in plain words. */
  error = $state<string | null>(null);
  index = $state(-1);
  /** The selected clip as the catalog has it now (its label may have changed since the run). */
  clip = $state.raw<Clip | null>(null);

  readonly selected: RunPrediction | null = $derived(this.items[this.index] ?? null);

  /** Bumped by every list request, so a slow reply for an older request is dropped. */
  private request = 0;

  constructor(
    private readonly client: Client,
    private readonly transport: Transport,
  ) {}

  /** Follows relabels (here, in the clip browser, undo anywhere) of the listed clips. */
  listen(): () => void {
    return this.transport.on('catalog.changed', (change) => {
      if (change.reason === 'import') return;
      const changed = new Set(change.clipIds);
      if (!this.items.some((item) => changed.has(item.clipId))) return;
      void this.refreshLabels([...changed]);
    });
  }

  async selectRun(runId: number): Promise<void> {
    if (this.runId === runId) return;
    this.runId = runId;
    this.cell = null;
    this.items = [];
    this.index = -1;
    this.clip = null;
    this.error = null;
    if (this.mode === 'ranking') await this.showRanking();
  }

  async selectCell(truth: string, predicted: string): Promise<void> {
    if (this.runId === null) return;
    this.mode = 'cell';
    this.cell = { truth, predicted };
    await this.loadList({ runId: this.runId, split: 'test', label: truth, predicted, sort: 'confidence', limit: CELL_LIMIT });
  }

  /** Every clip of the run (train, validation and test) by loss, the likeliest mislabels first. */
  async showRanking(): Promise<void> {
    if (this.runId === null) return;
    this.mode = 'ranking';
    await this.loadList({ runId: this.runId, sort: 'loss', limit: RANKING_LIMIT });
  }

  async showCells(): Promise<void> {
    this.mode = 'cell';
    if (this.cell !== null) await this.selectCell(this.cell.truth, this.cell.predicted);
    else {
      this.items = [];
      this.index = -1;
      this.clip = null;
    }
  }

  select(index: number): void {
    if (this.items.length === 0) return;
    this.index = Math.max(0, Math.min(this.items.length - 1, index));
    void this.loadClip();
  }

  move(delta: number): void {
    this.select(this.index < 0 ? 0 : this.index + delta);
  }

  private async loadList(args: Parameters<Client['runs']['predictions']>[0]): Promise<void> {
    const request = ++this.request;
    this.loading = true;
    this.error = null;
    const result = await this.client.runs.predictions(args);
    if (request !== this.request) return;
    this.loading = false;
    if (!result.ok) {
      this.error = result.error.message;
      this.items = [];
      this.index = -1;
      this.clip = null;
      return;
    }
    this.items = result.value;
    this.index = -1;
    this.clip = null;
    if (this.items.length > 0) this.select(0);
  }

  private async loadClip(): Promise<void> {
    const selected = this.selected;
    if (selected === null) {
      this.clip = null;
      return;
    }
    const result = await this.client.catalog.getClip({ clipId: selected.clipId });
    if (this.selected?.clipId !== selected.clipId) return;
    if (result.ok) this.clip = result.value;
    else this.error = result.error.message;
  }

  /** Puts the catalog's current labels into the list and the open clip after a relabel. */
  private async refreshLabels(clipIds: number[]): Promise<void> {
    const listed = new Set(this.items.map((item) => item.clipId));
    const clips = await Promise.all(clipIds.filter((id) => listed.has(id)).map((clipId) => this.client.catalog.getClip({ clipId })));
    const current = new Map<number, Clip>();
    for (const result of clips) if (result.ok) current.set(result.value.id, result.value);
    if (current.size === 0) return;
    this.items = this.items.map((item) => {
      const clip = current.get(item.clipId);
      return clip === undefined ? item : { ...item, currentLabel: clip.label };
    });
    const open = this.clip === null ? undefined : current.get(this.clip.id);
    if (open !== undefined) this.clip = open;
  }
}
