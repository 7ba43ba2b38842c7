import type { Migration } from './types.js';

/**
 * Indices for the clip browser. clips_browse covers every filter column and every sort column
 * but the text filter's rel_path, so a filtered page is found by scanning one index without
 * reading table rows; the store then reads only the page's rows by id. The single-column ones
 * serve unfiltered sorts by walking the index in order. Every index ends in the rowid, so each
 * also orders ties by id, the stable order paging needs.
 */
export const migration002: Migration = {
  version: 2,
  name: 'browse-indices',
  up(db) {
    db.exec(`
      CREATE INDEX clips_browse ON clips(label, actor, gender, vocal_channel, intensity, dataset_id, duration_sec, path);
      CREATE INDEX clips_actor ON clips(actor);
      CREATE INDEX clips_duration ON clips(duration_sec);
      CREATE INDEX clips_intensity ON clips(intensity);
      CREATE INDEX clips_label ON clips(label);
    `);
  },
};
