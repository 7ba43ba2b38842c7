import type { SavedRecipe } from '../../src-shared/contract/explore.js';
import { StudioError } from '../../src-shared/contract/result.js';
import { augmentRecipeSchema, type AugmentRecipe } from '../../src-shared/model/augment-recipe.js';
import type { CatalogDb } from '../catalog/db.js';

interface RecipeRow {
  id: number;
  name: string;
  recipe_json: string;
  created_at: string;
  updated_at: string;
}

/** Saved augmentation recipes (table augment_recipes, migration 005). */
export class AugmentRecipeStore {
  private readonly db: CatalogDb;

  constructor(db: CatalogDb) {
    this.db = db;
  }

  list(): SavedRecipe[] {
    return this.db.prepare<[], RecipeRow>('SELECT * FROM augment_recipes ORDER BY name COLLATE NOCASE').all().map(toSaved);
  }

  byName(name: string): SavedRecipe | null {
    const row = this.db.prepare<[string], RecipeRow>('SELECT * FROM augment_recipes WHERE name = ?').get(name);
    return row === undefined ? null : toSaved(row);
  }

  /** Inserts, or with `replace` overwrites the recipe of the same name (keeping its id and creation time). */
  save(recipe: AugmentRecipe, replace: boolean): SavedRecipe {
    const checked = augmentRecipeSchema.parse(recipe);
    const now = new Date().toISOString();
    const json = JSON.stringify(checked);
    const saved = this.db.transaction(() => {
      const existing = this.byName(checked.name);
      if (existing !== null && !replace) {
        throw new StudioError('CONFLICT', `a recipe named "${checked.name}" already exists: choose another name or replace it`);
      }
      if (existing !== null) {
        this.db.prepare('UPDATE augment_recipes SET recipe_json = ?, updated_at = ? WHERE id = ?').run(json, now, existing.id);
        return existing.id;
      }
      return Number(this.db.prepare('INSERT INTO augment_recipes (name, recipe_json, created_at, updated_at) VALUES (?, ?, ?, ?)').run(checked.name, json, now, now).lastInsertRowid);
    })();
    const row = this.db.prepare<[number], RecipeRow>('SELECT * FROM augment_recipes WHERE id = ?').get(saved);
    if (row === undefined) throw new StudioError('INTERNAL', `recipe ${saved} vanished after saving`);
    return toSaved(row);
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM augment_recipes WHERE id = ?').run(id).changes > 0;
  }
}

function toSaved(row: RecipeRow): SavedRecipe {
  const parsed = augmentRecipeSchema.safeParse(JSON.parse(row.recipe_json));
  if (!parsed.success) throw new StudioError('INTERNAL', `augment_recipes row ${row.id} ("${row.name}") holds an invalid recipe: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  return { id: row.id, recipe: { ...parsed.data, name: row.name }, createdAt: row.created_at, updatedAt: row.updated_at };
}
