import { describeRecipe } from './recipe-choice.js';
import { augmentationName, isRecipe } from './run-format.js';

/** A value that can appear in a stored training config (JSON). */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * A config as flat "dotted.key" → display text. Nested objects recurse ("earlyStopping.patience");
 * arrays and empty objects stay whole ("split.testActors" → "[23,24]"); null reads "off".
 */
export function flattenConfig(config: object): Map<string, string> {
  const flat = new Map<string, string>();
  const visit = (value: Json | undefined, key: string): void => {
    if (value === undefined) return;
    // A recipe reads as its name beside 'seed-x3' or 'none' on one row, its copies on the next.
    if (key === 'augmentation' && isRecipe(value)) {
      flat.set(key, augmentationName(value));
      flat.set('augmentation.copies', describeRecipe(value));
      return;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [child, inner] of Object.entries(value)) visit(inner, key === '' ? child : `${key}.${child}`);
      return;
    }
    flat.set(key, formatValue(value));
  };
  visit(config as Json, '');
  return flat;
}

function formatValue(value: Json): string {
  if (value === null) return 'off';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Numbers as a person writes them: 0.001, 1e-6, 42. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential();
  return String(Number(value.toPrecision(6)));
}

export interface ConfigDiffRow {
  key: string;
  /** One entry per config, in the order given; '—' where a config lacks the key. */
  values: string[];
}

/** The keys whose values differ between the configs, in the first config's key order. */
export function configDiff(configs: readonly object[]): ConfigDiffRow[] {
  const flats = configs.map(flattenConfig);
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const flat of flats) {
    for (const key of flat.keys()) {
      if (!seen.has(key)) {
        seen.add(key);
        keys.push(key);
      }
    }
  }
  return keys
    .map((key) => ({ key, values: flats.map((flat) => flat.get(key) ?? '—') }))
    .filter((row) => row.values.some((value) => value !== row.values[0]));
}

const KEY_NAMES: Record<string, string> = {
  preset: 'Preset',
  featureSet: 'Feature set',
  augmentation: 'Augmentation',
  'augmentation.copies': 'Augmented copies',
  specAugment: 'SpecAugment',
  mixup: 'Mixup α',
  frequencyWarp: 'Frequency warp',
  epochs: 'Epochs',
  batchSize: 'Batch size',
  learningRate: 'Learning rate',
  labelSmoothing: 'Label smoothing',
  classWeights: 'Class weights',
  earlyStopping: 'Early stopping',
  'earlyStopping.patience': 'Early stopping patience',
  'earlyStopping.restoreBestWeights': 'Restore best weights',
  reduceLrOnPlateau: 'Reduce LR on plateau',
  'reduceLrOnPlateau.factor': 'LR plateau factor',
  'reduceLrOnPlateau.patience': 'LR plateau patience',
  'reduceLrOnPlateau.minLr': 'Minimum LR',
  seed: 'Seed',
  members: 'Ensemble members',
  memberViews: 'Member views',
  microBatch: 'Micro-batch',
  backend: 'Backend',
  exportFloat16: 'float16 export',
  'split.kind': 'Split',
  'split.testActors': 'Test actors',
  'split.valActors': 'Validation actors',
  'split.folds': 'Folds',
  'split.fold': 'Fold',
};

/** A readable name for a dotted config key ("learningRate" → "Learning rate"). */
export function configKeyName(key: string): string {
  return KEY_NAMES[key] ?? key;
}
