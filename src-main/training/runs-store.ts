import type { RunDetail, RunEpoch, RunPrediction, RunProgress, RunSplitInfo, RunStatus, RunSummary } from '../../src-shared/contract/training.js';
import { StudioError } from '../../src-shared/contract/result.js';
import type { TrainingConfig } from '../../src-shared/model/training-config.js';
import type { CatalogDb } from '../catalog/db.js';
import type { ClipPrediction, JobOutcome } from './run-job.js';

interface RunRow {
  id: number;
  name: string;
  status: RunStatus;
  preset: string;
  feature_set: string;
  config_json: string;
  tags_json: string;
  backend: string | null;
  backend_version: string | null;
  split_json: string | null;
  labels_json: string | null;
  progress_json: string | null;
  metrics_json: string | null;
  best_epoch: number | null;
  best_val_loss: number | null;
  best_val_acc: number | null;
  error: string | null;
  run_dir: string | null;
  model_dir: string | null;
  owner_pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  epochs_done: number;
}

const SELECT_RUN = `SELECT runs.*, (SELECT count(*) FROM epochs WHERE epochs.run_id = runs.id) AS epochs_done FROM runs`;

/** Runs, their epochs and per-clip predictions in the catalog. Every write is one statement or one transaction. */
export class RunsStore {
  private readonly db: CatalogDb;

  constructor(db: CatalogDb) {
    this.db = db;
  }

  create(name: string, config: TrainingConfig, runDir: (id: number) => string): number {
    return this.db.transaction(() => {
      const at = new Date().toISOString();
      const id = Number(
        this.db
          .prepare(`INSERT INTO runs (name, status, preset, feature_set, config_json, created_at) VALUES (?, 'queued', ?, ?, ?, ?)`)
          .run(name, config.preset, config.featureSet, JSON.stringify(config), at).lastInsertRowid,
      );
      this.db.prepare('UPDATE runs SET run_dir = ? WHERE id = ?').run(runDir(id), id);
      return id;
    })();
  }

  row(id: number): RunRow {
    const row = this.db.prepare<[number], RunRow>(`${SELECT_RUN} WHERE id = ?`).get(id);
    if (row === undefined) throw new StudioError('NOT_FOUND', `no run with id ${id}`);
    return row;
  }

  list(): RunSummary[] {
    return this.db.prepare<[], RunRow>(`${SELECT_RUN} ORDER BY id DESC`).all().map(summary);
  }

  get(id: number): RunDetail {
    const row = this.row(id);
    const epochs = this.db
      .prepare<[number], { epoch: number; member: number; loss: number; acc: number; val_loss: number | null; val_acc: number | null; lr: number; duration_ms: number; samples_per_sec: number; at: string }>(
        'SELECT * FROM epochs WHERE run_id = ? ORDER BY epoch',
      )
      .all(id)
      .map((e): RunEpoch => ({ epoch: e.epoch, member: e.member, loss: e.loss, acc: e.acc, valLoss: e.val_loss, valAcc: e.val_acc, lr: e.lr, durationMs: e.duration_ms, samplesPerSec: e.samples_per_sec, at: e.at }));
    return {
      ...summary(row),
      epochs,
      labels: row.labels_json === null ? null : (JSON.parse(row.labels_json) as string[]),
      split: row.split_json === null ? null : (JSON.parse(row.split_json) as RunSplitInfo),
      metrics: row.metrics_json === null ? null : (JSON.parse(row.metrics_json) as RunDetail['metrics']),
    };
  }

  setPrepared(id: number, split: RunSplitInfo, labels: string[]): void {
    this.db.prepare('UPDATE runs SET split_json = ?, labels_json = ? WHERE id = ?').run(JSON.stringify(split), JSON.stringify(labels), id);
  }

  setStatus(id: number, status: RunStatus, extra: { error?: string | null; ownerPid?: number | null } = {}): void {
    const at = new Date().toISOString();
    const row = this.row(id);
    const started = status === 'running' && row.started_at === null ? at : row.started_at;
    const ended = status === 'finished' || status === 'failed' || status === 'cancelled' || status === 'interrupted';
    const duration = ended && started !== null ? Date.parse(at) - Date.parse(started) : row.duration_ms;
    this.db
      .prepare('UPDATE runs SET status = ?, started_at = ?, finished_at = ?, duration_ms = ?, error = ?, owner_pid = ? WHERE id = ?')
      .run(status, started, ended ? at : null, duration, extra.error ?? (status === 'running' ? null : row.error), extra.ownerPid ?? null, id);
  }

  setBackend(id: number, name: string, version: string): void {
    this.db.prepare('UPDATE runs SET backend = ?, backend_version = ? WHERE id = ?').run(name, version, id);
  }

  setProgress(id: number, progress: RunProgress): void {
    this.db.prepare('UPDATE runs SET progress_json = ? WHERE id = ?').run(JSON.stringify(progress), id);
  }

  addEpoch(id: number, epoch: RunEpoch): void {
    this.db
      .prepare(
        `INSERT INTO epochs (run_id, epoch, member, loss, acc, val_loss, val_acc, lr, duration_ms, samples_per_sec, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, epoch) DO UPDATE SET member = excluded.member, loss = excluded.loss, acc = excluded.acc, val_loss = excluded.val_loss, val_acc = excluded.val_acc,
           lr = excluded.lr, duration_ms = excluded.duration_ms, samples_per_sec = excluded.samples_per_sec, at = excluded.at`,
      )
      .run(id, epoch.epoch, epoch.member, epoch.loss, epoch.acc, finiteOrNull(epoch.valLoss), finiteOrNull(epoch.valAcc), epoch.lr, epoch.durationMs, epoch.samplesPerSec, epoch.at);
    const best = this.db
      .prepare<[number], { epoch: number; val_loss: number; val_acc: number }>('SELECT epoch, val_loss, val_acc FROM epochs WHERE run_id = ? AND val_loss IS NOT NULL ORDER BY val_loss, epoch LIMIT 1')
      .get(id);
    if (best !== undefined) this.db.prepare('UPDATE runs SET best_epoch = ?, best_val_loss = ?, best_val_acc = ? WHERE id = ?').run(best.epoch, best.val_loss, best.val_acc, id);
  }

