import type { Client, PresetInfo, SavedRecipe } from '../../../src-shared/contract/index.js';
import type { FeatureSetName } from '../../../src-shared/dsp/seed.js';
import { DEFAULT_PRESET } from '../../../src-shared/model/presets.js';
import type { AugmentRecipe } from '../../../src-shared/model/augment-recipe.js';
import type { AugmentationName, SplitConfig, TrainingConfigInput } from '../../../src-shared/model/training-config.js';
import { configProblems } from '../training/config-check.js';
import { findRecipe, type RecipeLookup } from '../training/recipe-choice.js';
import { defaultActorSplit, formatActorList, parseActorList, previewSplit, type SplitPreview } from '../training/split-preview.js';

export type Backend = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
/** The form's augmentation choice: a built-in one, or the saved recipe named by `recipeName`. */
export type Augmentation = AugmentationName | 'recipe';
const AUGMENTATION_CHOICES: readonly Augmentation[] = ['none', 'seed-x3', 'recipe'];

const STORAGE_KEY = 'emotion-studio/train-form/v1';

/** The fields a session remembers. */
const SAVED_FIELDS = [
  'name',
  'presetName',
  'augmentation',
  'recipeName',
  'splitKind',
  'testActorsText',
  'valActorsText',
  'folds',
  'fold',
  'epochs',
  'batchSize',
  'learningRate',
  'labelSmoothing',
  'classWeights',
  'earlyStopping',
  'earlyStoppingPatience',
  'restoreBestWeights',
  'reduceLr',
  'reduceLrFactor',
  'reduceLrPatience',
  'reduceLrMinLr',
  'seed',
  'members',
  'memberViews',
  'mixup',
  'frequencyWarp',
  'specAugment',
  'backend',
] as const satisfies readonly (keyof TrainingForm)[];

export type ConfigCheck = { ok: true; config: TrainingConfigInput } | { ok: false; problems: string[] };

/**
 * The Train view's form: a preset and its model summary, the feature set it reads, the split
 * (actor groups defaulting as the engine does, or k-fold by actor) and every hyperparameter of
 * TrainingConfig. Number fields hold null while empty. `check` validates with the contract's own
 * schema and the engine's own split function, so problems show in plain words before a run is queued.
 */
export class TrainingForm {
  presets = $state.raw<PresetInfo[]>([]);
  /** Actor numbers present in the catalog; null until known. */
  actors = $state.raw<number[] | null>(null);
  catalogTotal = $state<number | null>(null);
  /** Why presets or catalog figures could not be loaded. */
  loadError = $state<string | null>(null);
  /** Recipes saved in the Augment view, listed each time the view opens; null until listed. */
  recipes = $state.raw<SavedRecipe[] | null>(null);
  /** Says so when the remembered recipe was deleted and the choice fell back to None. */
  recipeNotice = $state<string | null>(null);

  name = $state('');
  presetName = $state<string>(DEFAULT_PRESET);
  augmentation = $state<Augmentation>('seed-x3');
  /** The saved recipe chosen while `augmentation` is 'recipe' (recipes are unique by name). */
  recipeName = $state('');
  splitKind = $state<'actors' | 'kfold'>('actors');
  testActorsText = $state('');
  valActorsText = $state('');
  folds = $state<number | null>(5);
  fold = $state<number | null>(0);
  epochs = $state<number | null>(50);
  batchSize = $state<number | null>(64);
  learningRate = $state<number | null>(0.001);
  labelSmoothing = $state<number | null>(0);
  classWeights = $state<'none' | 'balanced'>('none');
  earlyStopping = $state(true);
  earlyStoppingPatience = $state<number | null>(5);
  restoreBestWeights = $state(true);
  reduceLr = $state(true);
  reduceLrFactor = $state<number | null>(0.5);
  reduceLrPatience = $state<number | null>(3);
  reduceLrMinLr = $state<number | null>(1e-6);
  seed = $state<number | null>(42);
  /** Ensemble size: models trained with seeds seed … seed + members − 1, probabilities averaged. */
  members = $state<number | null>(1);
  /** 'alternate': every second member reads the log-mel image relative to its peak. */
  memberViews = $state<'same' | 'alternate'>('same');
  mixup = $state<number | null>(0);
  /** Largest relative stretch of a spectrogram's band axis per example (training only); 0 is off. */
  frequencyWarp = $state<number | null>(0);
  specAugment = $state(false);
  backend = $state<Backend>('auto');

  /** True once the user typed actors; until then they follow the catalog's defaults. */
  private actorsEdited = false;
  /** True when the fields came from the last session (then a preset's defaults do not overwrite them). */
  private restored = false;

