import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { Random } from '../../src-shared/dsp/random.js';
import { DEFAULT_SPEC_AUGMENT, frequencyWarp, mixup, specAugment } from '../../src-shared/model/batch-augment.js';
import { argmaxRows } from '../../src-shared/model/metrics.js';
import type { ModelSpec } from '../../src-shared/model/model-spec.js';
import { applyScaler, fitScaler, type StandardScaler } from '../../src-shared/model/scaler.js';
import type { TrainingConfig } from '../../src-shared/model/training-config.js';
import { loadCheckpoint, saveCheckpoint, type TrainerState } from './checkpoint.js';
import type { SplitData, TrainingDataset } from './dataset-files.js';
import { crossEntropy, rowLosses } from './loss.js';
import { registerTensorflowGradients, withFastLayers } from './fast-ops/index.js';
import { buildModel } from './model-builder.js';

export interface EpochRecord {
  epoch: number;
  loss: number;
  acc: number;
  valLoss: number;
  valAcc: number;
  lr: number;
  durationMs: number;
  samplesPerSec: number;
}

export interface BatchProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Running means over the epoch so far. */
  loss: number;
  acc: number;
  samplesPerSec: number;
  /** Seconds left if every remaining epoch runs (early stopping may end sooner). */
  etaSec: number;
}

export interface TrainerOptions {
  dataset: TrainingDataset;
  spec: ModelSpec;
  config: TrainingConfig;
  /** Where checkpoints go; a resumed run reads the last one from here. */
  checkpointDir: string;
  resume: boolean;
  /** Largest micro-batch the backend holds (wasm's heap); batches are split and their gradients summed. */
  maxMicroBatch?: number;
  isCancelled(): boolean;
  onProgress(progress: BatchProgress): void;
  onEpoch(record: EpochRecord): void;
}

export interface TrainerResult {
  model: tfl.LayersModel;
  scaler: StandardScaler;
  history: EpochRecord[];
  bestEpoch: number;
  stoppedBy: 'early-stopping' | 'max-epochs' | 'cancelled';
}

/** The spec with its last Dense layer sized to the number of classes. */
export function withClasses(spec: ModelSpec, classes: number): ModelSpec {
  const layers = spec.layers.map((layer) => ({ ...layer, config: { ...layer.config } }));
  const last = layers[layers.length - 1];
  if (last === undefined || last.className !== 'Dense') throw new Error(`model ${spec.name}: the last layer must be Dense (the class probabilities)`);
  (last.config as { units: number }).units = classes;
  return { ...spec, layers } as ModelSpec;
}

/** Features scaled for the model: a copy, so the dataset keeps its raw values. */
export function scaled(scaler: StandardScaler, data: SplitData): Float32Array {
  return applyScaler(scaler, data.x.slice());
}

type LearningRateHolder = { learningRate: number };

/**
 * The training loop: Adam on categorical cross-entropy, shuffled mini-batches (split into
 * micro-batches whose gradients are summed when the backend cannot hold a whole batch), mixup and
 * SpecAugment on training batches, EarlyStopping and ReduceLROnPlateau on validation loss, a
 * checkpoint after every epoch. Synchronous kernels: run it only in a process or thread that
 * serves nothing else.
 */
