/**
 * The training side of the load test: writes run metrics into a catalog file through the real
 * RunsStore, as the studio does while a run trains (status, backend, split, progress every step,
 * a row per epoch, then every prediction in one transaction at the end), only faster: a progress
 * row every `stepMs` instead of once a second. Runs one run after another until SIGTERM, then
 * prints one JSON line with what it wrote and every error it met (an SQLITE_BUSY would be one).
 *
 * Usage: node --import tsx metrics-writer-child.ts <db> <seed> <stepMs> <stepsPerEpoch> <epochsPerRun> <predictionsPerRun>
 */
import { openCatalog } from '../../src-main/catalog/db.js';
import type { JobOutcome } from '../../src-main/training/run-job.js';
import { RunsStore } from '../../src-main/training/runs-store.js';
import { resolveConfig } from '../../src-main/training/service.js';
import type { RunEpoch, RunProgress } from '../../src-shared/contract/training.js';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { percentile, rng, sleep } from './helpers.js';

export interface WriterReport {
  runs: number;
  finished: number;
  epochs: number;
  progressWrites: number;
  predictions: number;
  errors: string[];
  writeMs: { p50: number; p99: number; max: number };
  finishMs: { max: number };
  /** Run ids and their epoch counts, to check against the file. */
  written: { runId: number; epochs: number; finished: boolean }[];
}

const [dbPath, seedText, stepMsText, stepsText, epochsText, predictionsText] = process.argv.slice(2);
const random = rng(Number(seedText));
const stepMs = Number(stepMsText);
const stepsPerEpoch = Number(stepsText);
const epochsPerRun = Number(epochsText);
const predictionsPerRun = Number(predictionsText);

const db = openCatalog(dbPath);
const store = new RunsStore(db);
const clipCount = (db.prepare('SELECT count(*) FROM clips').pluck().get() as number) ?? 0;
const config = resolveConfig({ preset: 'tiny-cnn1d' });
let stopping = false;
process.once('SIGTERM', () => (stopping = true));

const report: WriterReport = { runs: 0, finished: 0, epochs: 0, progressWrites: 0, predictions: 0, errors: [], writeMs: { p50: 0, p99: 0, max: 0 }, finishMs: { max: 0 }, written: [] };
const writeTimes: number[] = [];

/** One write, timed; an error is recorded and the loop goes on, as the studio would log it. */
function write<T>(what: string, body: () => T): T | undefined {
  const started = performance.now();
  try {
    return body();
  } catch (error) {
    report.errors.push(`${what}: ${error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}` : String(error)}`);
    return undefined;
  } finally {
    writeTimes.push(performance.now() - started);
  }
}

process.stdout.write('ready\n');
while (!stopping) {
  const runId = write('create', () => store.create(`load ${report.runs + 1}`, config, (id) => `/tmp/es-load-runs/${id}`));
  if (runId === undefined) break;
  report.runs += 1;
  const entry = { runId, epochs: 0, finished: false };
  report.written.push(entry);
  write('status', () => store.setStatus(runId, 'running', { ownerPid: process.pid }));
  write('backend', () => store.setBackend(runId, 'tensorflow', 'load test'));
  write('prepared', () => store.setPrepared(runId, { groups: { train: ['actor-01'], val: ['actor-02'], test: ['actor-03'] }, clips: { train: 1, val: 1, test: 1 }, rows: { train: 1, val: 1, test: 1 }, fingerprint: 'load' }, [...EMOTIONS]));
  for (let epoch = 1; epoch <= epochsPerRun && !stopping; epoch++) {
    for (let step = 1; step <= stepsPerEpoch && !stopping; step++) {
      const progress: RunProgress = { phase: 'training', done: step, total: stepsPerEpoch, epoch, epochs: epochsPerRun, loss: 2 - epoch / 10, acc: epoch / 20, samplesPerSec: 300, etaSec: 10, at: new Date().toISOString() };
      const before = report.errors.length;
      write('progress', () => store.setProgress(runId, progress));
      if (report.errors.length === before) report.progressWrites += 1;
      await sleep(stepMs);
    }
    if (stopping) break;
    const record: RunEpoch = { epoch, member: 1, loss: 2 - epoch / 10, acc: epoch / 20, valLoss: 2.1 - epoch / 10, valAcc: epoch / 25, lr: 1e-3, durationMs: stepMs * stepsPerEpoch, samplesPerSec: 300, at: new Date().toISOString() };
    const before = report.errors.length;
    write('epoch', () => store.addEpoch(runId, record));
    if (report.errors.length === before) (report.epochs += 1), (entry.epochs += 1);
  }
  if (stopping) break;
  // The end of a run: every clip's prediction in one transaction, the largest write training makes.
  const predictions: JobOutcome['predictions'] = Array.from({ length: Math.min(predictionsPerRun, clipCount) }, (_, i) => {
    const probabilities = EMOTIONS.map(() => random());
    const sum = probabilities.reduce((a, b) => a + b, 0);
    return { clipId: 1 + ((i * 7919 + report.runs) % clipCount), split: 'test', label: EMOTIONS[i % EMOTIONS.length], predicted: EMOTIONS[(i * 3) % EMOTIONS.length], confidence: 0.5, loss: 1, probabilities: probabilities.map((p) => p / sum) };
  });
  const unique = [...new Map(predictions.map((p) => [p.clipId, p])).values()];
  const outcome: JobOutcome = { stoppedBy: 'max-epochs', bestEpoch: epochsPerRun, epochsRun: epochsPerRun, metrics: null, predictions: unique, modelDir: null, float16: null };
  const started = performance.now();
  const before = report.errors.length;
  write('finish', () => store.finish(runId, outcome));
  report.finishMs.max = Math.max(report.finishMs.max, performance.now() - started);
  if (report.errors.length === before) {
    report.finished += 1;
    report.predictions += unique.length;
    entry.finished = true;
    process.stdout.write(`finished ${runId}\n`);
  }
}

report.writeMs = { p50: percentile(writeTimes, 50), p99: percentile(writeTimes, 99), max: Math.max(0, ...writeTimes) };
db.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
