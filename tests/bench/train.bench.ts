/**
 * `npm run bench:train`: training-step throughput of the model presets on each tfjs backend,
 * side by side with the same models in PyTorch (../shared/tools/torch_reference_bench.py).
 *
 * One step = forward in training mode, cross-entropy, gradients of every trainable weight, Adam
 * update, at batch 64 on random inputs and labels, as the trainer runs it (tf.variableGrads then
 * applyGradients). Two warm-up steps, then N timed steps; figures are medians. Each (backend,
 * model) runs in its own child process: tfjs-core is a per-process singleton, TensorFlow reads
 * its environment once, and peak RSS is then the model's own. The tensorflow child gets
 * tensorflowTrainingEnv() and the fast layers (src-main/training/fast-ops).
 *
 * Wall time on a shared machine mostly measures the other processes, so every row also gives
 * samples per CPU-second of the process (all its threads); PyTorch's figures are taken the same
 * way (its bench is run with time.perf_counter pointed at process_time, wall time kept beside).
 * The PyTorch row for a model runs right before ours, so both see the same load.
 *
 * Options:
 *   --backends tensorflow,wasm,cpu   backends to run (default tensorflow)
 *   --models a,b                     presets (default seed-cnn1d,small-cnn1d,mel-cnn2d)
 *   --threads N                      threads per op, ours and PyTorch's (default 1)
 *   --steps N                        timed steps (default 3 for seed-cnn1d, 10 for the others)
 *   --quick                          1 / 3 timed steps
 *   --rounds R                       repeat everything R times; medians of the figures and of the
 *                                    per-round ratios (default 1)
 *   --baseline                       also run tensorflow as before this work: plain tfjs layers,
 *                                    default allocator (the malloc thresholds are kept)
 *   --no-torch                       skip PyTorch
 * PyTorch runs from BENCH_TORCH_PYTHON, else .cache/bench-venv (pip install torch), else python3,
 * else /usr/bin/python3 (Debian's python3-torch), the first that imports torch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend, maxMicroBatch, type BackendName } from '../../src-main/training/backend.js';
import { tensorflowTrainingEnv } from '../../src-main/training/fast-ops/env.js';
import { withFastLayers } from '../../src-main/training/fast-ops/layers.js';
import { buildModel } from '../../src-main/training/model-builder.js';
import { MODEL_PRESETS, type PresetName } from '../../src-shared/model/presets.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const torchBench = resolve(repoRoot, '..', 'shared', 'tools', 'torch_reference_bench.py');
const BATCH = 64;
const WARMUP_STEPS = 2;
const DEFAULT_MODELS: PresetName[] = ['seed-cnn1d', 'small-cnn1d', 'mel-cnn2d'];

interface ChildJob {
  backend: BackendName;
  model: PresetName;
  steps: number;
  threads: number;
  /** Fast layers (fast-ops) or the plain tfjs-layers model. */
  fast: boolean;
}

interface Figures {
  model: string;
  runner: string;
  samplesPerSec: number;
  samplesPerCpuSec: number;
  /** Training GFLOP/s: 3 × forward FLOPs per sample × samples/s, as torch_reference_bench counts. */
  gflopPerSec: number;
  gflopPerCpuSec: number;
  peakRssMb?: number;
  note?: string;
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

// ---------------------------------------------------------------- child: one backend, one model

/** Forward FLOPs per sample of Conv1D, Conv2D and Dense layers (2 × MACs), as the PyTorch bench counts. */
function forwardFlops(model: tfl.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const name = layer.getClassName();
    if (name !== 'Conv1D' && name !== 'Conv2D' && name !== 'Dense') continue;
    const kernel = layer.getWeights()[0];
    const out = layer.outputShape as (number | null)[];
    const positions = out.slice(1, -1).reduce<number>((p, d) => p * (d ?? 1), 1);
    flops += 2 * kernel.size * positions;
  }
  return flops;
}

function crossEntropy(p: tf.Tensor, y: tf.Tensor): tf.Scalar {
  return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, 1e-7, 1))), -1)));
}

