import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ravdessDir, repoRoot, runCli, smallCorpus, tempDbPath, trainerBuilt } from './harness.js';

const built = trainerBuilt(false);
const ACTORS = ['Actor_01', 'Actor_02', 'Actor_03', 'Actor_04'];
const PER_ACTOR = 16;

interface TrainJson {
  runId: number;
  status: string;
  backend: string;
  epochs: number;
  split: { groups: Record<string, string[]>; clips: Record<string, number> };
  metrics: { accuracy: number; uar: number; macroF1: number; confusion: number[][]; labels: string[] };
  float16: { sizeRatio: number; testAccuracy: number; accuracyChange: number };
  modelDir: string;
}

function runDb<T>(db: string, query: (sqlite: Database.Database) => T): T {
  const sqlite = new Database(db, { readonly: true });
  try {
    return query(sqlite);
  } finally {
    sqlite.close();
  }
}

/** Starts `train` and resolves once its stderr matches `pattern`. */
function startTraining(args: string[], pattern: RegExp): Promise<{ child: ReturnType<typeof spawn>; stderr: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'emotion-studio.js'), ...args], { cwd: repoRoot });
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (pattern.test(stderr)) resolve({ child, stderr: () => stderr, exit });
    });
    void exit.then((code) => reject(new Error(`train exited (${code}) before ${pattern}: ${stderr}`)));
  });
}

