import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { evaluate, argmaxRows } from '../../src-shared/model/metrics.js';
import { parseRavdessName } from '../../src-shared/model/ravdess.js';
import type { TrainingConfigInput } from '../../src-shared/model/training-config.js';
import { walkAudioFiles } from '../catalog/importer.js';
import { createStudio } from '../studio.js';
import { initBackend } from '../training/backend.js';
import { classify, disposeExported, loadExportedModel } from '../training/inference.js';
import { AudioWorkers } from '../workers/pool.js';
import { CliError, progressLine } from './output.js';

export interface TrainOptions {
  config: TrainingConfigInput;
  name?: string;
  out?: string;
  resume?: number;
  json: boolean;
}

/** `emotion-studio train`: one run in the training process, progress on stderr, a summary on stdout. */
export async function runTrain(dbPath: string, options: TrainOptions): Promise<number> {
  const studio = await createStudio({ dbPath, transport: 'http' });
  const training = studio.training;
  let runId = 0;
  const onSignal = () => {
    process.stderr.write('\ncancelling the run (its last checkpoint is kept; resume with --resume RUN)\n');
    void training.cancel({ runId });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const features = progressLine('features');
    const batches = progressLine('training');
    // an ensemble's progress names its member; its epoch lines then do too
    let ensemble = false;
    studio.events.on('training.progress', ({ runId: id, progress }) => {
      if (id !== runId) return;
      if (progress.members !== undefined) ensemble = true;
      if (progress.phase === 'features') features.update(progress.done, progress.total, 'clips');
      if (progress.phase === 'training' && progress.total > 0) {
        const eta = progress.etaSec === null ? '' : `, ETA ${formatSec(progress.etaSec)}`;
        batches.update(progress.done, progress.total, `${progress.member === undefined ? '' : `member ${progress.member}/${progress.members}, `}epoch ${progress.epoch}/${progress.epochs}, loss ${progress.loss?.toFixed(3)}, acc ${progress.acc?.toFixed(3)}, ${progress.samplesPerSec?.toFixed(1)} samples/s${eta}`);
      }
    });
    studio.events.on('training.epoch', ({ runId: id, epoch }) => {
      if (id !== runId) return;
      batches.end();
      process.stderr.write(
        `${ensemble ? `member ${epoch.member} ` : ''}epoch ${epoch.epoch}: loss ${epoch.loss.toFixed(4)} acc ${epoch.acc.toFixed(4)} val_loss ${epoch.valLoss?.toFixed(4)} val_acc ${epoch.valAcc?.toFixed(4)} lr ${epoch.lr.toExponential(2)} ${(epoch.durationMs / 1000).toFixed(1)} s ${epoch.samplesPerSec.toFixed(1)} samples/s\n`,
      );
    });
    let backendShown = false;
    studio.events.on('run.changed', ({ runId: id }) => {
      if (id !== runId || backendShown) return;
      const run = training.store.row(runId);
      if (run.backend !== null) {
        backendShown = true;
        process.stderr.write(`backend: ${run.backend} (${run.backend_version})${run.backend === 'cpu' ? ' — about 100× slower than the native backend' : ''}\n`);
      }
    });
    runId = options.resume !== undefined ? (await training.resume({ runId: options.resume })).runId : (await training.start({ config: options.config, name: options.name })).runId;
    process.stderr.write(`run ${runId} started\n`);
    const summary = await training.settled(runId);
    const detail = training.store.get(runId);
    if (summary.status !== 'finished') {
      if (options.json) console.log(JSON.stringify({ runId, status: summary.status, error: summary.error, backend: summary.backend, epochs: summary.epochsDone }));
      throw new CliError(`run ${runId} ${summary.status}${summary.error === null ? '' : `: ${summary.error}`}`, summary.status === 'cancelled' ? 130 : 1);
    }
    let modelDir = summary.modelDir;
    if (options.out !== undefined && modelDir !== null) {
      const out = resolve(options.out);
      cpSync(modelDir, out, { recursive: true });
      modelDir = out;
    }
    const test = detail.metrics?.test;
    if (options.json) {
      console.log(
        JSON.stringify({
          runId,
          status: summary.status,
          backend: summary.backend,
          backendVersion: summary.backendVersion,
          epochs: summary.epochsDone,
          members: summary.config.members ?? 1,
          bestEpoch: summary.bestEpoch,
          durationMs: summary.durationMs,
          split: detail.split,
          metrics: test === undefined ? null : { accuracy: test.accuracy, uar: test.uar, macroF1: test.macroF1, confusion: test.confusion, labels: test.labels, perClass: test.perClass, perSpeaker: test.perSpeaker },
          validation: detail.metrics === null ? null : { accuracy: detail.metrics.val.accuracy, uar: detail.metrics.val.uar, macroF1: detail.metrics.val.macroF1 },
          float16: detail.metrics?.float16 ?? null,
          modelDir,
        }),
      );
    } else if (test !== undefined) {
      const members = summary.config.members ?? 1;
      const ensemble = members > 1 ? `an ensemble of ${members} models, ` : '';
      console.log(`run ${runId} finished in ${formatSec((summary.durationMs ?? 0) / 1000)} on ${summary.backend}: ${ensemble}${summary.epochsDone} epochs (best ${summary.bestEpoch})`);
      console.log(`test (${detail.split?.groups.test.join(', ')}): accuracy ${pct(test.accuracy)}, UAR ${pct(test.uar)}, macro-F1 ${pct(test.macroF1)}`);
      console.log(`model: ${modelDir}`);
    }
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await studio.close();
  }
}

