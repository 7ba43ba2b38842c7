/**
 * `npm run bench:dsp`: decode + crop + resample + seed-2376 vector for the shared RAVDESS clips,
 * ours (one thread, then worker pools of 1 and 2 threads) and librosa beside it in the same run.
 * Prints clips/s, the ratio to librosa and peak RSS. A benchmark, not a test: it asserts nothing.
 *
 * librosa runs from BENCH_PYTHON, else .cache/bench-venv (npm run bench:setup-peers), else python3.
 * Options: --limit N (first N clips), --skip-aug (no ×3 augmentation pass).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { FEATURE_PIPELINES } from '../../src-shared/model/feature-pipeline.js';
import { extractFeatures, type WorkerReply } from '../../src-main/workers/audio-worker.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const corpus = resolve(repoRoot, '..', 'shared', 'data', 'ravdess-speech');
const workerFile = join(repoRoot, 'out', 'main', 'audio-worker.js');
const pipeline = FEATURE_PIPELINES['seed-2376'];
const args = process.argv.slice(2);
const limit = args.includes('--limit') ? Number(args[args.indexOf('--limit') + 1]) : Infinity;
const withAugmentation = !args.includes('--skip-aug');

type Mode = 'plain' | 'aug3';
interface Figure {
  label: string;
  seconds: number;
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

async function inThread(files: string[], mode: Mode): Promise<Figure> {
  const started = performance.now();
  for (let i = 0; i < files.length; i++) {
    await extractFeatures(files[i], pipeline, mode === 'aug3' ? { recipe: 'seed-x3', seed: i } : undefined);
  }
  return { label: `ours, 1 thread in-process`, seconds: (performance.now() - started) / 1000, clips: files.length };
}

async function inPool(files: string[], threads: number, mode: Mode): Promise<Figure> {
  const pool = new Piscina({ filename: workerFile, minThreads: threads, maxThreads: threads });
  // Warm every thread (wasm decoders, FFT plans) before the clock starts, as the in-thread run is warm too.
  await Promise.all(Array.from({ length: threads }, () => pool.run({ kind: 'features', path: files[0], pipeline })));
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const i = next++;
      const reply = (await pool.run({ kind: 'features', path: files[i], pipeline, augment: mode === 'aug3' ? { recipe: 'seed-x3', seed: i } : undefined })) as WorkerReply;
      if (!reply.ok) throw new Error(reply.message);
    }
  };
  await Promise.all(Array.from({ length: threads * 2 }, lane));
  const seconds = (performance.now() - started) / 1000;
  await pool.destroy();
  return { label: `ours, pool of ${threads} worker thread${threads > 1 ? 's' : ''}`, seconds, clips: files.length };
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
  const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { librosa: string; seconds: number; clips: number; maxRssMb: number };
  return { label: `librosa ${result.librosa}, 1 thread`, seconds: result.seconds, clips: result.clips, maxRssMb: result.maxRssMb };
}

function print(title: string, figures: Figure[], peer: Figure | null): void {
  console.log(`\n${title}`);
  for (const figure of figures.concat(peer ? [peer] : [])) {
    const rate = figure.clips / figure.seconds;
    const ratio = peer && figure !== peer ? `  ${(rate / (peer.clips / peer.seconds)).toFixed(2)}x librosa` : '';
    const rss = figure.maxRssMb === undefined ? '' : `  peak RSS ${figure.maxRssMb.toFixed(0)} MB`;
    console.log(`  ${figure.label.padEnd(36)} ${figure.seconds.toFixed(2).padStart(7)} s  ${rate.toFixed(1).padStart(7)} clips/s${ratio}${rss}`);
  }
}

async function main(): Promise<void> {
  const files = listClips();
  if (!existsSync(workerFile)) throw new Error(`${workerFile} is missing: run npm run build`);
  const python = pythonCommand();
  console.log(`bench:dsp: ${files.length} clips from ${corpus}; load(sr=22050, offset=0.6, duration=2.5) + seed-2376`);
  console.log(python === null ? 'librosa: not available (npm run bench:setup-peers installs it)' : `librosa peer: ${python}`);
  await extractFeatures(files[0], pipeline); // warm the decoders and plans

  const modes: Mode[] = withAugmentation ? ['plain', 'aug3'] : ['plain'];
  for (const mode of modes) {
    const figures: Figure[] = [];
    const own = await inThread(files, mode);
    own.maxRssMb = process.resourceUsage().maxRSS / 1024;
    figures.push(own);
    for (const threads of [1, 2]) figures.push(await inPool(files, threads, mode));
    const peer = python === null ? null : librosaPeer(python, files, mode);
    print(mode === 'plain' ? 'original clips' : 'with the seed x3 augmentation (original, noisy, pitch-shifted noisy)', figures, peer);
    const [one, two] = figures.slice(1);
    console.log(`  scaling 1 -> 2 worker threads: ${(one.seconds / two.seconds).toFixed(2)}x`);
  }
}

await main();
