/**
 * `npm run bench:accuracy`: speaker-independent accuracy on the shared RAVDESS actors.
 *
 *   --presets small-cnn1d,mel-cnn2d   presets to train (default: the default preset and seed-cnn1d)
 *   --epochs N                        cap every preset's epochs (the seed's 50 do not fit 15 minutes)
 *   --seed-epochs N                   epochs for seed-cnn1d (default 10)
 *   --seeds 1,2,3                     train each preset once per seed and print the median (default: 42)
 *   --members K                       override the presets' ensemble size (mel-tcnn's default is 5)
 *   --leaky                           also the seed's leaky protocol: random 80/20 split after ×3 augmentation
 *   --db FILE                         reuse a catalog that already holds the corpus (and its feature cache)
 *
 * Protocol (issue 3): train on actors 01–16, validate on 17–18 (early stopping, learning-rate
 * schedule), test on 19–20, which training never saw. Each run goes through the CLI and the
 * training process, as a user's would. Prints accuracy, UAR, macro-F1, epochs and wall time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PRESET } from '../../src-shared/model/presets.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const corpus = resolve(repoRoot, '..', 'shared', 'data', 'ravdess-speech');
const { values } = parseArgs({
  options: {
    presets: { type: 'string' },
    epochs: { type: 'string' },
    'seed-epochs': { type: 'string', default: '10' },
    seeds: { type: 'string', default: '42' },
    members: { type: 'string' },
    leaky: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
});

function cli(args: string[], echo: boolean): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'emotion-studio.js'), ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (echo) process.stderr.write(chunk);
    });
    child.on('exit', (code) => done({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

interface Row {
  preset: string;
  seed: string;
  members: number;
  protocol: string;
  epochs: number;
  accuracy: number;
  uar: number;
  macroF1: number;
  minutes: number;
  backend: string;
}

async function main(): Promise<void> {
  if (!existsSync(corpus)) {
    console.log(`bench:accuracy needs ${corpus} (the shared RAVDESS actors); skipped`);
    return;
  }
  const db = values.db ?? join(mkdtempSync(join(tmpdir(), 'es-accuracy-')), 'bench.db');
  const imported = await cli(['import', corpus, '--db', db, '--json'], false);
  if (imported.code !== 0) throw new Error(`import failed: ${imported.stderr}`);
  const presets = (values.presets ?? `${DEFAULT_PRESET},seed-cnn1d`).split(',');
  const rows: Row[] = [];
  const seeds = values.seeds.split(',');
  const medians: Row[] = [];
  for (const preset of presets) {
    const epochs = preset === 'seed-cnn1d' ? values['seed-epochs'] : values.epochs;
    const runs: Row[] = [];
    for (const seed of seeds) {
      const args = ['train', '--db', db, '--preset', preset, '--test-actors', '19,20', '--val-actors', '17,18', '--seed', seed, '--json'];
      if (epochs !== undefined) args.push('--epochs', epochs);
      if (values.members !== undefined) args.push('--members', values.members);
      console.error(`\n== ${preset}: ${args.slice(1).join(' ')}`);
      const run = await cli(args, true);
      if (run.code !== 0) {
        console.error(`${preset} failed: ${run.stderr.split('\n').slice(-3).join(' ')}`);
        continue;
      }
      const result = JSON.parse(run.stdout) as { epochs: number; members?: number; backend: string; metrics: { accuracy: number; uar: number; macroF1: number } };
      runs.push({ preset, seed, members: result.members ?? 1, protocol: 'actors 19-20 held out', epochs: result.epochs, ...pick(result.metrics), minutes: run.ms / 60_000, backend: result.backend });
    }
    rows.push(...runs);
    if (runs.length > 1) {
      const median = (key: 'accuracy' | 'uar' | 'macroF1' | 'minutes' | 'epochs') => {
        const sorted = runs.map((r) => r[key]).sort((a, b) => a - b);
        const mid = Math.floor(sorted.length / 2);
        return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
      };
      medians.push({ ...runs[0], seed: `median of ${runs.length}`, accuracy: median('accuracy'), uar: median('uar'), macroF1: median('macroF1'), minutes: median('minutes'), epochs: median('epochs') });
    }
  }
  if (values.leaky) {
    const { runLeakyProtocol } = await import('./leaky-protocol.js');
    for (const preset of presets) {
      const epochs = Number(preset === 'seed-cnn1d' ? values['seed-epochs'] : (values.epochs ?? 30));
      console.error(`\n== ${preset}: the seed's leaky protocol (random 80/20 split after ×3 augmentation), ${epochs} epochs`);
      const started = performance.now();
      const leaky = await runLeakyProtocol(db, preset, epochs);
      rows.push({ preset, seed: '42', members: 1, protocol: 'leaky: random split after augmentation', epochs: leaky.epochs, ...pick(leaky.metrics), minutes: (performance.now() - started) / 60_000, backend: leaky.backend });
    }
  }
  console.log('\npreset        seed         members  protocol                                  epochs  accuracy    UAR  macro-F1  minutes  backend');
  for (const r of [...rows, ...medians]) {
    console.log(
      `${r.preset.padEnd(13)} ${r.seed.padEnd(12)} ${String(r.members).padStart(7)}  ${r.protocol.padEnd(41)} ${String(r.epochs).padStart(6)}  ${pct(r.accuracy).padStart(8)} ${pct(r.uar).padStart(6)} ${pct(r.macroF1).padStart(9)} ${r.minutes.toFixed(1).padStart(8)}  ${r.backend}`,
    );
  }
}

function pick(m: { accuracy: number; uar: number; macroF1: number }): { accuracy: number; uar: number; macroF1: number } {
  return { accuracy: m.accuracy, uar: m.uar, macroF1: m.macroF1 };
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

await main();