interface LabelledFile {
  path: string;
  label: string | null;
}

/** Audio files under a folder (or given files), labelled from RAVDESS names or a CSV of path,label. */
async function collectFiles(inputs: string[], labelsCsv: string | undefined): Promise<LabelledFile[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    if (!existsSync(path)) throw new CliError(`${path}: no such file or folder`, 1);
    if (statSync(path).isDirectory()) files.push(...(await walkAudioFiles(path)).files);
    else files.push(path);
  }
  if (files.length === 0) throw new CliError(`no audio files (wav, flac, mp3, ogg) in ${inputs.join(', ')}`, 1);
  const csv = labelsCsv === undefined ? null : readLabelsCsv(resolve(labelsCsv));
  return files.sort().map((path) => {
    if (csv !== null) return { path, label: csv.get(path) ?? csv.get(basename(path)) ?? null };
    const parsed = parseRavdessName(path);
    return { path, label: parsed.ok ? parsed.value.emotion : null };
  });
}

function readLabelsCsv(path: string): Map<string, string> {
  if (!existsSync(path)) throw new CliError(`--labels ${path}: no such file`, 1);
  const map = new Map<string, string>();
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || (index === 0 && /^path\s*,\s*label$/i.test(trimmed))) return;
      const comma = trimmed.lastIndexOf(',');
      if (comma <= 0) throw new CliError(`${path}:${index + 1}: expected "path,label", got "${trimmed}"`, 1);
      const file = trimmed.slice(0, comma).trim().replace(/^"|"$/g, '');
      map.set(file.includes('/') ? resolve(dirname(path), file) : file, trimmed.slice(comma + 1).trim().toLowerCase());
    });
  return map;
}

