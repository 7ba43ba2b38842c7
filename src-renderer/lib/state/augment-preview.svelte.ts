import type { AugmentPreview, Client, Clip, SavedRecipe } from '../../../src-shared/contract/index.js';
import type { AugmentSettings } from '../../../src-shared/model/augment-recipe.js';

/** Every transform off: what the sliders start at and "Reset" returns to. */
export const NEUTRAL_SETTINGS: AugmentSettings = { noiseAmount: 0, stretchRate: 1, shiftSec: 0, pitchSemitones: 0, denoise: false };

/** What a recipe's one copy does, in a few words ("noise 0.035 · pitch +0.7 st"). */
export function describeSettings(settings: AugmentSettings): string {
  const parts: string[] = [];
  if (settings.denoise) parts.push('denoise');
  if (settings.stretchRate !== 1) parts.push(`stretch ×${settings.stretchRate}`);
  if (settings.pitchSemitones !== 0) parts.push(`pitch ${settings.pitchSemitones > 0 ? '+' : ''}${settings.pitchSemitones} st`);
  if (settings.shiftSec !== 0) parts.push(`shift ${settings.shiftSec > 0 ? '+' : ''}${settings.shiftSec} s`);
  if (settings.noiseAmount > 0) parts.push(`noise ${settings.noiseAmount}`);
  return parts.length === 0 ? 'no change' : parts.join(' · ');
}

/**
 * The augmentation preview: the chosen clip, the slider settings, the latest preview from the
 * main process and the saved recipes. A newer request makes an older answer stale, so dragging
 * a slider never shows a result for a position it has left.
 */
export class AugmentPreviewState {
  clip = $state.raw<Clip | null>(null);
  settings = $state<AugmentSettings>({ ...NEUTRAL_SETTINGS });
  seed = $state(1);
  span = $state<'pipeline' | 'whole'>('pipeline');
  preview = $state.raw<AugmentPreview | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  recipes = $state.raw<SavedRecipe[]>([]);
  /** A save that found the name taken: the name, waiting for "Replace". */
  conflict = $state<string | null>(null);
  /** The last confirmation ("Saved recipe …"), shown beside the form. */
  saved = $state<string | null>(null);
  private readonly client: Client;
  private request = 0;

  constructor(client: Client) {
    this.client = client;
  }

  /** Plain settings (not the reactive proxy) to send. */
  snapshot(): AugmentSettings {
    return { ...$state.snapshot(this.settings) };
  }

  async compute(): Promise<void> {
    const clip = this.clip;
    if (clip === null) return;
    const id = ++this.request;
    this.loading = true;
    const result = await this.client.explore.augmentPreview({ clipId: clip.id, settings: this.snapshot(), seed: this.seed, span: this.span });
    if (id !== this.request) return;
    this.loading = false;
    if (result.ok) {
      this.preview = result.value;
      this.error = null;
    } else {
      this.error = `Could not preview ${clip.relPath}: ${result.error.message}`;
    }
  }

  /** Stops waiting for the preview being computed (the worker finishes it; its answer is dropped). */
  cancel(): void {
    this.request += 1;
    this.loading = false;
  }

  reset(): void {
    this.settings = { ...NEUTRAL_SETTINGS };
  }

  async loadRecipes(): Promise<void> {
    const result = await this.client.explore.recipes({});
    if (result.ok) this.recipes = result.value;
    else this.error = `Could not list the saved recipes: ${result.error.message}`;
  }

  /** Saves the sliders as a one-copy recipe; a taken name asks for `replace` first. */
  async saveRecipe(name: string, replace = false): Promise<boolean> {
    this.saved = null;
    const result = await this.client.explore.saveRecipe({ name, copies: [this.snapshot()], replace });
    if (!result.ok) {
      if (result.error.code === 'CONFLICT') this.conflict = name.trim();
      else this.error = `Could not save the recipe: ${result.error.message}`;
      return false;
    }
    this.conflict = null;
    this.error = null;
    this.saved = `Saved recipe “${result.value.recipe.name}”: training can use it as its augmentation.`;
    await this.loadRecipes();
    return true;
  }

  async deleteRecipe(recipe: SavedRecipe): Promise<void> {
    const result = await this.client.explore.deleteRecipe({ id: recipe.id });
    if (!result.ok) this.error = `Could not delete “${recipe.recipe.name}”: ${result.error.message}`;
    await this.loadRecipes();
  }

  /** Puts a saved recipe's first copy on the sliders. */
  apply(recipe: SavedRecipe): void {
    const first = recipe.recipe.copies[0];
    if (first !== undefined) this.settings = { ...first };
  }
}
