import type { Client, RunDetail, RunEpoch, RunProgress, RunSummary, Transport } from '../../../src-shared/contract/index.js';
import type { TrainingConfigInput } from '../../../src-shared/model/training-config.js';
import { mergeEpoch } from '../training/curves.js';
import { isActive } from '../training/run-format.js';

/** A run's running-mean training loss as its batches go by; x is in epochs (2.5 = half-way through epoch 3). */
export interface BatchCurve {
  x: number[];
  loss: number[];
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** How long a burst of run.changed events is gathered before the list is fetched again. */
const LIST_RELOAD_MS = 120;

/**
 * Every run the catalog holds, kept current by events: the list (runs.list), the full records a
 * view asked for (runs.get, with epochs appended as `training.epoch` arrives), the latest progress
 * and a batch-level loss curve. A reopened window rebuilds all of it from runs.list/get, since the
 * main process stores progress and epochs as they happen.
 */
export class RunsState {
  runs = $state.raw<RunSummary[]>([]);
  /** False until the first list has arrived. */
  loaded = $state(false);
  /** Why the list could not be loaded, in plain words. */
  error = $state<string | null>(null);
  /** Full records of the runs views asked for; kept current while they are here. */
  details = $state.raw<ReadonlyMap<number, RunDetail>>(new Map());
  /** Progress from events, newer than the list's copy. */
  progress = $state.raw<ReadonlyMap<number, RunProgress>>(new Map());
  batchCurves = $state.raw<ReadonlyMap<number, BatchCurve>>(new Map());
  /** The run the Train view watches; null follows the active (else the newest) run. */
  watchedRunId = $state<number | null>(null);

  /** Epochs that arrived while a run's record was being fetched, applied once it lands. */
  private readonly pendingEpochs = new Map<number, RunEpoch[]>();
  private readonly loading = new Map<number, { again: boolean; done: Promise<RunDetail | null> }>();
  private listTimer: ReturnType<typeof setTimeout> | null = null;

  /** The first queued or running run (one trains at a time; the rest wait). */
  readonly activeRun: RunSummary | null = $derived([...this.runs].reverse().find((run) => isActive(run.status)) ?? null);
  readonly finishedRuns: RunSummary[] = $derived(this.runs.filter((run) => run.status === 'finished'));

  constructor(
    private readonly client: Client,
    private readonly transport: Transport,
  ) {}

  /** Subscribes to the run events; returns the unsubscribe for an $effect teardown. */
  listen(): () => void {
    const offs = [
      this.transport.on('training.progress', ({ runId, progress }) => this.onProgress(runId, progress)),
      this.transport.on('training.epoch', ({ runId, epoch }) => this.onEpoch(runId, epoch)),
      this.transport.on('run.changed', ({ runId, status }) => {
        if (status === null) this.forget(runId);
        else {
          if (!isActive(status)) this.dropProgress(runId);
          this.scheduleListReload();
          if (this.details.has(runId)) void this.load(runId);
        }
      }),
    ];
    return () => {
      for (const off of offs) off();
      if (this.listTimer !== null) clearTimeout(this.listTimer);
      this.listTimer = null;
    };
  }

  summary(runId: number | null): RunSummary | null {
    return runId === null ? null : (this.runs.find((run) => run.id === runId) ?? null);
  }

  /** The progress to show for a run: only while it is queued or running. */
  progressOf(run: RunSummary | null): RunProgress | null {
    if (run === null || !isActive(run.status)) return null;
    return this.progress.get(run.id) ?? run.progress;
  }

  /** First load, and after a reconnect: the list and every record a view holds. */
  async reload(): Promise<void> {
    await Promise.all([this.reloadList(), ...[...this.details.keys()].map((runId) => this.load(runId))]);
  }

  async reloadList(): Promise<void> {
    const result = await this.client.runs.list({});
    if (!result.ok) {
      this.error = result.error.message;
      return;
    }
    this.error = null;
    this.runs = result.value;
    this.loaded = true;
  }

  /**
   * Fetches a run's full record and keeps it current from then on; null when it is gone. One
   * request per run at a time: asking again while one is out fetches once more when it is back,
   * since the first may have left before the change that prompted the second.
   */
  load(runId: number): Promise<RunDetail | null> {
    const inFlight = this.loading.get(runId);
    if (inFlight !== undefined) {
      inFlight.again = true;
      return inFlight.done;
    }
    const entry = { again: false, done: Promise.resolve<RunDetail | null>(null) };
    entry.done = (async () => {
      let detail: RunDetail | null;
      do {
        entry.again = false;
        detail = await this.fetchDetail(runId);
      } while (entry.again);
      this.loading.delete(runId);
      return detail;
    })();
    this.loading.set(runId, entry);
    return entry.done;
  }

  private async fetchDetail(runId: number): Promise<RunDetail | null> {
    this.pendingEpochs.set(runId, []);
    const result = await this.client.runs.get({ runId });
    const pending = this.pendingEpochs.get(runId) ?? [];
    this.pendingEpochs.delete(runId);
    if (!result.ok) {
      if (result.error.code === 'NOT_FOUND') this.forget(runId);
      return null;
    }
    let detail = result.value;
    for (const epoch of pending) detail = { ...detail, epochs: mergeEpoch(detail.epochs, epoch) };
    this.details = new Map(this.details).set(runId, detail);
    this.runs = this.runs.map((run) => (run.id === runId ? summaryOf(detail) : run));
    return detail;
  }

