import { describe, expect, it } from 'vitest';
import type { RunEpoch, RunPrediction, RunProgress, RunSummary, SavedRecipe } from '../../../src-shared/contract/index.js';
import { augmentSettingsSchema, type AugmentRecipe } from '../../../src-shared/model/augment-recipe.js';
import { trainingConfigSchema, type TrainingConfig } from '../../../src-shared/model/training-config.js';
import { configProblems, plainIssue } from '../../../src-renderer/lib/training/config-check.js';
import { configDiff, configKeyName, flattenConfig, formatNumber } from '../../../src-renderer/lib/training/config-diff.js';
import { alignedEpochs, clipDiff, epochCurves, mergeEpoch } from '../../../src-renderer/lib/training/curves.js';
import { describeRecipe, findRecipe, recipeCopiesText } from '../../../src-renderer/lib/training/recipe-choice.js';
import { augmentationDetail, augmentationName, formatDuration, formatPercent, isRecipe, progressFraction } from '../../../src-renderer/lib/training/run-format.js';
import { filterRuns, parseTags, sortRuns } from '../../../src-renderer/lib/training/run-table.js';
import { defaultActorSplit, formatActorList, parseActorList, previewSplit } from '../../../src-renderer/lib/training/split-preview.js';
import { viewForDigit, viewForLetter, viewFromHash, viewHash, VIEWS } from '../../../src-renderer/lib/views/navigation.js';

/** A stored config as the engine resolves it for tiny-cnn1d. */
function config(fields: Partial<TrainingConfig> = {}): TrainingConfig {
  const parsed = trainingConfigSchema.parse({ preset: 'tiny-cnn1d', ...fields });
  return { featureSet: 'seed-2376', augmentation: 'none', specAugment: false, mixup: 0, epochs: 3, batchSize: 16, learningRate: 3e-3, labelSmoothing: 0, earlyStopping: { patience: 5, restoreBestWeights: true }, members: 1, ...parsed } as TrainingConfig;
}

function epoch(n: number, fields: Partial<RunEpoch> = {}): RunEpoch {
  return { epoch: n, member: 1, loss: 2 - n / 10, acc: n / 10, valLoss: 2.1 - n / 10, valAcc: n / 12, lr: 1e-3, durationMs: 100, samplesPerSec: 500, at: '2026-01-01T00:00:00Z', ...fields };
}

function run(id: number, fields: Partial<RunSummary> = {}): RunSummary {
  return {
    id,
    name: `run ${id}`,
    status: 'finished',
    preset: 'tiny-cnn1d',
    featureSet: 'seed-2376',
    tags: [],
    config: config(),
    backend: 'wasm',
    backendVersion: null,
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    durationMs: 1000 * id,
    bestEpoch: null,
    bestValLoss: null,
    bestValAcc: null,
    test: null,
    error: null,
    progress: null,
    epochsDone: 3,
    modelDir: null,
    ...fields,
  };
}

function prediction(clipId: number, label: string, predicted: string): RunPrediction {
  return { clipId, relPath: `a/${clipId}.wav`, actor: 1, split: 'test', label, currentLabel: label, predicted, confidence: 0.5, loss: 1, probabilities: [] };
}