  readonly preset: PresetInfo | null = $derived(this.presets.find((preset) => preset.name === this.presetName) ?? null);
  readonly featureSet: string | null = $derived(this.preset?.featureSet ?? null);
  /** The chosen recipe as the config takes it; null unless a recipe is chosen. */
  readonly recipe: RecipeLookup | null = $derived(this.augmentation === 'recipe' ? findRecipe(this.recipes, this.recipeName) : null);

  readonly split: { ok: true; value: SplitConfig } | { ok: false; error: string } = $derived.by(() => {
    if (this.splitKind === 'kfold') return { ok: true, value: { kind: 'kfold', folds: this.folds ?? 0, fold: this.fold ?? 0 } };
    const test = parseActorList(this.testActorsText);
    if ('error' in test) return { ok: false, error: `Test actors: ${test.error}` };
    const val = parseActorList(this.valActorsText);
    if ('error' in val) return { ok: false, error: `Validation actors: ${val.error}` };
    return {
      ok: true,
      value: { kind: 'actors', ...(test.actors.length > 0 ? { testActors: test.actors } : {}), ...(val.actors.length > 0 ? { valActors: val.actors } : {}) },
    };
  });

  /** Which actors train, validate and test; null until the catalog's actors are known. */
  readonly splitPreview: SplitPreview | null = $derived.by(() => {
    if (this.actors === null || !this.split.ok) return null;
    return previewSplit(this.actors, this.split.value);
  });

  readonly check: ConfigCheck = $derived.by(() => {
    const problems: string[] = [];
    if (!this.split.ok) problems.push(this.split.error);
    if (this.recipe !== null && !this.recipe.ok) {
      problems.push(this.recipe.reason === 'loading' ? 'Augmentation: the saved recipes are still being listed.' : `Augmentation: no saved recipe is named “${this.recipeName}”.`);
    }
    else if (this.splitPreview !== null && !this.splitPreview.ok) problems.push(`Split: ${this.splitPreview.error}.`);
    const config = this.buildConfig();
    problems.push(...configProblems(config));
    if (this.catalogTotal === 0) problems.push('The catalog has no clips: import a corpus first.');
    return problems.length === 0 ? { ok: true, config } : { ok: false, problems: [...new Set(problems)] };
  });

  constructor(
    private readonly client: Client,
    private readonly storage: Storage | null = null,
  ) {
    this.restore();
  }

  /** Presets (with layer shapes and parameter counts), the catalog's actors and the saved recipes. */
  async load(): Promise<void> {
    const [presets, stats, recipes] = await Promise.all([this.client.training.presets({}), this.client.catalog.clipStats({ filter: {} }), this.client.explore.recipes({})]);
    if (presets.ok) {
      const first = this.presets.length === 0;
      this.presets = presets.value;
      const known = this.presets.some((preset) => preset.name === this.presetName);
      if (!known) this.setPreset(this.presets[0]?.name ?? this.presetName);
      else if (first && !this.restored) this.setPreset(this.presetName);
    }
    if (stats.ok) {
      this.catalogTotal = stats.value.total;
      this.actors = stats.value.actors;
      if (!this.actorsEdited) this.resetActors();
    }
    if (recipes.ok) this.setRecipes(recipes.value);
    this.loadError = !presets.ok ? presets.error.message : !stats.ok ? stats.error.message : !recipes.ok ? `Could not list the saved recipes: ${recipes.error.message}` : null;
  }

  /** Takes a fresh list of saved recipes; a chosen recipe that is gone falls back to None, saying so. */
  setRecipes(recipes: SavedRecipe[]): void {
    this.recipes = recipes;
    if (this.augmentation !== 'recipe' || recipes.some((saved) => saved.recipe.name === this.recipeName)) return;
    this.recipeNotice = `The saved recipe “${this.recipeName}” no longer exists, so augmentation is back to None.`;
    this.augmentation = 'none';
    this.recipeName = '';
  }

  /** Picks a built-in augmentation. */
  chooseAugmentation(choice: AugmentationName): void {
    this.augmentation = choice;
    this.recipeNotice = null;
  }

  /** Picks a saved recipe by name. */
  chooseRecipe(name: string): void {
    this.augmentation = 'recipe';
    this.recipeName = name;
    this.recipeNotice = null;
  }

