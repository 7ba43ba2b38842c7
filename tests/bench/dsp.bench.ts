/**
 * `npm run bench:dsp`: decode + crop + resample + seed-2376 vector for the shared RAVDESS clips,
 * ours (one thread, then worker pools of 1 and 2 threads) and librosa beside it in the same run.
 * Prints clips/s, the ratio to librosa and peak RSS. A benchmark, not a test: it asserts nothing.
 *
 * librosa runs from BENCH_PYTHON, else .cache/bench-venv (npm run bench:setup-peers), else python3.
 * Options: --limit N (first N clips), --skip-aug (no ×3 augmentation pass), --rounds N (repeat
 * every measurement N times, interleaved, and print medians: on a shared machine one round says
 * little), --stages (also time decode, resample and the seed vector apart, in this thread, with
 * the wasm kernels and with the JavaScript DSP), --no-js (skip the in-process JavaScript DSP row).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { FEATURE_PIPELINES } from '../../src-shared/model/feature-pipeline.js';
import { extractFeatures, type WorkerReply } from '../../src-main/workers/audio-worker.js';
import { TASKS_PER_WORKER } from '../../src-main/workers/pool.js';
import { decodeFile } from '../../src-main/audio/decode.js';
import { resample } from '../../src-main/audio/resample.js';
import { seed2376 } from '../../src-shared/dsp/index.js';
import { setDspBackend, type DspBackend } from '../../src-shared/dsp/wasm/instance.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const corpus = resolve(repoRoot, '..', 'shared', 'data', 'ravdess-speech');
const workerFile = join(repoRoot, 'out', 'main', 'audio-worker.js');
const pipeline = FEATURE_PIPELINES['seed-2376'];
const args = process.argv.slice(2);
const limit = args.includes('--limit') ? Number(args[args.indexOf('--limit') + 1]) : Infinity;
const withAugmentation = !args.includes('--skip-aug');
const rounds = args.includes('--rounds') ? Math.max(1, Number(args[args.indexOf('--rounds') + 1])) : 1;
const withStages = args.includes('--stages');
const withJsRow = !args.includes('--no-js');

type Mode = 'plain' | 'aug3';
/** Clips each thread runs before its clock starts. */
const WARM_UP_CLIPS = 10;
interface Figure {
  label: string;
  seconds: number;
  /** CPU time of the process over the same span (every thread): contention inflates it far less than wall time. */
  cpuSeconds: number;
  clips: number;
  maxRssMb?: number;
}

function listClips(): string[] {
  if (!existsSync(corpus)) {
    console.error(`bench:dsp needs the RAVDESS corpus at ${corpus}`);
    process.exit(2);
  }
  const files: string[] = [];
  for (const actor of readdirSync(corpus).sort()) {
    for (const name of readdirSync(join(corpus, actor)).sort()) if (/\.(wav|flac)$/i.test(name)) files.push(join(corpus, actor, name));
  }
  return files.slice(0, limit);
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/**
 * This thread alone, with TASKS_PER_WORKER clips in flight as a worker thread has them: one
 * clip's file reads (trips through libuv's thread pool) overlap another's DSP, and the DSP itself
 * runs on this one thread.
 */
async function inThread(files: string[], mode: Mode, backend: DspBackend = 'wasm'): Promise<Figure> {
  const previous = setDspBackend(backend);
  for (const path of files.slice(0, WARM_UP_CLIPS)) await extractFeatures(path, pipeline);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const i = next++;
      await extractFeatures(files[i], pipeline, mode === 'aug3' ? { recipe: 'seed-x3', seed: i } : undefined);
    }
  };
  await Promise.all(Array.from({ length: TASKS_PER_WORKER }, lane));
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSecondsSince(cpu);
  setDspBackend(previous);
  const label = backend === 'wasm' ? 'ours, 1 thread in-process' : 'ours, 1 thread, JavaScript DSP';
  return { label, seconds, cpuSeconds, clips: files.length };
}

