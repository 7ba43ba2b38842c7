import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { featurePipelineSchema, pipelineShape, type FeaturePipeline } from '../../src-shared/model/feature-pipeline.js';
import { channelLayout, normalizeByGroup, type Normalization } from '../../src-shared/model/normalize.js';
import type { StandardScaler } from '../../src-shared/model/scaler.js';
import type { LevelView } from '../../src-shared/model/level-view.js';
import { ensembleProbabilities, loadMembers, memberPaths, type EnsembleMember } from './ensemble.js';

/** An exported model folder, loaded: what inference needs to reproduce training's features. */
export interface ExportedModel {
  dir: string;
  /** One model, or an ensemble's members (each with its scaler and view) whose probabilities are averaged. */
  members: EnsembleMember[];
  pipeline: FeaturePipeline;
  labels: string[];
  inputShape: number[];
  manifest: Record<string, unknown>;
}

function readJson(dir: string, file: string): unknown {
  const path = join(dir, file);
  if (!existsSync(path)) throw new Error(`${dir} is not an exported model: ${file} is missing`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Loads an export (manifest, pipeline, labels, and each model with its scaler); `float16` picks the half-precision copy. */
export async function loadExportedModel(dir: string, options: { float16?: boolean } = {}): Promise<ExportedModel> {
  const manifest = readJson(dir, 'manifest.json') as Record<string, unknown>;
  if (manifest.format !== 'emotion-studio.model') throw new Error(`${join(dir, 'manifest.json')}: not an Emotion Studio model manifest`);
  const parsed = featurePipelineSchema.safeParse(readJson(dir, 'pipeline.json'));
  if (!parsed.success) throw new Error(`${join(dir, 'pipeline.json')}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const labels = readJson(dir, 'labels.json') as string[];
  const inputShape = manifest.inputShape as number[];
  const width = inputShape.reduce((a, b) => a * b, 1);
  const members = manifest.members === undefined ? 1 : Number(manifest.members);
  if (!Number.isInteger(members) || members < 1) throw new Error(`${join(dir, 'manifest.json')}: members must be a positive integer, got ${JSON.stringify(manifest.members)}`);
  const views = Array.isArray(manifest.memberViews) ? (manifest.memberViews as LevelView[]) : [];
  if (views.some((view) => view !== 'absolute' && view !== 'relative')) throw new Error(`${join(dir, 'manifest.json')}: memberViews must list 'absolute' or 'relative' per member`);
  // each model's scaler beside it: scaler.json for one model, members/i/scaler.json for an ensemble
  const scalers = memberPaths(members).map((path) => {
    const scaler = readJson(join(dir, path), 'scaler.json') as StandardScaler;
    if (scaler.kind !== 'standard' || scaler.mean.length !== width) throw new Error(`${join(dir, path, 'scaler.json')}: expected a standard scaler of width ${width}`);
    return scaler;
  });
  const models = await loadMembers(options.float16 ? join(dir, 'float16') : dir, members);
  return { dir, members: models.map((model, i) => ({ model, scaler: scalers[i], view: views[i] ?? 'absolute' })), pipeline: parsed.data, labels, inputShape, manifest };
}

/** The normalisation the model was trained with (manifest.config.normalization). */
export function normalizationOf(exported: ExportedModel): Normalization {
  return ((exported.manifest.config as { normalization?: Normalization } | undefined)?.normalization ?? 'none');
}

/**
 * Class probabilities [rows][labels] for raw feature rows. A model trained with speaker
 * normalisation needs each row's speaker (`groups`, e.g. the RAVDESS actor): rows of one speaker
 * are normalised together, as in training; without groups each row stands alone (utterance level).
 */
export function classify(exported: ExportedModel, features: Float32Array, groups?: readonly string[]): Float32Array {
  const width = exported.inputShape.reduce((a, b) => a * b, 1);
  const rows = features.length / width;
  const raw = features.slice();
  const normalization = normalizationOf(exported);
  if (normalization !== 'none') {
    const layout = channelLayout(exported.pipeline.featureSet, pipelineShape(exported.pipeline));
    const groupOf = (i: number) => (normalization === 'speaker' && groups !== undefined ? groups[i] : `row-${i}`);
    normalizeByGroup(raw, width, rows, layout, groupOf);
  }
  return ensembleProbabilities(exported.members, exported.inputShape, raw, 128);
}

/** Frees the model's (or every member's) weights. */
export function disposeExported(exported: ExportedModel): void {
  for (const member of exported.members) member.model.dispose();
}