  async start(config: TrainingConfigInput, name?: string): Promise<Outcome<number>> {
    const result = await this.client.training.start({ config, ...(name === undefined || name.trim() === '' ? {} : { name: name.trim() }) });
    if (!result.ok) return { ok: false, error: result.error.message };
    const runId = result.value.runId;
    this.watchedRunId = runId;
    await Promise.all([this.reloadList(), this.load(runId)]);
    return { ok: true, value: runId };
  }

  async cancel(runId: number): Promise<Outcome<boolean>> {
    const result = await this.client.training.cancel({ runId });
    return result.ok ? { ok: true, value: result.value.cancelled } : { ok: false, error: result.error.message };
  }

  async resume(runId: number): Promise<Outcome<number>> {
    const result = await this.client.training.resume({ runId });
    if (!result.ok) return { ok: false, error: result.error.message };
    // The batch curve restarts with the epochs the checkpoint did not keep.
    const curves = new Map(this.batchCurves);
    curves.delete(runId);
    this.batchCurves = curves;
    await Promise.all([this.reloadList(), this.load(runId)]);
    return { ok: true, value: runId };
  }

  async update(runId: number, fields: { name?: string; tags?: string[] }): Promise<Outcome<RunSummary>> {
    const result = await this.client.runs.update({ runId, ...fields });
    if (!result.ok) return { ok: false, error: result.error.message };
    const updated = result.value;
    this.runs = this.runs.map((run) => (run.id === runId ? updated : run));
    const detail = this.details.get(runId);
    if (detail !== undefined) this.details = new Map(this.details).set(runId, { ...detail, name: updated.name, tags: updated.tags });
    return { ok: true, value: updated };
  }

  async remove(runId: number): Promise<Outcome<boolean>> {
    const result = await this.client.runs.delete({ runId });
    if (!result.ok) return { ok: false, error: result.error.message };
    this.forget(runId);
    return { ok: true, value: result.value.deleted };
  }

  private onProgress(runId: number, progress: RunProgress): void {
    this.progress = new Map(this.progress).set(runId, progress);
    if (progress.phase === 'training' && progress.loss !== null && progress.total > 0 && progress.epoch > 0) {
      const x = progress.epoch - 1 + progress.done / progress.total;
      const curve = this.batchCurves.get(runId) ?? { x: [], loss: [] };
      // A resumed run goes back in time: points beyond the restart belong to the discarded timeline.
      let keep = curve.x.length;
      while (keep > 0 && curve.x[keep - 1] >= x) keep--;
      this.batchCurves = new Map(this.batchCurves).set(runId, { x: [...curve.x.slice(0, keep), x], loss: [...curve.loss.slice(0, keep), progress.loss] });
    }
    if (!this.runs.some((run) => run.id === runId)) this.scheduleListReload();
  }

  private onEpoch(runId: number, epoch: RunEpoch): void {
    const pending = this.pendingEpochs.get(runId);
    if (pending !== undefined) pending.push(epoch);
    const detail = this.details.get(runId);
    if (detail !== undefined) this.details = new Map(this.details).set(runId, withEpoch(detail, epoch));
    this.runs = this.runs.map((run) => (run.id === runId ? withEpoch(run, epoch) : run));
  }

  private dropProgress(runId: number): void {
    if (!this.progress.has(runId)) return;
    const progress = new Map(this.progress);
    progress.delete(runId);
    this.progress = progress;
  }

  private forget(runId: number): void {
    this.runs = this.runs.filter((run) => run.id !== runId);
    if (this.details.has(runId)) {
      const details = new Map(this.details);
      details.delete(runId);
      this.details = details;
    }
    this.dropProgress(runId);
    if (this.watchedRunId === runId) this.watchedRunId = null;
  }

  private scheduleListReload(): void {
    this.listTimer ??= setTimeout(() => {
      this.listTimer = null;
      void this.reloadList();
    }, LIST_RELOAD_MS);
  }
}

/** A summary or record with a finished epoch folded in (count, best validation figures). */
function withEpoch<T extends RunSummary & { epochs?: RunEpoch[] }>(run: T, epoch: RunEpoch): T {
  const next: T = { ...run, epochsDone: epoch.epoch };
  if (run.epochs !== undefined) next.epochs = mergeEpoch(run.epochs, epoch);
  if (epoch.valLoss !== null && (run.bestValLoss === null || epoch.valLoss < run.bestValLoss || (run.bestEpoch !== null && run.bestEpoch >= epoch.epoch))) {
    next.bestValLoss = epoch.valLoss;
    next.bestValAcc = epoch.valAcc;
    next.bestEpoch = epoch.epoch;
  }
  return next;
}

function summaryOf(detail: RunDetail): RunSummary {
  const { epochs: _epochs, labels: _labels, split: _split, metrics: _metrics, ...summary } = detail;
  return summary;
}