export async function train(options: TrainerOptions): Promise<TrainerResult> {
  const { dataset, config } = options;
  const k = dataset.labels.length;
  const width = dataset.featureShape.reduce((a, b) => a * b, 1);
  const spec = withClasses(options.spec, k);
  const inputSize = spec.inputShape.reduce((a, b) => a * b, 1);
  if (inputSize !== width) throw new Error(`model ${spec.name} takes ${spec.inputShape.join('×')} inputs; the features are ${dataset.featureShape.join('×')}`);

  const scaler = fitScaler(dataset.splits.train.x, width);
  const xTrain = scaled(scaler, dataset.splits.train);
  const xVal = scaled(scaler, dataset.splits.val);
  const yTrain = dataset.splits.train.y;
  const yVal = dataset.splits.val.y;
  const n = yTrain.length;
  if (n === 0) throw new Error('the training split is empty');

  // On tfjs-node, Conv1D / BatchNormalization / Dropout run as native TensorFlow ops with
  // native gradients (same classes, configs and weights: docs/training-speed.md).
  const built = buildModel(spec, { seed: config.seed });
  let model = built;
  if (tf.getBackend() === 'tensorflow') {
    registerTensorflowGradients();
    model = withFastLayers(built);
    built.dispose();
  }
  const optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, 1e-7);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const classWeights = config.classWeights === 'balanced' ? balancedWeights(yTrain, k) : null;
  const isSpectrogram = dataset.featureShape.length === 2;

  let state: TrainerState = {
    epoch: 0,
    learningRate: config.learningRate,
    bestValLoss: Number.POSITIVE_INFINITY,
    bestEpoch: 0,
    sinceBest: 0,
    sinceLrImproved: 0,
    lrBestValLoss: Number.POSITIVE_INFINITY,
    history: [],
  };
  let bestWeights: tf.Tensor[] | null = null;
  if (options.resume) {
    const restored = await loadCheckpoint(options.checkpointDir, model, optimizer, variables);
    if (restored !== null) {
      state = restored.state;
      bestWeights = restored.bestWeights;
    }
  }
  setLearningRate(optimizer, state.learningRate);

  const batchSize = Math.min(config.batchSize, n);
  const micro = Math.max(1, Math.min(batchSize, config.microBatch > 0 ? config.microBatch : (options.maxMicroBatch ?? batchSize)));
  const batches = Math.ceil(n / batchSize);
  let stoppedBy: TrainerResult['stoppedBy'] = 'max-epochs';
  const epochTimes: number[] = [];

  for (let epoch = state.epoch + 1; epoch <= config.epochs; epoch++) {
    const started = performance.now();
    // One stream per epoch, so a run resumed from a checkpoint shuffles and augments as it would have.
    const random = new Random(config.seed * 7919 + epoch);
    const order = shuffled(random, n);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      if (options.isCancelled()) {
        stoppedBy = 'cancelled';
        break;
      }
      const rows = order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize));
      const { x, targets, hard } = gatherBatch(xTrain, yTrain, rows, width, k);
      if (isSpectrogram) frequencyWarp(random, x, dataset.featureShape[0], dataset.featureShape[1], config.frequencyWarp ?? 0);
      if (isSpectrogram && config.specAugment) specAugment(random, x, dataset.featureShape[0], dataset.featureShape[1], DEFAULT_SPEC_AUGMENT);
      if (config.mixup > 0) mixup(random, config.mixup, x, width, targets, k);
      const weights = classWeights === null ? null : Float32Array.from(hard, (label) => classWeights[label]);
      const step = trainStep(model, optimizer, variables, spec.inputShape, x, targets, hard, weights, rows.length, micro, k, config.labelSmoothing);
      lossSum += step.loss * rows.length;
      correct += step.correct;
      seen += rows.length;
      // lets the process read a cancel message between batches
      await new Promise<void>((resolve) => setImmediate(resolve));
      const elapsed = (performance.now() - started) / 1000;
      const samplesPerSec = seen / elapsed;
      const epochSec = n / samplesPerSec;
      options.onProgress({
        epoch,
        epochs: config.epochs,
        batch: b + 1,
        batches,
        loss: lossSum / seen,
        acc: correct / seen,
        samplesPerSec,
        etaSec: (n - seen) / samplesPerSec + (config.epochs - epoch) * (epochTimes.length > 0 ? median(epochTimes) : epochSec),
      });
    }
    if (stoppedBy === 'cancelled') break;

    const trainSec = (performance.now() - started) / 1000;
    const valProbabilities = predictProbabilities(model, spec.inputShape, xVal, 256);
    const val = lossAndAccuracy(valProbabilities, yVal, k);
    const durationMs = performance.now() - started;
    epochTimes.push(durationMs / 1000);
    const record: EpochRecord = {
      epoch,
      loss: lossSum / seen,
      acc: correct / seen,
      valLoss: val.loss,
      valAcc: val.accuracy,
      lr: state.learningRate,
      durationMs,
      samplesPerSec: seen / trainSec,
    };
    state.history.push(record);
    state.epoch = epoch;
    options.onEpoch(record);

    if (val.loss < state.bestValLoss) {
      state.bestValLoss = val.loss;
      state.bestEpoch = epoch;
      state.sinceBest = 0;
      bestWeights?.forEach((t) => t.dispose());
      bestWeights = model.getWeights().map((w) => w.clone());
    } else {
      state.sinceBest += 1;
    }
    // ReduceLROnPlateau, as Keras: its own wait counter and best, min_delta 1e-4 (relative 'min' mode).
    if (config.reduceLrOnPlateau !== null) {
      if (val.loss < state.lrBestValLoss - 1e-4) {
        state.lrBestValLoss = val.loss;
        state.sinceLrImproved = 0;
      } else if (++state.sinceLrImproved >= config.reduceLrOnPlateau.patience) {
        state.learningRate = Math.max(config.reduceLrOnPlateau.minLr, state.learningRate * config.reduceLrOnPlateau.factor);
        setLearningRate(optimizer, state.learningRate);
        state.sinceLrImproved = 0;
      }
    }
    const stop = config.earlyStopping !== null && state.sinceBest >= config.earlyStopping.patience;
    await saveCheckpoint(options.checkpointDir, state, model, optimizer, bestWeights);
    if (stop) {
      stoppedBy = 'early-stopping';
      break;
    }
  }

  if (stoppedBy !== 'cancelled' && bestWeights !== null && (config.earlyStopping?.restoreBestWeights ?? true)) model.setWeights(bestWeights);
  bestWeights?.forEach((t) => t.dispose());
  return { model, scaler, history: state.history, bestEpoch: state.bestEpoch, stoppedBy };
}