describe.skipIf(!built || !existsSync(ravdessDir))(`training from the command line (needs the build and ${ravdessDir})`, () => {
  let corpus: string;
  let db: string;
  beforeAll(async () => {
    corpus = smallCorpus('es-train-corpus', ACTORS, (files) => files.slice(0, PER_ACTOR));
    db = tempDbPath();
    const imported = await runCli(['import', corpus, '--db', db, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
  });

  it('trains on held-out actors, records the run, exports a model that evaluate and predict reproduce', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'es-model-')), 'model');
    const result = await runCli(['train', '--db', db, '--preset', 'tiny-cnn1d', '--epochs', '2', '--test-actors', '4', '--val-actors', '3', '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout) as TrainJson;
    expect(['tensorflow', 'wasm', 'cpu']).toContain(run.backend);
    expect(result.stderr).toContain(`backend: ${run.backend}`);
    expect(run.epochs).toBe(2);
    expect(run.split.groups).toEqual({ train: ['actor-01', 'actor-02'], val: ['actor-03'], test: ['actor-04'] });
    expect(run.split.clips).toEqual({ train: 2 * PER_ACTOR, val: PER_ACTOR, test: PER_ACTOR });
    expect(run.metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(PER_ACTOR);
    expect(run.modelDir).toBe(out);
    for (const file of ['model.json', 'weights.bin', 'scaler.json', 'labels.json', 'pipeline.json', 'manifest.json', 'float16/model.json', 'float16/weights.bin']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(statSync(join(out, 'float16', 'weights.bin')).size * 2).toBe(statSync(join(out, 'weights.bin')).size);
    expect(run.float16.sizeRatio).toBeCloseTo(0.5, 6);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { dataset: { fingerprint: string; split: { groups: { test: string[] } } }; backend: { name: string }; config: { preset: string } };
    expect(manifest.dataset.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.dataset.split.groups.test).toEqual(['actor-04']);
    expect(manifest.backend.name).toBe(run.backend);

    // the catalog has every epoch and a prediction per clip, written by the studio as the run went
    const rows = runDb(db, (sqlite) => ({
      status: (sqlite.prepare('SELECT status FROM runs WHERE id = ?').get(run.runId) as { status: string }).status,
      epochs: sqlite.prepare('SELECT epoch, samples_per_sec FROM epochs WHERE run_id = ? ORDER BY epoch').all(run.runId) as { epoch: number; samples_per_sec: number }[],
      predictions: sqlite.prepare("SELECT c.path, p.predicted, p.probabilities_json FROM predictions p JOIN clips c ON c.id = p.clip_id WHERE run_id = ? AND split = 'test' ORDER BY c.path").all(run.runId) as { path: string; predicted: string; probabilities_json: string }[],
      all: (sqlite.prepare('SELECT count(*) AS n FROM predictions WHERE run_id = ?').get(run.runId) as { n: number }).n,
    }));
    expect(rows.status).toBe('finished');
    expect(rows.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(rows.epochs.every((e) => e.samples_per_sec > 0)).toBe(true);
    expect(rows.all).toBe(ACTORS.length * PER_ACTOR);

    // the exported model, reloaded in another process from the audio files, gives the run's figures
    const evaluated = await runCli(['evaluate', '--model', out, join(corpus, 'Actor_04'), '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const metrics = JSON.parse(evaluated.stdout) as TrainJson['metrics'] & { n: number };
    expect(metrics.n).toBe(PER_ACTOR);
    expect(metrics.confusion).toEqual(run.metrics.confusion);
    expect(metrics.accuracy).toBeCloseTo(run.metrics.accuracy, 12);

    const files = rows.predictions.slice(0, 3).map((p) => p.path);
    const predicted = await runCli(['predict', '--model', out, ...files, '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const { predictions } = JSON.parse(predicted.stdout) as { predictions: { file: string; predicted: string; probabilities: Record<string, number> }[] };
    expect(predictions.map((p) => p.file)).toEqual(files);
    predictions.forEach((p, i) => {
      expect(Object.values(p.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(p.predicted).toBe(rows.predictions[i].predicted);
      const stored = JSON.parse(rows.predictions[i].probabilities_json) as number[];
      expect(Object.values(p.probabilities)[0]).toBeCloseTo(stored[0], 4);
    });
  });

  it('an ensemble of two: members in the export, epochs counted across them, and evaluate reproduces the run from the audio', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'es-ensemble-')), 'model');
    const result = await runCli(['train', '--db', db, '--preset', 'tiny-cnn1d', '--epochs', '2', '--members', '2', '--test-actors', '4', '--val-actors', '3', '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout) as TrainJson & { members: number };
    expect(run.members).toBe(2);
    expect(run.epochs).toBe(4);
    expect(result.stderr).toContain('member 2 epoch 4:');
    for (const file of ['members/1/model.json', 'members/2/model.json', 'members/2/scaler.json', 'float16/members/2/weights.bin', 'manifest.json']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const members = runDb(db, (sqlite) => sqlite.prepare('SELECT member FROM epochs WHERE run_id = ? ORDER BY epoch').all(run.runId) as { member: number }[]);
    expect(members.map((row) => row.member)).toEqual([1, 1, 2, 2]);
    const evaluated = await runCli(['evaluate', '--model', out, join(corpus, 'Actor_04'), '--json']);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect((JSON.parse(evaluated.stdout) as TrainJson['metrics']).confusion).toEqual(run.metrics.confusion);
  });

  it('refuses a split that puts one actor on two sides, naming the actor', async () => {
    const result = await runCli(['train', '--db', db, '--preset', 'tiny-cnn1d', '--test-actors', '3', '--val-actors', '3,2', '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('actor 3 is in both the validation and the test split');
  });

  it('Ctrl-C cancels within 2 s; kill -9 of the studio leaves the run interrupted, and --resume finishes it from its checkpoint', async () => {
    const args = ['train', '--db', db, '--preset', 'tiny-cnn1d', '--epochs', '12', '--test-actors', '4', '--val-actors', '3', '--json'];
    const cancelled = await startTraining(args, /epoch 1:/);
    const asked = Date.now();
    cancelled.child.kill('SIGINT');
    expect(await cancelled.exit).toBe(130);
    expect(Date.now() - asked).toBeLessThan(2000);
    const cancelledId = Number(/run (\d+) started/.exec(cancelled.stderr())?.[1]);
    expect(runDb(db, (s) => (s.prepare('SELECT status FROM runs WHERE id = ?').get(cancelledId) as { status: string }).status)).toBe('cancelled');

    const killed = await startTraining(args, /epoch 3:/);
    const runId = Number(/run (\d+) started/.exec(killed.stderr())?.[1]);
    killed.child.kill('SIGKILL');
    await killed.exit;
    const doneBefore = runDb(db, (s) => (s.prepare('SELECT max(epoch) AS e FROM epochs WHERE run_id = ?').get(runId) as { e: number }).e);
    expect(doneBefore).toBeGreaterThanOrEqual(3);

    const resumed = await runCli(['train', '--db', db, '--resume', String(runId), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const run = JSON.parse(resumed.stdout) as TrainJson;
    expect(run.runId).toBe(runId);
    const epochs = runDb(db, (s) => (s.prepare('SELECT epoch FROM epochs WHERE run_id = ? ORDER BY epoch').all(runId) as { epoch: number }[]).map((e) => e.epoch));
    // one continuous timeline: the epochs before the kill, then the resumed ones
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    expect(epochs.length).toBeGreaterThan(doneBefore - 1);
    expect(runDb(db, (s) => (s.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string }).status)).toBe('finished');
  });
});
