/**
 * The seed notebook's protocol, for comparison only (the studio never offers it): every clip,
 * training and evaluation alike, is augmented ×3 first, and the rows are then split at random
 * 80/20, so copies of one recording — and every speaker — sit on both sides.
 */
import { Random } from '../../src-shared/dsp/random.js';
import { FEATURE_SET_SHAPES } from '../../src-shared/dsp/seed.js';
import type { Clip } from '../../src-shared/contract/catalog.js';
import { evaluate, argmaxRows, type EvaluationMetrics } from '../../src-shared/model/metrics.js';
import { MODEL_PRESETS, type PresetName } from '../../src-shared/model/presets.js';
import { applyScaler } from '../../src-shared/model/scaler.js';
import { FEATURE_PIPELINES } from '../../src-shared/model/feature-pipeline.js';
import { createStudio } from '../../src-main/studio.js';
import { initBackend } from '../../src-main/training/backend.js';
import type { SplitData } from '../../src-main/training/dataset-files.js';
import { labelOrder, resolveConfig } from '../../src-main/training/service.js';
import { predictProbabilities, train, withClasses } from '../../src-main/training/trainer.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function runLeakyProtocol(dbPath: string, preset: string, epochs: number): Promise<{ epochs: number; backend: string; metrics: EvaluationMetrics }> {
  const studio = await createStudio({ dbPath, transport: 'http' });
  try {
    const config = resolveConfig({ preset, epochs, split: { kind: 'actors' } });
    const pipeline = FEATURE_PIPELINES[config.featureSet];
    const clips: Clip[] = (await studio.catalog.queryClips({ limit: 1000 })).clips;
    for (let offset = clips.length; ; offset += 1000) {
      const page = await studio.catalog.queryClips({ offset, limit: 1000 });
      if (page.clips.length === 0) break;
      clips.push(...page.clips);
    }
    const labels = labelOrder(clips.map((clip) => clip.label));
    const rows: { clip: Clip; values: Float32Array }[] = [];
    const width = FEATURE_SET_SHAPES[pipeline.featureSet].reduce((a, b) => a * b, 1);
    await studio.features.runClips('leaky', pipeline, clips, new AbortController().signal, (clip, features) => {
      for (let copy = 0; copy < features.values.length / width; copy++) rows.push({ clip, values: features.values.subarray(copy * width, (copy + 1) * width) });
    }, { recipe: 'seed-x3', seedOf: (clip) => (config.seed * 1_000_003 + clip.id) % 2_147_483_647 });
    const random = new Random(config.seed);
    for (let i = rows.length - 1; i > 0; i--) {
      const j = random.integer(0, i + 1);
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const cut = Math.round(rows.length * 0.8);
    const toSplit = (part: typeof rows): SplitData => {
      const x = new Float32Array(part.length * width);
      part.forEach((row, i) => x.set(row.values, i * width));
      return { x, y: Int32Array.from(part, (row) => labels.indexOf(row.clip.label)), clipIds: part.map((r) => r.clip.id), copy: part.map(() => 0), speakers: part.map(() => null) };
    };
    const trainSplit = toSplit(rows.slice(0, cut));
    const valSplit = toSplit(rows.slice(cut));
    const backend = await initBackend('auto');
    const result = await train({
      dataset: { featureShape: [width], labels, splits: { train: trainSplit, val: valSplit, test: valSplit }, fingerprint: 'leaky' },
      spec: withClasses(MODEL_PRESETS[preset as PresetName].spec, labels.length),
      config,
      checkpointDir: mkdtempSync(join(tmpdir(), 'es-leaky-')),
      resume: false,
      isCancelled: () => false,
      onProgress: () => {},
      onEpoch: (e) => process.stderr.write(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)} val_acc ${e.valAcc.toFixed(4)}\n`),
    });
    const x = applyScaler(result.scaler, valSplit.x.slice());
    const probabilities = predictProbabilities(result.model, withClasses(MODEL_PRESETS[preset as PresetName].spec, labels.length).inputShape, x, 256);
    const metrics = evaluate(labels, Array.from(valSplit.y), argmaxRows(probabilities, labels.length));
    return { epochs: result.history.length, backend: backend.name, metrics };
  } finally {
    await studio.close();
  }
}
