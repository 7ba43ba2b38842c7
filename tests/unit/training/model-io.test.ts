import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../../../src-shared/model/presets.js';
import { buildModel } from '../../../src-main/training/model-builder.js';
import { float32ToFloat16, loadModel, saveModel } from '../../../src-main/training/model-io.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'es-model-io-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('float32 → float16', () => {
  it('encodes exact values, rounds to nearest even, and keeps subnormals, infinities and NaN', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // largest half
      [65520, 0x7c00], // rounds up to infinity
      [1e6, 0x7c00],
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -26, 0x0000], // underflows
      [1 + 2 ** -11, 0x3c00], // halfway: ties to even (down)
      [1 + 3 * 2 ** -11, 0x3c02], // halfway: ties to even (up)
      [Number.POSITIVE_INFINITY, 0x7c00],
      [Number.NEGATIVE_INFINITY, 0xfc00],
    ];
    const bits = float32ToFloat16(Float32Array.from(cases.map(([v]) => v)));
    cases.forEach(([value, expected], i) => expect(bits[i], `${value}`).toBe(expected));
    expect(float32ToFloat16(Float32Array.from([Number.NaN]))[0] & 0x7c00).toBe(0x7c00);
    expect(float32ToFloat16(Float32Array.from([Number.NaN]))[0] & 0x03ff).not.toBe(0);
  });

  it('round-trips through tfjs\'s own float16 decoder within half precision', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 3));
    const halves = float32ToFloat16(values);
    const [decoded] = Object.values(tf.io.decodeWeights(halves.buffer as ArrayBuffer, [{ name: 'w', shape: [1000], dtype: 'float32', quantization: { dtype: 'float16' } }]));
    const back = decoded.dataSync();
    values.forEach((v, i) => {
      if (Math.abs(v) > 6.2e-5) expect(Math.abs(back[i] - v) / Math.abs(v)).toBeLessThanOrEqual(2 ** -11);
    });
  });
});

describe('saved models', () => {
  it('saves in tfjs layers format and loads back with identical predictions; the float16 copy is half the size and close', async () => {
    const model = buildModel(MODEL_PRESETS['tiny-cnn1d'].spec, { seed: 3 });
    const x = tf.randomNormal([4, 2376, 1], 0, 1, 'float32', 1);
    const expected = (model.predict(x) as tf.Tensor).dataSync();
    const full = await saveModel(model, join(dir, 'm'));
    const half = await saveModel(model, join(dir, 'm16'), { float16: true });
    expect(statSync(join(full.dir, 'weights.bin')).size).toBe(2 * statSync(join(half.dir, 'weights.bin')).size);
    const reloaded = await loadModel(full.dir);
    expect(Array.from((reloaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(expected));
    const reloadedHalf = await loadModel(half.dir);
    const approx = (reloadedHalf.predict(x) as tf.Tensor).dataSync();
    approx.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(5e-3));
    await expect(loadModel(join(dir, 'missing'))).rejects.toThrow(/missing[/\\]model.json: cannot read the model/);
  });
});