describe('split preview', () => {
  it('defaults to the last two actors for test and the two before them for validation', () => {
    expect(defaultActorSplit([4, 1, 3, 2, 24, 23, 22, 21])).toEqual({ test: [23, 24], val: [21, 22] });
    // with fewer than five, two and two would leave no one to train on
    expect(defaultActorSplit([1, 2, 3, 4])).toEqual({ test: [4], val: [3] });
    expect(defaultActorSplit([1, 2, 3, 4, 5])).toEqual({ test: [4, 5], val: [2, 3] });
    expect(defaultActorSplit([])).toEqual({ test: [], val: [] });
  });

  it('parses actor lists with ranges and says what is wrong in words', () => {
    expect(parseActorList('23, 24')).toEqual({ actors: [23, 24] });
    expect(parseActorList('1-3 7,7')).toEqual({ actors: [1, 2, 3, 7] });
    expect(parseActorList('')).toEqual({ actors: [] });
    expect(parseActorList('4-2')).toEqual({ error: '"4-2" is a range that runs backwards' });
    expect(parseActorList('x')).toEqual({ error: '"x" is not an actor number' });
    expect(formatActorList([1, 2, 3, 4, 7, 9, 10])).toBe('1–4, 7, 9, 10');
  });

  it("runs the engine's own split, guard messages included", () => {
    const actors = [1, 2, 3, 4];
    expect(previewSplit(actors, { kind: 'actors' })).toEqual({ ok: false, error: 'no actors are left for training' });
    expect(previewSplit(actors, { kind: 'actors', testActors: [4], valActors: [3] })).toEqual({ ok: true, groups: { train: [1, 2], val: [3], test: [4] } });
    expect(previewSplit(actors, { kind: 'actors', testActors: [3], valActors: [3, 2] })).toEqual({ ok: false, error: 'actor 3 is in both the validation and the test split' });
    expect(previewSplit(actors, { kind: 'kfold', folds: 4, fold: 3 })).toEqual({ ok: true, groups: { train: [2, 3], val: [1], test: [4] } });
    expect(previewSplit([1, 2], { kind: 'actors' })).toMatchObject({ ok: false });
  });
});

describe('config diff', () => {
  it('flattens nested settings to dotted keys and writes numbers as people do', () => {
    const flat = flattenConfig(config({ learningRate: 0.0005 }));
    expect(flat.get('learningRate')).toBe('5e-4');
    expect(flat.get('earlyStopping.patience')).toBe('5');
    expect(flat.get('reduceLrOnPlateau.minLr')).toBe('1e-6');
    expect(flat.get('split.kind')).toBe('actors');
    expect(flat.has('filter')).toBe(true);
    expect(flattenConfig({ earlyStopping: null }).get('earlyStopping')).toBe('off');
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
  });

  it('shows only the keys whose values differ', () => {
    const a = config({ learningRate: 0.003, epochs: 3 });
    const b = config({ learningRate: 0.01, epochs: 5 });
    expect(configDiff([a, b])).toEqual([
      { key: 'epochs', values: ['3', '5'] },
      { key: 'learningRate', values: ['0.003', '0.01'] },
    ]);
    expect(configDiff([a, a, a])).toEqual([]);
    const c = config({ earlyStopping: null });
    expect(configDiff([a, c]).map((row) => row.key)).toEqual(['earlyStopping.patience', 'earlyStopping.restoreBestWeights', 'earlyStopping']);
    expect(configKeyName('learningRate')).toBe('Learning rate');
    expect(configKeyName('unknown.key')).toBe('unknown.key');
  });
});

describe('config problems', () => {
  it('names the field and the bound in plain words', () => {
    expect(configProblems({ preset: 'tiny-cnn1d', epochs: 0, learningRate: 0, batchSize: 2.5, mixup: Number.NaN })).toEqual([
      'Mixup α: a number is needed',
      'Epochs: at least 1',
      'Batch size: a whole number is needed',
      'Learning rate: more than 0',
    ]);
    expect(configProblems({ preset: 'tiny-cnn1d' })).toEqual([]);
    expect(plainIssue('Too big: expected number to be <1')).toBe('less than 1');
  });
});