async function inPool(files: string[], threads: number, mode: Mode): Promise<Figure> {
  const pool = new Piscina({ filename: workerFile, minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: TASKS_PER_WORKER });
  // Warm every thread (wasm decoders, FFT plans, the JIT: each thread compiles its own code) on a
  // few clips before the clock starts, as the in-thread run is warm too.
  const warmUp = files.slice(0, WARM_UP_CLIPS);
  await Promise.all(Array.from({ length: threads * TASKS_PER_WORKER }, async () => {
    for (const path of warmUp) await pool.run({ kind: 'features', path, pipeline });
  }));
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const i = next++;
      const reply = (await pool.run({ kind: 'features', path: files[i], pipeline, augment: mode === 'aug3' ? { recipe: 'seed-x3', seed: i } : undefined })) as WorkerReply;
      if (!reply.ok) throw new Error(reply.message);
    }
  };
  await Promise.all(Array.from({ length: threads * (TASKS_PER_WORKER + 1) }, lane));
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSecondsSince(cpu);
  await pool.destroy();
  return { label: `ours, pool of ${threads} worker thread${threads > 1 ? 's' : ''}`, seconds, cpuSeconds, clips: files.length };
}

function pythonCommand(): string | null {
  const candidates = [process.env.BENCH_PYTHON, join(repoRoot, '.cache', 'bench-venv', 'bin', 'python'), 'python3'];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const probe = spawnSync(candidate, ['-c', 'import librosa, soxr'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return null;
}

function librosaPeer(python: string, files: string[], mode: Mode): Figure {
  // One thread, as ours in-process: numpy's BLAS would otherwise spread the MFCC products over every core.
  const oneThread = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const run = spawnSync(python, [join(repoRoot, 'tests', 'bench', 'librosa_seed.py'), mode], {
    env: { ...process.env, ...oneThread },
    input: files.join('\n'),
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (run.status !== 0) throw new Error(`librosa peer failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { librosa: string; seconds: number; cpuSeconds: number; clips: number; maxRssMb: number };
  return { label: `librosa ${result.librosa}, 1 thread`, seconds: result.seconds, cpuSeconds: result.cpuSeconds, clips: result.clips, maxRssMb: result.maxRssMb };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds per clip of each stage of the plain path, timed apart (mean over the clips of each round). */
async function stages(files: string[], backend: DspBackend): Promise<{ decode: number; resample: number; seed: number }> {
  const previous = setDspBackend(backend);
  try {
    return await timeStages(files);
  } finally {
    setDspBackend(previous);
  }
}

async function timeStages(files: string[]): Promise<{ decode: number; resample: number; seed: number }> {
  const { sampleRate, offsetSec, durationSec } = pipeline.load;
  const decode: number[] = [];
  const resampling: number[] = [];
  const seed: number[] = [];
  for (const file of files) {
    const t0 = performance.now();
    const decoded = await decodeFile(file, { offsetSec, durationSec, mono: true });
    const t1 = performance.now();
    const y = resample(decoded.data[0], decoded.sampleRate, sampleRate);
    const t2 = performance.now();
    seed2376(y, sampleRate);
    const t3 = performance.now();
    decode.push(t1 - t0);
    resampling.push(t2 - t1);
    seed.push(t3 - t2);
  }
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  return { decode: mean(decode), resample: mean(resampling), seed: mean(seed) };
}

/** One line per measurement: the median rate over the rounds, its ratio to librosa's median rate and the per-round ratios. */
function print(title: string, runs: Figure[][], peers: Figure[]): void {
  console.log(`\n${title}${runs.length > 1 ? ` (medians of ${runs.length} rounds; per-round ratios in brackets)` : ''}`);
  const rate = (figure: Figure) => figure.clips / figure.seconds;
  const peerRate = peers.length > 0 ? median(peers.map(rate)) : null;
  const rows = runs[0].map((_, i) => runs.map((round) => round[i]));
  for (const row of rows.concat(peers.length > 0 ? [peers] : [])) {
    const isPeer = row === peers;
    const rowRate = median(row.map(rate));
    const seconds = median(row.map((figure) => figure.seconds));
    let ratio = '';
    if (peerRate !== null && !isPeer) {
      const perRound = row.map((figure, r) => (rate(figure) / rate(peers[r])).toFixed(2)).join(' ');
      ratio = `  ${(rowRate / peerRate).toFixed(2)}x librosa${row.length > 1 ? ` [${perRound}]` : ''}`;
    }
    const rss = row[0].maxRssMb === undefined ? '' : `  peak RSS ${Math.max(...row.map((figure) => figure.maxRssMb ?? 0)).toFixed(0)} MB`;
    console.log(`  ${row[0].label.padEnd(36)} ${seconds.toFixed(2).padStart(7)} s  ${rowRate.toFixed(1).padStart(7)} clips/s${ratio}${rss}`);
  }
  // Per CPU-second: what a core does for each, whatever the neighbours took of the machine.
  const cpuRate = (figure: Figure) => figure.clips / figure.cpuSeconds;
  const peerCpuRate = peers.length > 0 ? median(peers.map(cpuRate)) : null;
  const perCpu = rows.concat(peers.length > 0 ? [peers] : []).map((row) => {
    const value = median(row.map(cpuRate));
    const ratio = peerCpuRate !== null && row !== peers ? ` (${(value / peerCpuRate).toFixed(2)}x)` : '';
    return `${row[0].label.split(',')[0] === 'ours' ? row[0].label.replace('ours, ', '') : 'librosa'} ${value.toFixed(1)}${ratio}`;
  });
  console.log(`  clips per CPU-second (process CPU time, all threads): ${perCpu.join('; ')}`);
  const pool = (round: Figure[], threads: number) => round.find((figure) => figure.label.startsWith(`ours, pool of ${threads} `));
  const scaling = runs.map((round) => (pool(round, 1)?.seconds ?? NaN) / (pool(round, 2)?.seconds ?? NaN));
  console.log(`  scaling 1 -> 2 worker threads: ${median(scaling).toFixed(2)}x${runs.length > 1 ? ` [${scaling.map((x) => x.toFixed(2)).join(' ')}]` : ''}`);
}

async function main(): Promise<void> {
  const files = listClips();
  if (!existsSync(workerFile)) throw new Error(`${workerFile} is missing: run npm run build`);
  const python = pythonCommand();
  console.log(`bench:dsp: ${files.length} clips from ${corpus}; load(sr=22050, offset=0.6, duration=2.5) + seed-2376`);
  console.log(python === null ? 'librosa: not available (npm run bench:setup-peers installs it)' : `librosa peer: ${python}`);
  for (const path of files.slice(0, WARM_UP_CLIPS)) await extractFeatures(path, pipeline); // warm the decoders, plans and JIT

  const modes: Mode[] = withAugmentation ? ['plain', 'aug3'] : ['plain'];
  for (const mode of modes) {
    const runs: Figure[][] = [];
    const peers: Figure[] = [];
    for (let round = 0; round < rounds; round++) {
      const figures: Figure[] = [];
      const own = await inThread(files, mode);
      own.maxRssMb = process.resourceUsage().maxRSS / 1024;
      figures.push(own);
      for (const threads of [1, 2]) figures.push(await inPool(files, threads, mode));
      if (withJsRow) figures.push(await inThread(files, mode, 'js'));
      runs.push(figures);
      if (python !== null) peers.push(librosaPeer(python, files, mode));
    }
    print(mode === 'plain' ? 'original clips' : 'with the seed x3 augmentation (original, noisy, pitch-shifted noisy)', runs, peers);
  }
  if (withStages) {
    const backends: DspBackend[] = ['wasm', 'js'];
    const perRound = new Map<DspBackend, Awaited<ReturnType<typeof stages>>[]>(backends.map((b) => [b, []]));
    for (let round = 0; round < rounds; round++) for (const backend of backends) perRound.get(backend)?.push(await stages(files, backend));
    console.log('\nstages, ms per clip in this thread (mean over clips, median over rounds, the two DSP backends interleaved):');
    for (const backend of backends) {
      const figures = perRound.get(backend) ?? [];
      const pick = (key: 'decode' | 'resample' | 'seed') => median(figures.map((stage) => stage[key]));
      const total = pick('decode') + pick('resample') + pick('seed');
      console.log(`  ${backend === 'wasm' ? 'wasm kernels  ' : 'JavaScript DSP'}  decode ${pick('decode').toFixed(2)}, resample ${pick('resample').toFixed(2)}, seed-2376 ${pick('seed').toFixed(2)}; sum ${total.toFixed(2)}`);
    }
  }
}

await main();
