import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
// custom layers a saved model may name must be registered before it loads
import './layers/global-stats-pooling.js';

/**
 * Models on disk in TensorFlow.js's own layers format (model.json + weights.bin), so that an
 * exported model also loads with `tf.loadLayersModel` in a browser or in tfjs-node, without the
 * studio. We write the files ourselves: tfjs-core has no file handler without tfjs-node.
 */

export interface SavedModelInfo {
  dir: string;
  /** model.json + weights.bin, bytes. */
  bytes: number;
  weightsBytes: number;
}

/**
 * Saves `model` into `dir`. With `float16`, weights are stored as IEEE half floats and marked
 * with tfjs's `quantization: {dtype: 'float16'}`, which tfjs dequantizes on load.
 */
export async function saveModel(model: tfl.LayersModel, dir: string, options: { float16?: boolean } = {}): Promise<SavedModelInfo> {
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0));
      let weights: Uint8Array = new Uint8Array(data);
      let specs = artifacts.weightSpecs ?? [];
      if (options.float16) {
        const halves = float32ToFloat16(new Float32Array(data));
        weights = new Uint8Array(halves.buffer);
        specs = specs.map((spec) => ({ ...spec, quantization: { dtype: 'float16' as const } }));
      }
      writeFileSync(join(partial, 'weights.bin'), weights);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
      };
      writeFileSync(join(partial, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  const weightsBytes = statSync(join(dir, 'weights.bin')).size;
  return { dir, bytes: weightsBytes + statSync(join(dir, 'model.json')).size, weightsBytes };
}

interface ModelJson {
  modelTopology: tf.io.ModelArtifacts['modelTopology'];
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Loads a model saved by saveModel (or any single-manifest tfjs layers model folder). */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  } catch (error) {
    throw new Error(`${join(dir, 'model.json')}: cannot read the model (${error instanceof Error ? error.message : String(error)})`);
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const buffers = json.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(join(dir, path))));
  const weightData = tf.io.CompositeArrayBuffer.join(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
}

/** float32 → IEEE 754 binary16 bits, round to nearest even, with subnormals, overflow to ±Inf, NaN kept. */
export function float32ToFloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i];
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
      continue;
    }
    const e = exponent - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mantissa |= 0x800000;
      const shift = 14 - e;
      let half = mantissa >>> shift;
      const rest = mantissa & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (rest > halfway || (rest === halfway && (half & 1) === 1)) half += 1;
      out[i] = sign | half;
    } else {
      let half = (e << 10) | (mantissa >>> 13);
      const rest = mantissa & 0x1fff;
      if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half += 1;
      out[i] = sign | half;
    }
  }
  return out;
}
