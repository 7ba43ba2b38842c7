import type { Migration } from './types.js';

/**
 * The training engine's records. No studio before this migration could create a run, so the
 * placeholder tables of 001 are empty: they are replaced rather than altered (SQLite cannot
 * change a CHECK constraint in place).
 *
 * runs.status: queued → running → finished | failed | cancelled; a run whose process died
 * while running becomes 'interrupted' (found through owner_pid when a studio opens the catalog)
 * and can be resumed from run_dir's last checkpoint.
 */
export const migration004: Migration = {
  version: 4,
  name: 'training-runs',
  up(db) {
    db.exec(`
      DROP TABLE predictions;
      DROP TABLE epochs;
      DROP TABLE runs;

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed', 'cancelled', 'interrupted')),
        preset TEXT NOT NULL,
        feature_set TEXT NOT NULL,
        config_json TEXT NOT NULL CHECK (json_valid(config_json)),
        tags_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags_json)),
        backend TEXT,
        backend_version TEXT,
        -- speaker groups and clip counts per split, and a fingerprint of the clip ids and labels
        split_json TEXT CHECK (split_json IS NULL OR json_valid(split_json)),
        labels_json TEXT CHECK (labels_json IS NULL OR json_valid(labels_json)),
        summary_json TEXT CHECK (summary_json IS NULL OR json_valid(summary_json)),
        -- the latest batch-level progress, so a reopened window shows a running run as it is
        progress_json TEXT CHECK (progress_json IS NULL OR json_valid(progress_json)),
        metrics_json TEXT CHECK (metrics_json IS NULL OR json_valid(metrics_json)),
        best_epoch INTEGER,
        best_val_loss REAL,
        best_val_acc REAL,
        error TEXT,
        run_dir TEXT,
        model_dir TEXT,
        owner_pid INTEGER,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        duration_ms REAL
      ) STRICT;
      CREATE INDEX runs_by_status ON runs(status);

      CREATE TABLE epochs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL CHECK (epoch >= 1),
        loss REAL NOT NULL,
        acc REAL NOT NULL,
        val_loss REAL,
        val_acc REAL,
        lr REAL NOT NULL,
        duration_ms REAL NOT NULL,
        samples_per_sec REAL NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (run_id, epoch)
      ) STRICT;

      CREATE TABLE predictions (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
        split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
        -- the label the clip had when the run used it
        label TEXT NOT NULL,
        predicted TEXT NOT NULL,
        confidence REAL NOT NULL,
        -- cross-entropy of the clip's label under the model: high loss marks likely mislabels
        loss REAL NOT NULL,
        probabilities_json TEXT NOT NULL CHECK (json_valid(probabilities_json)),
        PRIMARY KEY (run_id, clip_id)
      ) STRICT;
      CREATE INDEX predictions_clip ON predictions(clip_id);
      CREATE INDEX predictions_cell ON predictions(run_id, split, label, predicted);
    `);
  },
};
