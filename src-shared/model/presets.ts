import { FEATURE_SET_SHAPES, type FeatureSetName } from '../dsp/seed.js';
import type { MemberViews } from './level-view.js';
import { parseModelSpec, type LayerSpecInput, type ModelSpec } from './model-spec.js';

/** How a preset trains unless the user changes it. */
export interface TrainingDefaults {
  epochs: number;
  batchSize: number;
  /** Adam's step size. */
  learningRate: number;
  /** 'seed-x3': the seed's original + noisy + pitch-shifted copies of each training clip. */
  augmentation: 'none' | 'seed-x3';
  /** Random time and frequency masks on spectrogram inputs (meaningless for seed-2376). */
  specAugment: boolean;
  /** Beta(alpha, alpha) mixup of pairs of examples; 0 turns it off. */
  mixup: number;
  /** Frequency warping of spectrogram inputs, the largest relative stretch of the band axis; 0 turns it off. */
  frequencyWarp: number;
  /** Weight moved from the true class to a uniform target, e.g. 0.1. */
  labelSmoothing: number;
  /** EarlyStopping's patience in epochs (the seed's 5). */
  patience: number;
  /** Models trained with seeds seed, seed + 1, … whose probabilities are averaged; 1 is a single model. */
  members: number;
  /** 'alternate': every second member reads the log-mel image relative to its peak (level-view.ts). */
  memberViews: MemberViews;
  /** 'balanced' weighs each class by n / (k · n_class): RAVDESS has half as many neutral clips. */
  classWeights: 'none' | 'balanced';
}

export interface ModelPreset {
  name: string;
  title: string;
  description: string;
  featureSet: FeatureSetName;
  /** Normalised (every default filled); its inputShape is modelInputShape(featureSet). */
  spec: ModelSpec;
  defaults: TrainingDefaults;
}

/**
 * A model's input shape for a feature set: the features' shape plus a channel axis of 1, since
 * Conv1D / Conv2D want [steps, channels] / [rows, columns, channels]. The trainer appends that
 * axis to each example (a reshape, no copy), so the cached features keep their own shape.
 */
export function modelInputShape(featureSet: FeatureSetName): number[] {
  return [...FEATURE_SET_SHAPES[featureSet], 1];
}

const conv1d = (filters: number, kernelSize: number): LayerSpecInput => ({
  className: 'Conv1D',
  config: { filters, kernelSize, activation: 'relu', padding: 'same' },
});
const batchNorm = (momentum: number): LayerSpecInput => ({ className: 'BatchNormalization', config: { momentum } });
const maxPool1d = (poolSize: number, strides: number): LayerSpecInput => ({
  className: 'MaxPooling1D',
  config: { poolSize, strides, padding: 'same' },
});
const dropout = (rate: number): LayerSpecInput => ({ className: 'Dropout', config: { rate } });
const dense = (units: number, activation: 'relu' | 'softmax'): LayerSpecInput => ({ className: 'Dense', config: { units, activation } });

/**
 * The seed notebook's CNN on its 2376 features, parametrised by width: five Conv1D + BN + 'same'
 * MaxPool blocks (length 2376 → 75), Flatten, Dense + BN, Dense softmax over the 8 emotions.
 */
function seedTopology(filters: readonly number[], denseUnits: number, momentum: number): LayerSpecInput[] {
  const [f1, f2, f3, f4, f5] = filters;
  return [
    conv1d(f1, 5), batchNorm(momentum), maxPool1d(5, 2),
    conv1d(f2, 5), batchNorm(momentum), maxPool1d(5, 2), dropout(0.2),
    conv1d(f3, 5), batchNorm(momentum), maxPool1d(5, 2),
    conv1d(f4, 3), batchNorm(momentum), maxPool1d(5, 2), dropout(0.2),
    conv1d(f5, 3), batchNorm(momentum), maxPool1d(3, 2), dropout(0.2),
    { className: 'Flatten' },
    dense(denseUnits, 'relu'), batchNorm(momentum),
    dense(8, 'softmax'),
  ];
}

