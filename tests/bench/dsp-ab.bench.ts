/**
 * Before/after in one process: `npx tsx tests/bench/dsp-ab.bench.ts --base <git rev> [--step N] [--rounds N]`.
 * Exports src-main and src-shared of <rev> to .cache/bench-ab/<rev> and runs its extractFeatures
 * and its three stages (decode + crop, resample, seed-2376) beside the working tree's, taking
 * turns over the shared RAVDESS clips (every Nth, default all) for N rounds (default 3). Prints
 * medians of wall and CPU milliseconds per clip. A benchmark: it asserts nothing.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportBase } from './base-tree.js';
import { FEATURE_PIPELINES } from '../../src-shared/model/feature-pipeline.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const corpus = resolve(repoRoot, '..', 'shared', 'data', 'ravdess-speech');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const base = option('--base', '');
const step = Number(option('--step', '1'));
const rounds = Number(option('--rounds', '3'));
const pipeline = FEATURE_PIPELINES['seed-2376'];

interface Tree {
  name: string;
  extractFeatures: (path: string, p: typeof pipeline) => Promise<unknown>;
  decodeFile: (path: string, options: { offsetSec: number; durationSec: number; mono: boolean }) => Promise<{ data: Float32Array[]; sampleRate: number }>;
  resample: (x: Float32Array, srIn: number, srOut: number) => Float32Array;
  seed2376: (y: Float32Array, sr: number) => Float32Array;
}

async function load(name: string, root: string): Promise<Tree> {
  const at = (path: string) => pathToFileURL(join(root, path)).href;
  const worker = (await import(at('src-main/workers/audio-worker.ts'))) as Pick<Tree, 'extractFeatures'>;
  const decode = (await import(at('src-main/audio/decode.ts'))) as Pick<Tree, 'decodeFile'>;
  const resampling = (await import(at('src-main/audio/resample.ts'))) as Pick<Tree, 'resample'>;
  const dsp = (await import(at('src-shared/dsp/index.ts'))) as Pick<Tree, 'seed2376'>;
  return { name, extractFeatures: worker.extractFeatures, decodeFile: decode.decodeFile, resample: resampling.resample, seed2376: dsp.seed2376 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  if (base === '') throw new Error('usage: dsp-ab.bench.ts --base <git rev> [--step N] [--rounds N]');
  const files: string[] = [];
  for (const actor of readdirSync(corpus).sort()) {
    for (const name of readdirSync(join(corpus, actor)).sort()) if (/\.(wav|flac)$/i.test(name)) files.push(join(corpus, actor, name));
  }
  const clips = files.filter((_, i) => i % step === 0);
  const trees = [await load(`base ${base}`, exportBase(repoRoot, base)), await load('working tree', repoRoot)];
  const figures = new Map(trees.map((tree) => [tree, { wall: [] as number[], cpu: [] as number[], decode: [] as number[], resample: [] as number[], seed: [] as number[] }]));
  for (const tree of trees) for (const path of clips.slice(0, 10)) await tree.extractFeatures(path, pipeline);
  for (let round = 0; round < rounds; round++) {
    for (const tree of trees) {
      const f = figures.get(tree)!;
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (const path of clips) await tree.extractFeatures(path, pipeline);
      const used = process.cpuUsage(cpu);
      f.wall.push((performance.now() - started) / clips.length);
      f.cpu.push((used.user + used.system) / 1000 / clips.length);
      let decode = 0;
      let resampling = 0;
      let seed = 0;
      for (const path of clips) {
        const t0 = performance.now();
        const decoded = await tree.decodeFile(path, { offsetSec: 0.6, durationSec: 2.5, mono: true });
        const t1 = performance.now();
        const y = tree.resample(decoded.data[0], decoded.sampleRate, 22_050);
        const t2 = performance.now();
        tree.seed2376(y, 22_050);
        decode += t1 - t0;
        resampling += t2 - t1;
        seed += performance.now() - t2;
      }
      f.decode.push(decode / clips.length);
      f.resample.push(resampling / clips.length);
      f.seed.push(seed / clips.length);
    }
  }
  console.log(`dsp-ab: ${clips.length} clips, ${rounds} rounds taking turns; medians, ms per clip`);
  for (const [tree, f] of figures) {
    console.log(
      `  ${tree.name.padEnd(24)} extractFeatures wall ${median(f.wall).toFixed(2)} (${(1000 / median(f.wall)).toFixed(1)} clips/s), CPU ${median(f.cpu).toFixed(2)};` +
        ` decode ${median(f.decode).toFixed(2)}, resample ${median(f.resample).toFixed(2)}, seed-2376 ${median(f.seed).toFixed(2)}; per-round wall ${f.wall.map((x) => x.toFixed(2)).join(' ')}`,
    );
  }
  const [before, after] = trees.map((tree) => figures.get(tree)!);
  console.log(`  speed-up (median of per-round ratios): wall ${median(before.wall.map((b, i) => b / after.wall[i])).toFixed(2)}x, CPU ${median(before.cpu.map((b, i) => b / after.cpu[i])).toFixed(2)}x`);
}

await main();
