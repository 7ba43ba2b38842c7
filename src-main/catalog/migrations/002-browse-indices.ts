import type { Migration } from './types.js';

/**
 * Indices for the clip browser's filters and sorts. Every index ends in the rowid, so one on
 * `label` also serves ORDER BY label, id (the stable order paging needs).
 */
export const migration002: Migration = {
  version: 2,
  name: 'browse-indices',
  up(db) {
    db.exec(`
      CREATE INDEX clips_dataset ON clips(dataset_id);
      CREATE INDEX clips_label_actor ON clips(label, actor);
      CREATE INDEX clips_actor ON clips(actor);
      CREATE INDEX clips_duration ON clips(duration_sec);
      CREATE INDEX clips_intensity ON clips(intensity);
    `);
  },
};