/** Four 3×3 Conv2D + BN + ReLU + 2×2 MaxPool blocks, global average pooling, Dropout, Dense softmax. */
function melTopology(momentum: number): LayerSpecInput[] {
  const block = (filters: number): LayerSpecInput[] => [
    { className: 'Conv2D', config: { filters, kernelSize: 3, padding: 'same' } },
    batchNorm(momentum),
    { className: 'Activation', config: { activation: 'relu' } },
    // 'valid' floors odd sizes (108 → 54 → 27 → 13 → 6), as the PyTorch reference's MaxPool2d(2).
    { className: 'MaxPooling2D', config: { poolSize: 2 } },
  ];
  return [
    ...block(32), ...block(64), ...block(128), ...block(128),
    { className: 'GlobalAveragePooling2D' },
    dropout(0.3),
    dense(8, 'softmax'),
  ];
}

/**
 * A temporal CNN on log-mel spectrograms: the 64 bands become channels of a 1-D convolution over
 * the 108 frames (Reshape + Permute), three Conv1D + BN blocks and global average pooling over
 * time. About 20 times cheaper per example than the 2-D CNN, so it affords many epochs of
 * SpecAugment and mixup in minutes.
 */
function temporalTopology(momentum: number): LayerSpecInput[] {
  return [
    { className: 'Reshape', config: { targetShape: [64, 108] } },
    { className: 'Permute', config: { dims: [2, 1] } },
    conv1d(128, 5), batchNorm(momentum), { className: 'MaxPooling1D', config: { poolSize: 2 } }, dropout(0.1),
    conv1d(128, 3), batchNorm(momentum), { className: 'MaxPooling1D', config: { poolSize: 2 } }, dropout(0.1),
    conv1d(128, 3), batchNorm(momentum),
    { className: 'GlobalStatsPooling1D' },
    dropout(0.3),
    dense(8, 'softmax'),
  ];
}

function spec(name: string, featureSet: FeatureSetName, layers: LayerSpecInput[]): ModelSpec {
  return parseModelSpec({ format: 'emotion-studio.model-spec', version: 1, name, inputShape: modelInputShape(featureSet), layers });
}

/** The seed notebook's fit: Adam 1e-3, batch 64, up to 50 epochs, on ×3-augmented clips. */
const SEED_DEFAULTS: TrainingDefaults = {
  epochs: 50,
  batchSize: 64,
  learningRate: 1e-3,
  augmentation: 'seed-x3',
  specAugment: false,
  mixup: 0,
  frequencyWarp: 0,
  labelSmoothing: 0,
  patience: 5,
  members: 1,
  memberViews: 'same',
  classWeights: 'none',
};

/** mel-tcnn's fit: many cheap epochs of SpecAugment and mixup (mel-cnn2d's too, with fewer epochs). */
const MEL_TCNN_DEFAULTS: TrainingDefaults = {
  epochs: 80,
  batchSize: 32,
  learningRate: 1e-3,
  augmentation: 'none',
  specAugment: true,
  mixup: 0.2,
  frequencyWarp: 0,
  labelSmoothing: 0.1,
  // With mixup and SpecAugment the validation loss of 120 clips is noisy: patience 5 stopped
  // runs after 9–18 epochs at 44–54 %, 10–12 let them run 28–37 epochs to 57–61 %.
  patience: 12,
  members: 1,
  memberViews: 'same',
  classWeights: 'none',
};

/** See README, "Which preset": the ensemble size of the default preset. */
const ABS_ENSEMBLE_MEMBERS = 5;