describe('curves', () => {
  it('turns epochs into uPlot columns', () => {
    const curves = epochCurves([epoch(2), epoch(1, { valLoss: null })]);
    expect(curves.x).toEqual([1, 2]);
    expect(curves.valLoss).toEqual([null, 2.1 - 0.2]);
  });

  it('aligns runs of different lengths on one epoch axis, with gaps', () => {
    const { x, series } = alignedEpochs([[epoch(1), epoch(2), epoch(3)], [epoch(1)]], (e) => e.acc);
    expect(x).toEqual([1, 2, 3]);
    expect(series).toEqual([
      [0.1, 0.2, 0.3],
      [0.1, null, null],
    ]);
    expect(alignedEpochs([], (e) => e.acc)).toEqual({ x: [], series: [] });
  });

  it('merges an epoch, dropping the epochs a resume rewrites', () => {
    expect(mergeEpoch([epoch(1), epoch(2), epoch(3)], epoch(2, { loss: 9 })).map((e) => [e.epoch, e.loss])).toEqual([
      [1, 1.9],
      [2, 9],
    ]);
    expect(mergeEpoch([epoch(1)], epoch(2)).map((e) => e.epoch)).toEqual([1, 2]);
  });

  it('diffs two runs clip by clip', () => {
    const a = [prediction(1, 'sad', 'sad'), prediction(2, 'sad', 'angry'), prediction(3, 'calm', 'calm'), prediction(9, 'calm', 'calm')];
    const b = [prediction(1, 'sad', 'happy'), prediction(2, 'sad', 'sad'), prediction(3, 'calm', 'calm')];
    const diff = clipDiff(a, b);
    expect(diff.shared).toBe(3);
    expect(diff.onlyA.map((d) => d.a.clipId)).toEqual([1]);
    expect(diff.onlyB.map((d) => d.b.clipId)).toEqual([2]);
  });
});