  /** Epochs after `epoch` belong to a timeline a resume discards (the checkpoint is older). */
  dropEpochsAfter(id: number, epoch: number): void {
    this.db.prepare('DELETE FROM epochs WHERE run_id = ? AND epoch > ?').run(id, epoch);
  }

  finish(id: number, outcome: JobOutcome): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM predictions WHERE run_id = ?').run(id);
      const insert = this.db.prepare(
        'INSERT INTO predictions (run_id, clip_id, split, label, predicted, confidence, loss, probabilities_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const exists = this.db.prepare<[number], { id: number }>('SELECT id FROM clips WHERE id = ?');
      for (const p of outcome.predictions) {
        // a clip deleted from the catalog while the run trained keeps no prediction row
        if (exists.get(p.clipId) !== undefined) insert.run(id, p.clipId, p.split, p.label, p.predicted, p.confidence, finiteOrNull(p.loss) ?? 1e9, JSON.stringify(p.probabilities));
      }
      const metrics = outcome.metrics === null ? null : { ...outcome.metrics, float16: outcome.float16 === null ? null : withoutDir(outcome.float16) };
      this.db.prepare('UPDATE runs SET metrics_json = ?, model_dir = ?, progress_json = NULL WHERE id = ?').run(metrics === null ? null : JSON.stringify(metrics), outcome.modelDir, id);
      this.setStatus(id, 'finished');
    })();
  }

  update(id: number, fields: { name?: string; tags?: string[] }): void {
    this.row(id);
    if (fields.name !== undefined) this.db.prepare('UPDATE runs SET name = ? WHERE id = ?').run(fields.name, id);
    if (fields.tags !== undefined) this.db.prepare('UPDATE runs SET tags_json = ? WHERE id = ?').run(JSON.stringify([...new Set(fields.tags)]), id);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  }

  /** Runs left 'running' or 'queued' by a process that no longer exists become 'interrupted'. */
  markOrphans(isAlive: (pid: number) => boolean): number[] {
    const rows = this.db.prepare<[], { id: number; owner_pid: number | null }>(`SELECT id, owner_pid FROM runs WHERE status IN ('running', 'queued')`).all();
    const orphans = rows.filter((row) => row.owner_pid === null || !isAlive(row.owner_pid)).map((row) => row.id);
    for (const id of orphans) this.setStatus(id, 'interrupted', { error: 'the studio stopped while this run was training; resume it from its last checkpoint' });
    return orphans;
  }

  predictions(args: { runId: number; split?: string; label?: string; predicted?: string; sort: 'clip' | 'loss' | 'confidence'; limit: number }): RunPrediction[] {
    this.row(args.runId);
    const where = ['p.run_id = ?'];
    const params: (string | number)[] = [args.runId];
    if (args.split !== undefined) (where.push('p.split = ?'), params.push(args.split));
    if (args.label !== undefined) (where.push('p.label = ?'), params.push(args.label));
    if (args.predicted !== undefined) (where.push('p.predicted = ?'), params.push(args.predicted));
    const order = args.sort === 'loss' ? 'p.loss DESC' : args.sort === 'confidence' ? 'p.confidence DESC' : 'p.clip_id';
    params.push(args.limit);
    return this.db
      .prepare<(string | number)[], { clip_id: number; rel_path: string; actor: number | null; split: 'train' | 'val' | 'test'; label: string; current: string; predicted: string; confidence: number; loss: number; probabilities_json: string }>(
        `SELECT p.clip_id, c.rel_path, c.actor, p.split, p.label, c.label AS current, p.predicted, p.confidence, p.loss, p.probabilities_json
         FROM predictions p JOIN clips c ON c.id = p.clip_id WHERE ${where.join(' AND ')} ORDER BY ${order}, p.clip_id LIMIT ?`,
      )
      .all(...params)
      .map((r) => ({
        clipId: r.clip_id,
        relPath: r.rel_path,
        actor: r.actor,
        split: r.split,
        label: r.label,
        currentLabel: r.current,
        predicted: r.predicted,
        confidence: r.confidence,
        loss: r.loss,
        probabilities: JSON.parse(r.probabilities_json) as number[],
      }));
  }
}

function summary(row: RunRow): RunSummary {
  const metrics = row.metrics_json === null ? null : (JSON.parse(row.metrics_json) as { test?: { accuracy: number; uar: number; macroF1: number } });
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    preset: row.preset,
    featureSet: row.feature_set,
    tags: JSON.parse(row.tags_json) as string[],
    config: JSON.parse(row.config_json) as TrainingConfig,
    backend: row.backend,
    backendVersion: row.backend_version,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    bestEpoch: row.best_epoch,
    bestValLoss: row.best_val_loss,
    bestValAcc: row.best_val_acc,
    test: metrics?.test === undefined ? null : { accuracy: metrics.test.accuracy, uar: metrics.test.uar, macroF1: metrics.test.macroF1 },
    error: row.error,
    progress: row.progress_json === null ? null : (JSON.parse(row.progress_json) as RunProgress),
    epochsDone: row.epochs_done,
    modelDir: row.model_dir,
  };
}

function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

function withoutDir<T extends { dir: string }>(value: T): Omit<T, 'dir'> {
  const { dir: _dir, ...rest } = value;
  return rest;
}

export type { ClipPrediction };
