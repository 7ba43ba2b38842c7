import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { FEATURE_PIPELINES, pipelineShape, type FeaturePipeline } from '../../src-shared/model/feature-pipeline.js';
import { extractFeatures } from '../workers/audio-worker.js';
import { CliError } from './output.js';

/**
 * `emotion-studio features <file> --set NAME [--json]`: one file through a preset pipeline
 * (the seed's librosa.load(sr=22050, offset=0.6, duration=2.5), then the feature set).
 */
export async function runFeatures(file: string, setName: string, json: boolean): Promise<number> {
  const pipeline: FeaturePipeline | undefined = (FEATURE_PIPELINES as Record<string, FeaturePipeline>)[setName];
  if (pipeline === undefined) {
    throw new CliError(`--set ${setName}: unknown feature set; choose one of ${Object.keys(FEATURE_PIPELINES).join(', ')}`);
  }
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new CliError(`${path}: no such file`, 1);
  const started = performance.now();
  const { shape, values } = await extractFeatures(path, pipeline);
  const elapsedMs = performance.now() - started;
  if (json) {
    console.log(JSON.stringify({ set: pipeline.featureSet, shape, pipeline, values: Array.from(values) }));
    return 0;
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const value of values) {
    min = Math.min(min, value);
    max = Math.max(max, value);
    sum += value;
  }
  console.log(`${path}`);
  console.log(`  set ${pipeline.featureSet}, shape [${shape.join(', ')}] (expected [${pipelineShape(pipeline).join(', ')}])`);
  console.log(`  load: ${pipeline.load.sampleRate} Hz, offset ${pipeline.load.offsetSec} s, duration ${pipeline.load.durationSec} s`);
  console.log(`  values: min ${min.toFixed(4)}, max ${max.toFixed(4)}, mean ${(sum / values.length).toFixed(4)}; ${elapsedMs.toFixed(1)} ms`);
  return 0;
}