async function featuresFor(files: LabelledFile[], modelDir: string): Promise<{ model: Awaited<ReturnType<typeof loadExportedModel>>; probabilities: Float32Array; failed: { path: string; reason: string }[]; kept: LabelledFile[] }> {
  const backend = await initBackend('auto');
  if (backend.warning !== undefined) process.stderr.write(`${backend.warning}\n`);
  const model = await loadExportedModel(resolve(modelDir)).catch((error: unknown) => {
    throw new CliError(`--model ${modelDir}: ${error instanceof Error ? error.message : String(error)}`, 1);
  });
  const width = model.inputShape.reduce((a, b) => a * b, 1);
  const workers = new AudioWorkers();
  const progress = progressLine('features');
  const rows: Float32Array[] = [];
  const kept: LabelledFile[] = [];
  const failed: { path: string; reason: string }[] = [];
  try {
    let done = 0;
    const results = await Promise.all(
      files.map(async (file) => {
        try {
          const features = await workers.features(file.path, model.pipeline);
          return { file, values: features.values };
        } catch (error) {
          return { file, error: error instanceof Error ? error.message : String(error) };
        } finally {
          progress.update(++done, files.length, relative(process.cwd(), file.path));
        }
      }),
    );
    progress.end();
    for (const result of results) {
      if ('values' in result && result.values !== undefined && result.values.length === width) {
        rows.push(result.values);
        kept.push(result.file);
      } else {
        failed.push({ path: result.file.path, reason: 'error' in result && result.error !== undefined ? result.error : `features have the wrong size for this model` });
      }
    }
  } finally {
    await workers.close();
  }
  const x = new Float32Array(rows.length * width);
  rows.forEach((row, i) => x.set(row, i * width));
  // speaker groups for speaker-normalised models: the RAVDESS actor, else the file's folder
  const groups = kept.map((file) => {
    const parsed = parseRavdessName(file.path);
    return parsed.ok ? `actor-${String(parsed.value.actor).padStart(2, '0')}` : dirname(file.path);
  });
  return { model, probabilities: classify(model, x, groups), failed, kept };
}

/** `emotion-studio evaluate --model DIR <folder> [--labels CSV]`. */
export async function runEvaluate(modelDir: string, inputs: string[], labelsCsv: string | undefined, json: boolean): Promise<number> {
  const files = await collectFiles(inputs, labelsCsv);
  const unlabelled = files.filter((file) => file.label === null);
  const labelled = files.filter((file) => file.label !== null);
  if (labelled.length === 0) throw new CliError(`none of the ${files.length} files has a label: use RAVDESS file names or --labels CSV (path,label)`, 1);
  const { model, probabilities, failed, kept } = await featuresFor(labelled, modelDir);
  const unknown = kept.filter((file) => !model.labels.includes(file.label as string));
  if (unknown.length > 0) throw new CliError(`${unknown[0].path}: label "${unknown[0].label}" is not one the model knows (${model.labels.join(', ')})`, 1);
  const k = model.labels.length;
  const truth = kept.map((file) => model.labels.indexOf(file.label as string));
  const metrics = evaluate(model.labels, truth, argmaxRows(probabilities, k));
  disposeExported(model);
  if (json) {
    console.log(JSON.stringify({ n: metrics.n, accuracy: metrics.accuracy, uar: metrics.uar, macroF1: metrics.macroF1, confusion: metrics.confusion, labels: metrics.labels, perClass: metrics.perClass, skipped: { unlabelled: unlabelled.length, failed } }));
  } else {
    console.log(`${metrics.n} clips: accuracy ${pct(metrics.accuracy)}, UAR ${pct(metrics.uar)}, macro-F1 ${pct(metrics.macroF1)}`);
    if (unlabelled.length + failed.length > 0) console.log(`skipped: ${unlabelled.length} without a label, ${failed.length} unreadable`);
  }
  return 0;
}

/** `emotion-studio predict --model DIR <files...>`. */
export async function runPredict(modelDir: string, inputs: string[], json: boolean): Promise<number> {
  const files = await collectFiles(inputs, undefined);
  const { model, probabilities, failed, kept } = await featuresFor(files, modelDir);
  const k = model.labels.length;
  const predictions = kept.map((file, i) => {
    const p = Array.from(probabilities.subarray(i * k, (i + 1) * k));
    const best = p.indexOf(Math.max(...p));
    return { file: file.path, predicted: model.labels[best], confidence: p[best], probabilities: Object.fromEntries(model.labels.map((label, c) => [label, p[c]])) };
  });
  disposeExported(model);
  if (json) console.log(JSON.stringify({ predictions, failed }));
  else for (const p of predictions) console.log(`${relative(process.cwd(), p.file)}\t${p.predicted}\t${pct(p.confidence)}`);
  for (const f of failed) process.stderr.write(`${f.path}: ${f.reason}\n`);
  return failed.length > 0 && predictions.length === 0 ? 1 : 0;
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

function formatSec(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const m = Math.floor(sec / 60);
  const s = Math.round(sec % 60);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}
