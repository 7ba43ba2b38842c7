import type { Migration } from './types.js';

/**
 * Augmentation recipes saved from the preview, for training to use: one row per name, the
 * recipe as the JSON a TrainingConfig's `augmentation` takes ({name, copies: [settings...]}).
 */
export const migration005: Migration = {
  version: 5,
  name: 'augment-recipes',
  up(db) {
    db.exec(`
      CREATE TABLE augment_recipes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
        recipe_json TEXT NOT NULL CHECK (json_valid(recipe_json)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
