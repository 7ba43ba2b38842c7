import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferModelShapes, parseModelSpec } from '../../../src-shared/model/model-spec.js';
import { DEFAULT_PRESET, MODEL_PRESETS, PRESET_NAMES, modelInputShape } from '../../../src-shared/model/presets.js';
import { FEATURE_SET_SHAPES } from '../../../src-shared/dsp/seed.js';
import { buildModel, modelSummary, specFromModel } from '../../../src-main/training/model-builder.js';
import { listModels } from '../../../src-main/cli/models-command.js';
import { resolveConfig } from '../../../src-main/training/service.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model presets', () => {
  it('are keyed by their names and include the default', () => {
    expect(Object.keys(MODEL_PRESETS)).toEqual([...PRESET_NAMES]);
    for (const [key, preset] of Object.entries(MODEL_PRESETS)) {
      expect(preset.name).toBe(key);
      expect(preset.spec.name).toBe(key);
    }
    expect(PRESET_NAMES).toContain(DEFAULT_PRESET);
  });

  it('take their feature set plus a channel axis, and are stored normalised', () => {
    for (const preset of Object.values(MODEL_PRESETS)) {
      expect(preset.spec.inputShape).toEqual([...FEATURE_SET_SHAPES[preset.featureSet], 1]);
      expect(modelInputShape(preset.featureSet)).toEqual(preset.spec.inputShape);
      expect(parseModelSpec(JSON.parse(JSON.stringify(preset.spec)))).toEqual(preset.spec);
      const last = preset.spec.layers[preset.spec.layers.length - 1];
      expect(last).toEqual({ className: 'Dense', config: { units: 8, activation: 'softmax', useBias: true } });
    }
  });

  it("seed-cnn1d has the seed's 7,193,736 parameters, 4,352 of them BatchNorm statistics", () => {
    const shapes = inferModelShapes(MODEL_PRESETS['seed-cnn1d'].spec);
    expect(shapes).toMatchObject({ total: 7_193_736, trainable: 7_189_384, nonTrainable: 4_352 });
    // 'same' pools halve the length five times: 2376 → 1188 → 594 → 297 → 149 → 75.
    const flatten = shapes.layers.find((l) => l.className === 'Flatten');
    expect(flatten?.outputShape).toEqual([75 * 128]);
  });

  it('small-cnn1d has the PyTorch reference size and BatchNorm momentum 0.9', () => {
    const { spec } = MODEL_PRESETS['small-cnn1d'];
    const shapes = inferModelShapes(spec);
    // Conv 6+64 | 20,480+64 | 10,240+32 | 3,072+32 | 1,536+16; Dense 1,200·128+128 and 128·8+8; BN γ,β per channel.
    const torchTrainable = 384 + 20_544 + 10_272 + 3_104 + 1_552 + 153_728 + 1_032 + 2 * (64 + 64 + 32 + 32 + 16 + 128);
    expect(shapes.trainable).toBe(torchTrainable);
    for (const layer of spec.layers) if (layer.className === 'BatchNormalization') expect(layer.config.momentum).toBe(0.9);
  });

  it('mel-cnn2d ends in 128 channels after four blocks on 64 × 108 log-mels', () => {
    const shapes = inferModelShapes(MODEL_PRESETS['mel-cnn2d'].spec);
    const pooled = shapes.layers.filter((l) => l.className === 'MaxPooling2D').map((l) => l.outputShape);
    expect(pooled).toEqual([[32, 54, 32], [16, 27, 64], [8, 13, 128], [4, 6, 128]]);
    expect(shapes.total).toBe(242_696);
    expect(MODEL_PRESETS['mel-cnn2d'].defaults).toMatchObject({ specAugment: true, mixup: 0.2 });
  });

  it('tiny-cnn1d is tiny', () => {
    expect(inferModelShapes(MODEL_PRESETS['tiny-cnn1d'].spec).total).toBeLessThan(1000);
  });

  it.each(PRESET_NAMES)('%s: spec → tfjs model → spec round-trips, and tfjs counts what inferModelShapes says', (name) => {
    const { spec } = MODEL_PRESETS[name];
    const model = buildModel(spec, { seed: 1 });
    try {
      expect(specFromModel(model)).toEqual(spec);
      const summary = modelSummary(model);
      const inferred = inferModelShapes(spec);
      expect(summary.layers.map((l) => [l.className, l.outputShape, l.params, l.trainable])).toEqual(
        inferred.layers.map((l) => [l.className, l.outputShape, l.params, l.trainableParams]),
      );
      expect({ total: summary.total, trainable: summary.trainable, nonTrainable: summary.nonTrainable }).toEqual({
        total: inferred.total,
        trainable: inferred.trainable,
        nonTrainable: inferred.nonTrainable,
      });
      expect(model.countParams()).toBe(inferred.total);
    } finally {
      model.dispose();
    }
  });

  it('tiny-cnn1d predicts a distribution over 8 classes from features plus a channel axis', () => {
    const model = buildModel(MODEL_PRESETS['tiny-cnn1d'].spec, { seed: 3 });
    const x = tf.randomNormal([2, ...modelInputShape('seed-2376')], 0, 1, 'float32', 5);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 8]);
    const sums = Array.from(tf.sum(y, 1).dataSync());
    for (const sum of sums) expect(sum).toBeCloseTo(1, 5);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('are listed for `models --json` with their counts and feature sets', () => {
    const listed = listModels();
    expect(listed.map((m) => m.name)).toEqual([...PRESET_NAMES]);
    expect(listed[0]).toMatchObject({ name: 'seed-cnn1d', featureSet: 'seed-2376', params: { total: 7_193_736, trainable: 7_189_384, nonTrainable: 4_352 } });
    expect(listed.filter((m) => m.default).map((m) => m.name)).toEqual([DEFAULT_PRESET]);
    expect(listed.find((m) => m.default)?.members).toBe(MODEL_PRESETS[DEFAULT_PRESET].defaults.members);
    expect(listed[0].members).toBe(1);
  });

  it("fill a run's early-stopping patience and ensemble size from the preset unless the config sets them", () => {
    const seed = resolveConfig({ preset: 'seed-cnn1d' });
    expect(seed.earlyStopping).toEqual({ patience: 5, restoreBestWeights: true });
    expect(seed.members).toBe(1);
    const mel = resolveConfig({ preset: 'mel-tcnn' });
    expect(mel.earlyStopping).toEqual({ patience: 12, restoreBestWeights: true });
    expect(mel.members).toBe(1);
    // the default preset is an ensemble
    const ensemble = resolveConfig({ preset: DEFAULT_PRESET });
    expect(ensemble.members).toBe(MODEL_PRESETS[DEFAULT_PRESET].defaults.members);
    expect(ensemble.members).toBeGreaterThan(1);
    expect(ensemble.featureSet).toBe('logmel-64-abs');
    expect(ensemble.memberViews).toBe('alternate');
    expect(ensemble.classWeights).toBe('balanced');
    expect(seed.classWeights).toBe('none');
    expect(resolveConfig({ preset: DEFAULT_PRESET, classWeights: 'none' }).classWeights).toBe('none');
    const own = resolveConfig({ preset: 'mel-tcnn-abs', members: 1, earlyStopping: { patience: 3 } });
    expect(own.members).toBe(1);
    expect(own.earlyStopping).toEqual({ patience: 3, restoreBestWeights: true });
    expect(resolveConfig({ preset: 'mel-tcnn', earlyStopping: null }).earlyStopping).toBeNull();
    expect(() => resolveConfig({ preset: 'mel-tcnn', members: 0 })).toThrow(/members/);
    expect(() => resolveConfig({ preset: 'mel-tcnn', members: 17 })).toThrow(/members/);
  });
});