  /** Chooses a preset and takes its training defaults (epochs, batch, rate, augmentation…). */
  setPreset(name: string): void {
    this.presetName = name;
    const defaults = this.presets.find((preset) => preset.name === name)?.defaults;
    if (defaults === undefined) return;
    const number = (key: string): number | null => (typeof defaults[key] === 'number' ? (defaults[key] as number) : null);
    this.epochs = number('epochs') ?? this.epochs;
    this.batchSize = number('batchSize') ?? this.batchSize;
    this.learningRate = number('learningRate') ?? this.learningRate;
    this.labelSmoothing = number('labelSmoothing') ?? this.labelSmoothing;
    this.mixup = number('mixup') ?? this.mixup;
    this.frequencyWarp = number('frequencyWarp') ?? this.frequencyWarp;
    this.members = number('members') ?? this.members;
    if (defaults.memberViews === 'same' || defaults.memberViews === 'alternate') this.memberViews = defaults.memberViews;
    if (defaults.classWeights === 'none' || defaults.classWeights === 'balanced') this.classWeights = defaults.classWeights;
    const patience = number('patience');
    if (patience !== null) {
      this.earlyStopping = true;
      this.earlyStoppingPatience = patience;
    }
    if (typeof defaults.specAugment === 'boolean') this.specAugment = defaults.specAugment;
    if (defaults.augmentation === 'none' || defaults.augmentation === 'seed-x3') this.chooseAugmentation(defaults.augmentation);
  }

  /** Picks a feature set: keeps the preset when it reads that set, else takes the first that does. */
  setFeatureSet(featureSet: FeatureSetName): void {
    if (this.featureSet === featureSet) return;
    const preset = this.presets.find((candidate) => candidate.featureSet === featureSet);
    if (preset !== undefined) this.setPreset(preset.name);
  }

  presetsFor(featureSet: string): PresetInfo[] {
    return this.presets.filter((preset) => preset.featureSet === featureSet);
  }

  editActors(which: 'test' | 'val', text: string): void {
    this.actorsEdited = true;
    if (which === 'test') this.testActorsText = text;
    else this.valActorsText = text;
  }

  /** The engine's default: the last two actors present for test, the two before them for validation. */
  resetActors(): void {
    this.actorsEdited = false;
    const { test, val } = defaultActorSplit(this.actors ?? []);
    this.testActorsText = formatActorList(test).replaceAll('–', '-');
    this.valActorsText = formatActorList(val).replaceAll('–', '-');
  }

  /** Writes the fields for the next session (a reload keeps what was being set up). */
  save(): void {
    if (this.storage === null) return;
    const fields: Record<string, unknown> = { actorsEdited: this.actorsEdited };
    for (const key of SAVED_FIELDS) fields[key] = this[key];
    try {
      this.storage.setItem(STORAGE_KEY, JSON.stringify(fields));
    } catch {
      // Storage full or disabled: the form still works, it just starts fresh next time.
    }
  }

  private restore(): void {
    let saved: unknown;
    try {
      saved = JSON.parse(this.storage?.getItem(STORAGE_KEY) ?? 'null');
    } catch {
      return;
    }
    if (saved === null || typeof saved !== 'object') return;
    const fields = saved as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    for (const key of SAVED_FIELDS) {
      const value = fields[key];
      const current = self[key];
      // Only values of the field's own type (numbers may be null while a field is empty).
      if (value !== undefined && (typeof value === typeof current || (value === null && typeof current === 'number') || (typeof value === 'number' && current === null))) self[key] = value;
    }
    if (!AUGMENTATION_CHOICES.includes(this.augmentation) || (this.augmentation === 'recipe' && this.recipeName === '')) this.augmentation = 'none';
    if (fields.actorsEdited === true) this.actorsEdited = true;
    this.restored = true;
  }

  /** What `config.augmentation` carries: the name of a built-in one or the recipe itself. */
  private augmentationConfig(): AugmentationName | AugmentRecipe {
    if (this.augmentation !== 'recipe') return this.augmentation;
    // An unresolved recipe is refused by `check`, so this 'none' is never sent.
    return this.recipe?.ok === true ? this.recipe.recipe : 'none';
  }

  private buildConfig(): TrainingConfigInput {
    const number = (value: number | null | undefined): number => (value === null || value === undefined ? Number.NaN : value);
    return {
      preset: this.presetName,
      ...(this.featureSet === null ? {} : { featureSet: this.featureSet as FeatureSetName }),
      split: this.split.ok ? this.split.value : { kind: 'actors' },
      augmentation: this.augmentationConfig(),
      specAugment: this.specAugment,
      mixup: number(this.mixup),
      frequencyWarp: number(this.frequencyWarp),
      epochs: number(this.epochs),
      batchSize: number(this.batchSize),
      learningRate: number(this.learningRate),
      labelSmoothing: number(this.labelSmoothing),
      classWeights: this.classWeights,
      earlyStopping: this.earlyStopping ? { patience: number(this.earlyStoppingPatience), restoreBestWeights: this.restoreBestWeights } : null,
      reduceLrOnPlateau: this.reduceLr ? { factor: number(this.reduceLrFactor), patience: number(this.reduceLrPatience), minLr: number(this.reduceLrMinLr) } : null,
      seed: number(this.seed),
      members: number(this.members),
      memberViews: this.memberViews,
      backend: this.backend,
    };
  }
}
