import type { CatalogDb } from '../catalog/db.js';

export interface CachedFeatures {
  shape: number[];
  values: Float32Array;
}

/**
 * Features per clip and pipeline key, in the catalog's feature_cache table. A row counts only
 * while the clip's bytes are the ones it was computed from (content hash).
 */
export class FeatureCache {
  private readonly select;
  private readonly upsert;

  constructor(db: CatalogDb) {
    this.select = db.prepare<[number, string, string], { shape: string; vals: Buffer }>(
      'SELECT shape, vals FROM feature_cache WHERE clip_id = ? AND pipeline_key = ? AND content_hash = ?',
    );
    this.upsert = db.prepare<[number, string, string, string, Buffer, string]>(
      `INSERT INTO feature_cache (clip_id, pipeline_key, content_hash, shape, vals, computed_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (clip_id, pipeline_key) DO UPDATE SET content_hash = excluded.content_hash, shape = excluded.shape,
         vals = excluded.vals, computed_at = excluded.computed_at`,
    );
    this.putMany = db.transaction((rows: { clipId: number; key: string; contentHash: string; features: CachedFeatures }[]) => {
      const at = new Date().toISOString();
      for (const row of rows) this.put(row.clipId, row.key, row.contentHash, row.features, at);
    });
  }

  /** Stores a batch in one transaction. */
  readonly putMany: (rows: { clipId: number; key: string; contentHash: string; features: CachedFeatures }[]) => void;

  get(clipId: number, key: string, contentHash: string): CachedFeatures | null {
    const row = this.select.get(clipId, key, contentHash);
    if (row === undefined) return null;
    // Copy out of the row's buffer: it is not guaranteed to be 4-byte aligned.
    const bytes = new Uint8Array(row.vals.byteLength);
    bytes.set(row.vals);
    return { shape: JSON.parse(row.shape) as number[], values: new Float32Array(bytes.buffer) };
  }

  put(clipId: number, key: string, contentHash: string, features: CachedFeatures, at = new Date().toISOString()): void {
    const values = features.values;
    this.upsert.run(clipId, key, contentHash, JSON.stringify(features.shape), Buffer.from(values.buffer, values.byteOffset, values.byteLength), at);
  }
}
