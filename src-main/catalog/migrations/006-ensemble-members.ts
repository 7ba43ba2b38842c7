import type { Migration } from './types.js';

/**
 * Ensembles train several models in one run: each epoch row says which member (1-based) it
 * belongs to. Epoch numbers stay unique per run (the second member's continue after the first's).
 */
export const migration006: Migration = {
  version: 6,
  name: 'ensemble-members',
  up(db) {
    db.exec('ALTER TABLE epochs ADD COLUMN member INTEGER NOT NULL DEFAULT 1 CHECK (member >= 1)');
  },
};