describe('run formatting', () => {
  const progress = (fields: Partial<RunProgress>): RunProgress => ({ phase: 'training', done: 0, total: 4, epoch: 1, epochs: 10, loss: null, acc: null, samplesPerSec: null, etaSec: null, at: '', ...fields });

  it('measures progress over the configured epochs', () => {
    expect(progressFraction(null, 0)).toBe(0);
    expect(progressFraction(progress({ phase: 'features', done: 30, total: 60 }), 0)).toBe(0.5);
    expect(progressFraction(progress({ epoch: 3, done: 2, total: 4 }), 2)).toBeCloseTo(0.25, 12);
    // the last batch of epoch 3 reported, its epoch record not yet
    expect(progressFraction(progress({ epoch: 3, done: 4, total: 4 }), 2)).toBeCloseTo(0.3, 12);
    expect(progressFraction(progress({ epoch: 3, done: 4, total: 4 }), 3)).toBeCloseTo(0.3, 12);
    expect(progressFraction(progress({ phase: 'evaluating', total: 0 }), 10)).toBe(1);
  });

  it('writes durations, percentages and augmentations for people', () => {
    expect(formatDuration(950)).toBe('950 ms');
    expect(formatDuration(12_400)).toBe('12.4 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(3_720_000)).toBe('1 h 02 min');
    expect(formatDuration(null)).toBe('–');
    expect(formatPercent(0.8333)).toBe('83.3 %');
    expect(formatPercent(null)).toBe('–');
    expect(augmentationName('seed-x3')).toBe('seed-x3');
    expect(augmentationName({ name: 'mine', copies: [] })).toBe('recipe "mine"');
  });
});

describe('saved recipes as augmentation', () => {
  const pitchNoise: AugmentRecipe = { name: 'pitch-noise', copies: [augmentSettingsSchema.parse({ pitchSemitones: 2, noiseAmount: 0.03 })] };
  const two: AugmentRecipe = { name: 'two', copies: [augmentSettingsSchema.parse({ stretchRate: 0.9 }), augmentSettingsSchema.parse({ denoise: true, shiftSec: -0.1 })] };
  const saved = (id: number, recipe: AugmentRecipe): SavedRecipe => ({ id, recipe, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' });

  it('describes each copy in the Augment view’s words', () => {
    expect(describeRecipe(pitchNoise)).toBe('pitch +2 st · noise 0.03');
    expect(describeRecipe(two)).toBe('stretch ×0.9 | denoise · shift -0.1 s');
    expect(recipeCopiesText(pitchNoise)).toBe('1 extra copy per training clip');
    expect(recipeCopiesText(two)).toBe('2 extra copies per training clip');
    expect(augmentationDetail(pitchNoise)).toBe('1 extra copy per training clip: pitch +2 st · noise 0.03');
    expect(augmentationDetail('seed-x3')).toBe('seed-x3');
    expect(isRecipe(pitchNoise)).toBe(true);
    expect(isRecipe('none')).toBe(false);
    expect(isRecipe({ name: 'no copies' })).toBe(false);
  });

  it('finds the chosen recipe by name as plain config data, and says why when it cannot', () => {
    const list = [saved(1, pitchNoise), saved(2, two)];
    const found = findRecipe(list, 'two');
    expect(found).toEqual({ ok: true, recipe: two });
    // a copy: the config sent is not the listed object
    if (found.ok) expect(found.recipe.copies[0]).not.toBe(two.copies[0]);
    expect(findRecipe(list, 'gone')).toEqual({ ok: false, reason: 'missing' });
    expect(findRecipe(null, 'two')).toEqual({ ok: false, reason: 'loading' });
    // what the form sends is what the engine accepts
    const parsed = trainingConfigSchema.parse({ preset: 'tiny-cnn1d', augmentation: found.ok ? found.recipe : 'none' });
    expect(parsed.augmentation).toEqual(two);
  });

  it('compares a recipe run with a seed-x3 run on one Augmentation row', () => {
    const flat = flattenConfig(config({ augmentation: pitchNoise }));
    expect(flat.get('augmentation')).toBe('recipe "pitch-noise"');
    expect(flat.get('augmentation.copies')).toBe('pitch +2 st · noise 0.03');
    expect(flat.has('augmentation.name')).toBe(false);
    const rows = configDiff([config({ augmentation: 'seed-x3' }), config({ augmentation: pitchNoise })]);
    expect(rows).toEqual([
      { key: 'augmentation', values: ['seed-x3', 'recipe "pitch-noise"'] },
      { key: 'augmentation.copies', values: ['—', 'pitch +2 st · noise 0.03'] },
    ]);
    expect(configKeyName('augmentation.copies')).toBe('Augmented copies');
  });
});

describe('run table', () => {
  const runs = [
    run(1, { test: { accuracy: 0.5, uar: 0.5, macroF1: 0.4 }, tags: ['baseline'] }),
    run(2, { test: null, status: 'failed', name: 'broken' }),
    run(3, { test: { accuracy: 0.7, uar: 0.6, macroF1: 0.6 }, backend: 'cpu' }),
  ];

  it('sorts by a column, missing values last either way', () => {
    expect(sortRuns(runs, 'testAcc', true).map((r) => r.id)).toEqual([3, 1, 2]);
    expect(sortRuns(runs, 'testAcc', false).map((r) => r.id)).toEqual([1, 3, 2]);
    expect(sortRuns(runs, 'name', false).map((r) => r.id)).toEqual([2, 1, 3]);
    expect(sortRuns(runs, 'duration', true).map((r) => r.id)).toEqual([3, 2, 1]);
  });

  it('filters by words and status', () => {
    expect(filterRuns(runs, { text: 'baseline', status: 'all' }).map((r) => r.id)).toEqual([1]);
    expect(filterRuns(runs, { text: 'cpu', status: 'all' }).map((r) => r.id)).toEqual([3]);
    expect(filterRuns(runs, { text: '', status: 'failed' }).map((r) => r.id)).toEqual([2]);
    expect(filterRuns(runs, { text: 'tiny run', status: 'finished' }).map((r) => r.id)).toEqual([1, 3]);
  });

  it('parses tags', () => {
    expect(parseTags('baseline, lr sweep,, baseline')).toEqual(['baseline', 'lr-sweep']);
  });
});

describe('navigation', () => {
  it('remembers views in the fragment and maps keys to views', () => {
    for (const view of VIEWS) expect(viewFromHash(viewHash(view))).toBe(view);
    expect(viewFromHash('')).toBeNull();
    expect(viewFromHash('#nothing')).toBeNull();
    expect(viewFromHash('#browse')).toBeNull();
    expect(viewForDigit('4')).toBe('train');
    expect(viewForDigit('9')).toBeNull();
    expect(viewForLetter('E')).toBe('experiments');
    expect(viewForLetter('i')).toBe('import');
  });
});