export const PRESET_NAMES = ['seed-cnn1d', 'small-cnn1d', 'mel-cnn2d', 'mel-tcnn', 'mel-tcnn-abs', 'tiny-cnn1d'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const MODEL_PRESETS: Readonly<Record<PresetName, ModelPreset>> = {
  'seed-cnn1d': {
    name: 'seed-cnn1d',
    title: 'Seed CNN (1-D)',
    description:
      "The seed notebook's model, layer for layer: 7.19 M parameters on the 2376 ZCR/RMS/MFCC features. " +
      "Keeps Keras' BatchNorm momentum 0.99, whose moving statistics lag with few steps per epoch.",
    featureSet: 'seed-2376',
    spec: spec('seed-cnn1d', 'seed-2376', seedTopology([512, 512, 256, 256, 128], 512, 0.99)),
    defaults: { ...SEED_DEFAULTS },
  },
  'small-cnn1d': {
    name: 'small-cnn1d',
    title: 'Small CNN (1-D)',
    description:
      "The seed's topology at an eighth of its width (filters 64/64/32/32/16, Dense 128; 192 k parameters) with " +
      'BatchNorm momentum 0.9, so its evaluation-mode accuracy follows training from the first epochs.',
    featureSet: 'seed-2376',
    spec: spec('small-cnn1d', 'seed-2376', seedTopology([64, 64, 32, 32, 16], 128, 0.9)),
    defaults: { ...SEED_DEFAULTS },
  },
  'mel-cnn2d': {
    name: 'mel-cnn2d',
    title: 'Log-mel CNN (2-D)',
    description:
      'A small 2-D CNN on 64-band log-mel spectrograms: four 3×3 conv blocks and global average pooling (243 k parameters), ' +
      'regularised with SpecAugment masks, mixup and label smoothing rather than waveform copies.',
    featureSet: 'logmel-64',
    spec: spec('mel-cnn2d', 'logmel-64', melTopology(0.9)),
    // mel-tcnn's regularisation (SpecAugment and mixup make fresh variations every epoch, at no
    // feature-extraction cost); fewer, costlier epochs and the seed's patience
    defaults: { ...MEL_TCNN_DEFAULTS, epochs: 60, patience: 5 },
  },
  'mel-tcnn': {
    name: 'mel-tcnn',
    title: 'Log-mel temporal CNN (1-D over time)',
    description:
      'Three 1-D conv blocks over time with the 64 log-mel bands as channels and statistics pooling (143 k parameters): ' +
      'cheap enough per example to train many epochs with SpecAugment and mixup in a few minutes on a laptop CPU.',
    featureSet: 'logmel-64',
    spec: spec('mel-tcnn', 'logmel-64', temporalTopology(0.9)),
    defaults: MEL_TCNN_DEFAULTS,
  },
  'mel-tcnn-abs': {
    name: 'mel-tcnn-abs',
    title: 'Log-mel temporal CNN on absolute levels, ensemble',
    description:
      "mel-tcnn on log-mels in absolute dB (logmel-64-abs), which keep how loud the voice is — a strong cue to arousal that " +
      "ref='max' images remove — as an ensemble whose members alternate between the absolute image and the image relative " +
      'to its peak, with consecutive seeds; their probabilities are averaged.',
    featureSet: 'logmel-64-abs',
    spec: spec('mel-tcnn-abs', 'logmel-64-abs', temporalTopology(0.9)),
    // balanced class weights lift neutral (half as many clips) and with it UAR: docs/accuracy.md
    defaults: { ...MEL_TCNN_DEFAULTS, members: ABS_ENSEMBLE_MEMBERS, memberViews: 'alternate', classWeights: 'balanced' },
  },
  'tiny-cnn1d': {
    name: 'tiny-cnn1d',
    title: 'Tiny CNN (1-D, for tests)',
    description: 'Two narrow conv blocks and global average pooling (under 600 parameters): trains on a few dozen clips in seconds.',
    featureSet: 'seed-2376',
    spec: spec('tiny-cnn1d', 'seed-2376', [
      conv1d(8, 5), batchNorm(0.9), maxPool1d(4, 4),
      conv1d(8, 5), batchNorm(0.9),
      { className: 'GlobalAveragePooling1D' },
      dense(8, 'softmax'),
    ]),
    defaults: { epochs: 3, batchSize: 16, learningRate: 3e-3, augmentation: 'none', specAugment: false, mixup: 0, frequencyWarp: 0, labelSmoothing: 0, patience: 5, members: 1, memberViews: 'same', classWeights: 'none' },
  },
};

/**
 * The preset the UI and CLI start from, chosen by measured speaker-independent accuracy within the
 * 15 minutes a laptop run may take (README, "Which preset"; docs/accuracy.md): on actors 19–20
 * held out, one mel-tcnn reached 57–62 % in 1–4 minutes here and five of them 61.7 %; mel-tcnn-abs
 * (five members, absolute and peak-relative views, balanced class weights) 66.7–67.5 %, UAR
 * 68.8–69.5 %, in 6–7 minutes; the seed CNN needs minutes per epoch.
 */
export const DEFAULT_PRESET: PresetName = 'mel-tcnn-abs';

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}