/** Bytes of activations one sample keeps for the backward pass (×3: value, gradient, scratch). */
function bytesPerSample(model: tfl.LayersModel): number {
  return 3 * 4 * model.layers.reduce((sum, layer) => sum + (layer.outputShape as (number | null)[]).slice(1).reduce<number>((p, d) => p * (d ?? 1), 1), 0);
}

async function runChild(job: ChildJob): Promise<void> {
  const info = await initBackend(job.backend);
  const spec = MODEL_PRESETS[job.model].spec;
  let model = buildModel(spec, { seed: 1 });
  if (job.fast) {
    const fast = withFastLayers(model);
    model.dispose();
    model = fast;
  }
  const flops = forwardFlops(model);
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-7);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.randomNormal([BATCH, ...spec.inputShape]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 8, 'int32') as tf.Tensor1D, 8);
  const micro = Math.min(BATCH, maxMicroBatch(info, bytesPerSample(model)) ?? BATCH);
  const step = (): void => {
    let summed: Record<string, tf.Tensor> | null = null;
    for (let start = 0; start < BATCH; start += micro) {
      const size = Math.min(micro, BATCH - start);
      const { value, grads } = tf.tidy(() => {
        const xs = tf.slice(x, start, size);
        const ys = tf.slice(y, start, size);
        return tf.variableGrads(() => tf.mul(crossEntropy(model.apply(xs, { training: true }) as tf.Tensor, ys), size / BATCH) as tf.Scalar, variables);
      });
      value.dataSync();
      value.dispose();
      if (summed === null) {
        summed = grads;
      } else {
        const previous: Record<string, tf.Tensor> = summed;
        summed = {};
        for (const name of Object.keys(previous)) summed[name] = tf.add(previous[name], grads[name]);
        tf.dispose([...Object.values(previous), ...Object.values(grads)]);
      }
    }
    const final = summed as Record<string, tf.Tensor>;
    optimizer.applyGradients(Object.keys(final).map((name) => ({ name, tensor: final[name] })));
    tf.dispose(Object.values(final));
    // Wait for the update itself, not only for the loss.
    variables[0].dataSync();
  };
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  for (let i = 0; i < WARMUP_STEPS + job.steps; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    step();
    const elapsed = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (i >= WARMUP_STEPS) {
      wallMs.push(elapsed);
      cpuMs.push((cpu.user + cpu.system) / 1000);
    }
  }
  const samplesPerSec = (BATCH * 1000) / median(wallMs);
  const samplesPerCpuSec = (BATCH * 1000) / median(cpuMs);
  const figures: Figures = {
    model: job.model,
    runner: `${job.backend}${job.fast ? '' : ' (plain tfjs, default allocator)'}`,
    samplesPerSec,
    samplesPerCpuSec,
    gflopPerSec: (3 * flops * samplesPerSec) / 1e9,
    gflopPerCpuSec: (3 * flops * samplesPerCpuSec) / 1e9,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    note: `${info.version}${micro < BATCH ? `, micro-batches of ${micro}` : ''}; wall ms ${wallMs.map((t) => t.toFixed(0)).join(' ')}; cpu ms ${cpuMs.map((t) => t.toFixed(0)).join(' ')}`,
  };
  process.stdout.write(`RESULT ${JSON.stringify(figures)}\n`);
}

// ---------------------------------------------------------------- parent

function childEnv(job: ChildJob): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', MALLOC_MMAP_THRESHOLD_: '4000000000', MALLOC_TRIM_THRESHOLD_: '4000000000' };
  if (job.backend === 'tensorflow') {
    if (job.fast) Object.assign(env, tensorflowTrainingEnv({ threads: job.threads }));
    else env.TF_NUM_INTRAOP_THREADS = String(job.threads);
  }
  if (job.backend === 'wasm') env.EMOTION_STUDIO_WASM_THREADS = String(job.threads);
  return env;
}

function runJob(job: ChildJob): Figures | { model: string; runner: string; error: string } {
  const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--child', JSON.stringify(job)], {
    env: childEnv(job),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || line === undefined) return { model: job.model, runner: job.backend, error: firstError(child.stderr || child.stdout, child.status, child.signal) };
  return JSON.parse(line.slice('RESULT '.length)) as Figures;
}

