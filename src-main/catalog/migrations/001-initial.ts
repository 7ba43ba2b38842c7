import type { Migration } from './types.js';

/**
 * The catalog: datasets, clips, the full label history, and the tables the training engine fills
 * (runs, epochs, per-clip predictions). Every table is STRICT; enumerations are CHECKed so that a
 * bad value fails at the database rather than later in the UI.
 */
export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        root_path TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('ravdess', 'folders')),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE clips (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        path TEXT NOT NULL UNIQUE,
        rel_path TEXT NOT NULL,
        content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
        format TEXT NOT NULL CHECK (format IN ('wav', 'flac', 'mp3', 'ogg')),
        sample_rate INTEGER NOT NULL CHECK (sample_rate > 0),
        channels INTEGER NOT NULL CHECK (channels > 0),
        frames INTEGER NOT NULL CHECK (frames >= 0),
        duration_sec REAL NOT NULL CHECK (duration_sec >= 0),
        actor INTEGER,
        speaker TEXT,
        gender TEXT CHECK (gender IN ('male', 'female')),
        vocal_channel TEXT CHECK (vocal_channel IN ('speech', 'song')),
        intensity TEXT CHECK (intensity IN ('normal', 'strong')),
        statement INTEGER,
        repetition INTEGER,
        label TEXT NOT NULL,
        label_source TEXT NOT NULL CHECK (label_source IN ('import', 'user', 'model'))
      ) STRICT;
      -- Re-import is idempotent by path and content hash; identical content at two paths is two
      -- clips (corpora do contain byte-identical recordings), found through this index.
      CREATE INDEX clips_by_content ON clips (dataset_id, content_hash);

      -- Every label change ever made. action: 'set' (import, user or model gave a label),
      -- 'undo' / 'redo' (rows that record an undo or redo of the set row reverts_event_id).
      -- on_stack marks the user's undoable changes: the editor-like undo stack is the on_stack
      -- rows in id order, undone ones on top; a new change drops the undone ones from the stack.
      CREATE TABLE label_events (
        id INTEGER PRIMARY KEY,
        clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
        old_label TEXT,
        new_label TEXT NOT NULL,
        -- label_source the clip had before this change, restored by an undo
        old_source TEXT CHECK (old_source IN ('import', 'user', 'model')),
        source TEXT NOT NULL CHECK (source IN ('import', 'user', 'model')),
        action TEXT NOT NULL CHECK (action IN ('set', 'undo', 'redo')),
        reverts_event_id INTEGER REFERENCES label_events(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        undone INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
        on_stack INTEGER NOT NULL DEFAULT 0 CHECK (on_stack IN (0, 1)),
        CHECK ((action = 'set') = (reverts_event_id IS NULL))
      ) STRICT;
      CREATE INDEX label_events_clip ON label_events(clip_id, id);
      CREATE INDEX label_events_stack ON label_events(undone, id) WHERE on_stack = 1;

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished', 'failed', 'cancelled')),
        preset TEXT,
        config_json TEXT NOT NULL CHECK (json_valid(config_json)),
        backend TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        metrics_json TEXT CHECK (metrics_json IS NULL OR json_valid(metrics_json))
      ) STRICT;

      CREATE TABLE epochs (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL CHECK (epoch >= 0),
        loss REAL,
        acc REAL,
        val_loss REAL,
        val_acc REAL,
        lr REAL,
        duration_ms REAL,
        PRIMARY KEY (run_id, epoch)
      ) STRICT;

      CREATE TABLE predictions (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
        split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
        -- the label the clip had when the run used it
        label TEXT NOT NULL,
        predicted TEXT NOT NULL,
        probabilities_json TEXT NOT NULL CHECK (json_valid(probabilities_json)),
        PRIMARY KEY (run_id, clip_id)
      ) STRICT;
      CREATE INDEX predictions_clip ON predictions(clip_id);
    `);
  },
};
