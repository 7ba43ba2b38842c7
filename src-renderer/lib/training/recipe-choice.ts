import type { SavedRecipe } from '../../../src-shared/contract/index.js';
import type { AugmentRecipe } from '../../../src-shared/model/augment-recipe.js';
// The Augment view's own wording for one copy, so a recipe reads the same on both screens.
// (describeSettings is a plain function; importing it does not create any reactive state.)
import { describeSettings } from '../state/augment-preview.svelte.js';

/** What a recipe's copies do, in a few words: "pitch +2 st · noise 0.03 | stretch ×0.9". */
export function describeRecipe(recipe: Pick<AugmentRecipe, 'copies'>): string {
  return recipe.copies.map(describeSettings).join(' | ');
}

/** "1 extra copy per training clip", "3 extra copies per training clip". */
export function recipeCopiesText(recipe: Pick<AugmentRecipe, 'copies'>): string {
  const n = recipe.copies.length;
  return `${n} extra ${n === 1 ? 'copy' : 'copies'} per training clip`;
}

export type RecipeLookup = { ok: true; recipe: AugmentRecipe } | { ok: false; reason: 'loading' | 'missing' };

/**
 * The saved recipe called `name`, as a TrainingConfig's `augmentation` takes it (plain data, a
 * fresh copy, so the config sent holds no reactive proxies). `recipes` is null until listed.
 */
export function findRecipe(recipes: readonly SavedRecipe[] | null, name: string): RecipeLookup {
  if (recipes === null) return { ok: false, reason: 'loading' };
  const saved = recipes.find((candidate) => candidate.recipe.name === name);
  if (saved === undefined) return { ok: false, reason: 'missing' };
  return { ok: true, recipe: { name: saved.recipe.name, copies: saved.recipe.copies.map((copy) => ({ ...copy })) } };
}
