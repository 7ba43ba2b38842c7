import type { Migration } from './types.js';

/**
 * The feature cache: one row per clip and feature pipeline (its key names every parameter that
 * decides the values). content_hash records the bytes the features came from, so a file that
 * changed on disk is recomputed, and deleting a clip drops its rows.
 */
export const migration003: Migration = {
  version: 3,
  name: 'feature-cache',
  up(db) {
    db.exec(`
      CREATE TABLE feature_cache (
        clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
        pipeline_key TEXT NOT NULL,
        content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
        shape TEXT NOT NULL CHECK (json_valid(shape)),
        -- float32 little-endian values, row-major in shape's order
        vals BLOB NOT NULL,
        computed_at TEXT NOT NULL,
        PRIMARY KEY (clip_id, pipeline_key)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