interface StepResult {
  loss: number;
  correct: number;
}

/** One optimizer update from a batch, its gradients summed over micro-batches. */
function trainStep(
  model: tfl.LayersModel,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  inputShape: number[],
  x: Float32Array,
  targets: Float32Array,
  hard: Int32Array,
  weights: Float32Array | null,
  rows: number,
  micro: number,
  k: number,
  labelSmoothing: number,
): StepResult {
  const width = x.length / rows;
  let loss = 0;
  let correct = 0;
  let summed: Record<string, tf.Tensor> | null = null;
  for (let start = 0; start < rows; start += micro) {
    const end = Math.min(rows, start + micro);
    const count = end - start;
    const result = tf.tidy(() => {
      const xs = tf.tensor(x.subarray(start * width, end * width), [count, ...inputShape]);
      const ys = tf.tensor2d(targets.subarray(start * k, end * k), [count, k]);
      const ws = weights === null ? null : tf.tensor1d(weights.subarray(start, end));
      let predictedClasses: tf.Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const probabilities = model.apply(xs, { training: true }) as tf.Tensor;
        predictedClasses = tf.keep(tf.argMax(probabilities, 1));
        return crossEntropy(probabilities, ys, ws, labelSmoothing, rows);
      }, variables);
      return { value, grads, predictedClasses: predictedClasses as unknown as tf.Tensor };
    });
    loss += result.value.dataSync()[0];
    const predicted = result.predictedClasses.dataSync();
    for (let i = 0; i < count; i++) if (predicted[i] === hard[start + i]) correct += 1;
    result.value.dispose();
    result.predictedClasses.dispose();
    if (summed === null) {
      summed = result.grads;
    } else {
      const previous: Record<string, tf.Tensor> = summed;
      summed = {};
      for (const name of Object.keys(previous)) {
        summed[name] = tf.add(previous[name], result.grads[name]);
        previous[name].dispose();
        result.grads[name].dispose();
      }
    }
  }
  if (summed !== null) {
    optimizer.applyGradients(summed as tf.NamedTensorMap);
    for (const tensor of Object.values(summed)) tensor.dispose();
  }
  return { loss, correct };
}

/** Softmax outputs for rows of scaled features, in batches: [rows][k]. */
export function predictProbabilities(model: tfl.LayersModel, inputShape: number[], x: Float32Array, batch: number): Float32Array {
  const width = inputShape.reduce((a, b) => a * b, 1);
  const rows = x.length / width;
  const k = model.outputs[0].shape[1] as number;
  const out = new Float32Array(rows * k);
  for (let start = 0; start < rows; start += batch) {
    const end = Math.min(rows, start + batch);
    const values = tf.tidy(() => {
      const xs = tf.tensor(x.subarray(start * width, end * width), [end - start, ...inputShape]);
      return (model.predict(xs) as tf.Tensor).dataSync() as Float32Array;
    });
    out.set(values, start * k);
  }
  return out;
}

export function lossAndAccuracy(probabilities: Float32Array, labels: Int32Array, k: number): { loss: number; accuracy: number } {
  if (labels.length === 0) return { loss: Number.NaN, accuracy: Number.NaN };
  const loss = rowLosses(probabilities, labels, k).reduce((a, b) => a + b, 0);
  const correct = argmaxRows(probabilities, k).filter((c, i) => c === labels[i]).length;
  return { loss: loss / labels.length, accuracy: correct / labels.length };
}

function gatherBatch(x: Float32Array, y: Int32Array, rows: number[], width: number, k: number): { x: Float32Array; targets: Float32Array; hard: Int32Array } {
  const batch = new Float32Array(rows.length * width);
  const targets = new Float32Array(rows.length * k);
  const hard = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    batch.set(x.subarray(row * width, (row + 1) * width), i * width);
    targets[i * k + y[row]] = 1;
    hard[i] = y[row];
  });
  return { x: batch, targets, hard };
}

function shuffled(random: Random, n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.integer(0, i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** scikit-learn's 'balanced' class weights: n / (k · count(class)). */
export function balancedWeights(y: Int32Array, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const label of y) counts[label] += 1;
  return counts.map((count) => (count === 0 ? 0 : y.length / (k * count)));
}

function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  (optimizer as unknown as LearningRateHolder).learningRate = learningRate;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
