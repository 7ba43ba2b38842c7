/**
 * The decode + crop stage alone: `npx tsx tests/bench/decode.bench.ts [--rounds N] [--base <rev> | --base-dir <folder>]`.
 * Decodes every shared RAVDESS clip as the feature pipeline loads it (offset 0.6 s, duration
 * 2.5 s, mono) and prints ms per clip for the FLAC and the WAV clips apart (median over rounds,
 * wall and CPU time of the process). With --base, the decodeFile of that git revision (exported
 * as dsp-ab.bench.ts does) takes turns with the working tree's in every round; --base-dir names
 * a folder holding a copy of src-main and src-shared instead. A benchmark: it asserts nothing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportBase } from './base-tree.js';

type DecodeFile = (path: string, options: { offsetSec: number; durationSec: number; mono: boolean }) => Promise<{ data: Float32Array[] }>;

const repoRoot = resolve(import.meta.dirname, '..', '..');
const corpus = resolve(repoRoot, '..', 'shared', 'data', 'ravdess-speech');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const rounds = Number(option('--rounds', '5'));
const base = option('--base', '');
/** A copy of the tree (with src-main and src-shared) to compare instead of a git revision. */
const baseDir = option('--base-dir', '');

async function decoderOf(root: string): Promise<DecodeFile> {
  return ((await import(pathToFileURL(join(root, 'src-main/audio/decode.ts')).href)) as { decodeFile: DecodeFile }).decodeFile;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timeAll(decodeFile: DecodeFile, files: string[]): Promise<{ ms: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const file of files) await decodeFile(file, { offsetSec: 0.6, durationSec: 2.5, mono: true });
  const cpu = process.cpuUsage(cpu0);
  return { ms: (performance.now() - t0) / files.length, cpuMs: (cpu.user + cpu.system) / 1000 / files.length };
}

async function main(): Promise<void> {
  if (!existsSync(corpus)) {
    console.log(`skipped: needs the shared clips in ${corpus}`);
    return;
  }
  const all: string[] = [];
  for (const actor of readdirSync(corpus).sort()) {
    if (!actor.startsWith('Actor_')) continue;
    for (const name of readdirSync(join(corpus, actor)).sort()) if (/\.(wav|flac)$/.test(name)) all.push(join(corpus, actor, name));
  }
  const sets = { flac: all.filter((f) => f.endsWith('.flac')), wav: all.filter((f) => f.endsWith('.wav')) };
  // --only-base: the base alone, for runs in separate processes (in one process the trees share the garbage collector).
  const trees: { name: string; decodeFile: DecodeFile }[] = args.includes('--only-base') ? [] : [{ name: 'working tree', decodeFile: await decoderOf(repoRoot) }];
  if (base !== '') trees.unshift({ name: base, decodeFile: await decoderOf(exportBase(repoRoot, base)) });
  if (baseDir !== '') trees.unshift({ name: baseDir.split('/').pop() ?? baseDir, decodeFile: await decoderOf(resolve(baseDir)) });
  for (const tree of trees) for (const file of all.slice(0, 20)) await tree.decodeFile(file, { offsetSec: 0.6, durationSec: 2.5, mono: true });
  const results = new Map<string, { ms: number[]; cpuMs: number[] }>();
  for (let round = 0; round < rounds; round++) {
    for (const tree of round % 2 === 0 ? trees : [...trees].reverse()) {
      for (const [kind, files] of Object.entries(sets)) {
        const key = `${tree.name} ${kind}`;
        const r = await timeAll(tree.decodeFile, files);
        const entry = results.get(key) ?? { ms: [], cpuMs: [] };
        entry.ms.push(r.ms);
        entry.cpuMs.push(r.cpuMs);
        results.set(key, entry);
      }
    }
  }
  console.log(`decode + crop (offset 0.6 s, 2.5 s, mono), ms per clip, median of ${rounds} rounds (wall / CPU of the process):`);
  for (const [key, r] of results) console.log(`  ${key.padEnd(28)} ${median(r.ms).toFixed(3)} / ${median(r.cpuMs).toFixed(3)}   rounds ${r.ms.map((v) => v.toFixed(2)).join(' ')}`);
}

await main();