/** The line of a failed child's output that says what went wrong. */
function firstError(output: string, status: number | null, signal: string | null): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.find((l) => /\b(\w*Error|RangeError|Aborted|out of memory)\b/i.test(l)) ?? lines.at(-1) ?? `exit ${status ?? ''} ${signal ?? ''}`.trim();
}

/** Runs the PyTorch bench with its clock on CPU time, recording wall time beside it. */
const TORCH_WRAPPER = `
import json, runpy, sys, time
pairs = []
wall_clock = time.perf_counter
def clock():
    pairs.append((wall_clock(), time.process_time()))
    return pairs[-1][1]
time.perf_counter = clock
bench = sys.argv[1]
sys.argv = [bench] + sys.argv[2:]
runpy.run_path(bench, run_name='__main__')
import resource
for i in range(0, len(pairs) - 1, 2):
    print('PAIR ' + json.dumps({'wall_s': pairs[i + 1][0] - pairs[i][0], 'cpu_s': pairs[i + 1][1] - pairs[i][1],
                                'max_rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
`;

function torchPython(): { python: string; version: string } | null {
  const candidates = [process.env.BENCH_TORCH_PYTHON, join(repoRoot, '.cache', 'bench-venv', 'bin', 'python'), 'python3', '/usr/bin/python3'];
  for (const python of candidates) {
    if (python === undefined || (python.includes('/') && !existsSync(python))) continue;
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return null;
}

function runTorch(python: string, model: PresetName, threads: number, batches: number): Figures | { model: string; runner: string; error: string } {
  const run = spawnSync(python, ['-W', 'ignore', '-c', TORCH_WRAPPER, torchBench, '--model', model, '--threads', String(threads), '--batches', String(batches), '--batch', String(BATCH)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = run.stdout.split('\n');
  const result = lines.find((l) => l.startsWith('{'));
  const pair = lines.find((l) => l.startsWith('PAIR '));
  if (run.status !== 0 || result === undefined || pair === undefined) {
    return { model, runner: 'pytorch', error: firstError(run.stderr || run.stdout, run.status, run.signal) };
  }
  const reported = JSON.parse(result) as { framework: string; fwd_gflop_per_sample: number; threads: number };
  const { wall_s: wallSec, cpu_s: cpuSec, max_rss_kb: maxRssKb } = JSON.parse(pair.slice('PAIR '.length)) as { wall_s: number; cpu_s: number; max_rss_kb: number };
  // The PyTorch bench times max(2, batches // 4) steps for the seed CNN and `batches` for the others.
  const steps = model === 'seed-cnn1d' ? Math.max(2, Math.floor(batches / 4)) : batches;
  const samplesPerSec = (BATCH * steps) / wallSec;
  const samplesPerCpuSec = (BATCH * steps) / cpuSec;
  const flops = reported.fwd_gflop_per_sample * 1e9;
  return {
    model,
    runner: `pytorch ${reported.framework.replace('pytorch ', '')}`,
    samplesPerSec,
    samplesPerCpuSec,
    gflopPerSec: (3 * flops * samplesPerSec) / 1e9,
    gflopPerCpuSec: (3 * flops * samplesPerCpuSec) / 1e9,
    peakRssMb: maxRssKb / 1024,
    note: `${reported.threads} thread(s), mean of ${steps} steps`,
  };
}

interface Failure {
  model: string;
  runner: string;
  error: string;
}

/** Every round's figures for one (model, runner), and its ratios to that round's PyTorch row. */
interface Series {
  model: string;
  runner: string;
  figures: Figures[];
  errors: string[];
  ratioWall: number[];
  ratioCpu: number[];
}

function table(series: Series[]): string {
  const header = ['model', 'runner', 'samples/s', 'samples/CPU-s', 'GFLOP/s', 'GFLOP/CPU-s', 'peak RSS', '× PyTorch (wall)', '× PyTorch (CPU)'];
  const body = series.map((s) => {
    if (s.figures.length === 0) return [s.model, s.runner, `failed: ${(s.errors[0] ?? '').slice(0, 70)}`, '', '', '', '', '', ''];
    const m = (pick: (f: Figures) => number | undefined) => {
      const xs = s.figures.map(pick).filter((x): x is number => x !== undefined);
      return xs.length === 0 ? undefined : median(xs);
    };
    const rss = m((f) => f.peakRssMb);
    return [
      s.model,
      s.runner,
      (m((f) => f.samplesPerSec) ?? 0).toFixed(2),
      (m((f) => f.samplesPerCpuSec) ?? 0).toFixed(2),
      (m((f) => f.gflopPerSec) ?? 0).toFixed(1),
      (m((f) => f.gflopPerCpuSec) ?? 0).toFixed(1),
      rss === undefined ? '' : `${(rss / 1024).toFixed(2)} GB`,
      s.ratioWall.length === 0 ? '' : median(s.ratioWall).toFixed(2),
      s.ratioCpu.length === 0 ? '' : median(s.ratioCpu).toFixed(2),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const childJob = arg('child');
  if (childJob !== undefined) {
    await runChild(JSON.parse(childJob) as ChildJob);
    return;
  }
  const backends = (arg('backends') ?? 'tensorflow').split(',') as BackendName[];
  const models = (arg('models') ?? DEFAULT_MODELS.join(',')).split(',') as PresetName[];
  for (const model of models) if (!(model in MODEL_PRESETS)) throw new Error(`unknown model ${model}`);
  const threads = Number(arg('threads') ?? '1');
  const rounds = Number(arg('rounds') ?? '1');
  const quick = flag('quick');
  const stepsFor = (model: PresetName): number => Number(arg('steps') ?? (model === 'seed-cnn1d' ? (quick ? 1 : 3) : quick ? 3 : 10));
  const torch = flag('no-torch') ? null : torchPython();
  const withTorch = torch !== null && existsSync(torchBench);
  if (!flag('no-torch')) {
    if (torch === null) console.log('PyTorch is not available (apt-get install -y python3-torch, or pip install torch into .cache/bench-venv): our figures only.');
    else if (!existsSync(torchBench)) console.log(`PyTorch peer needs ${torchBench}: our figures only.`);
    else console.log(`PyTorch ${torch.version} from ${torch.python}`);
  }
  console.log(`batch ${BATCH}, ${threads} thread(s), ${rounds} round(s), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

  const series = new Map<string, Series>();
  const record = (row: Figures | Failure, torchRow: Figures | null): void => {
    const key = `${row.model}\u0000${row.runner}`;
    let entry = series.get(key);
    if (entry === undefined) {
      entry = { model: row.model, runner: row.runner, figures: [], errors: [], ratioWall: [], ratioCpu: [] };
      series.set(key, entry);
    }
    if ('error' in row) {
      entry.errors.push(row.error);
      console.log(`${row.model} ${row.runner}: failed: ${row.error}`);
      return;
    }
    entry.figures.push(row);
    if (torchRow !== null && torchRow !== row) {
      entry.ratioWall.push(row.samplesPerSec / torchRow.samplesPerSec);
      entry.ratioCpu.push(row.samplesPerCpuSec / torchRow.samplesPerCpuSec);
    }
    console.log(`${row.model} ${row.runner}: ${row.samplesPerSec.toFixed(2)} samples/s, ${row.samplesPerCpuSec.toFixed(2)} samples/CPU-s${row.note ? ` (${row.note})` : ''}`);
  };
  for (let round = 0; round < rounds; round++) {
    for (const model of models) {
      let torchRow: Figures | null = null;
      if (withTorch) {
        const row = runTorch(torch.python, model, threads, quick ? 4 : 10);
        if (!('error' in row)) torchRow = row;
        record(row, torchRow);
      }
      for (const backend of backends) record(runJob({ backend, model, steps: stepsFor(model), threads, fast: true }), torchRow);
      if (flag('baseline') && backends.includes('tensorflow')) record(runJob({ backend: 'tensorflow', model, steps: stepsFor(model), threads, fast: false }), torchRow);
    }
  }
  console.log(`\nload average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}${rounds > 1 ? `; medians over ${rounds} rounds, ratios per round then median` : ''}\n`);
  console.log(table([...series.values()]));
}

await main();
