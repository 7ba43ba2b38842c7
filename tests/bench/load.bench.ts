/**
 * Load benchmark: `npm run bench:load` (tsx tests/bench/load.bench.ts; needs the build).
 * A 100,000-clip catalog served by the real browser-mode server; two clients (HTTP and
 * WebSocket) relabel at once while a third process writes training metrics into the same SQLite
 * file through the real RunsStore. Prints relabel latency percentiles per client and overall, the
 * writer's figures, and every error a client saw (the target is none).
 *
 * Sizes: LOAD_CLIPS (100000), LOAD_RELABELS per client (3000), LOAD_STEP_MS between the writer's
 * progress rows (10), LOAD_SEED (clock).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_CLI, envInt, percentile, REPO_ROOT, runSeed, tempDir } from '../reliability/helpers.js';
import { checkLoad, runLoad, type Ack } from '../reliability/load.js';

if (!existsSync(BUILT_CLI) || !existsSync(join(REPO_ROOT, 'out', 'renderer', 'index.html'))) {
  console.log(`bench:load needs the build (${BUILT_CLI}): run npx electron-vite build first`);
  process.exit(1);
}

const clips = envInt('LOAD_CLIPS', 100_000);
const relabelsPerClient = envInt('LOAD_RELABELS', 3000);
const stepMs = envInt('LOAD_STEP_MS', 10);
const seed = envInt('LOAD_SEED', runSeed());
const dir = tempDir('es-load-bench-');
try {
  console.log(`load: seed ${seed}, ${clips.toLocaleString('en')} clips, ${relabelsPerClient} relabels per client, a progress row every ${stepMs} ms`);
  const result = await runLoad({ dir: dir.path, clips, relabelsPerClient, seed, minWriterFinishes: 3, writer: { stepMs, stepsPerEpoch: 20, epochsPerRun: 5, predictionsPerRun: 20_000 } });
  console.log(`built the catalog in ${(result.buildMs / 1000).toFixed(1)} s; the load ran ${(result.wallMs / 1000).toFixed(1)} s`);
  const line = (name: string, acks: Ack[]) => {
    const ms = acks.map((a) => a.latencyMs);
    const rate = acks.length / (result.wallMs / 1000);
    console.log(
      `relabel ${name.padEnd(9)} n ${String(acks.length).padStart(5)}  p50 ${percentile(ms, 50).toFixed(2).padStart(6)} ms  p95 ${percentile(ms, 95).toFixed(2).padStart(6)} ms  p99 ${percentile(ms, 99).toFixed(2).padStart(6)} ms  max ${Math.max(0, ...ms).toFixed(1).padStart(6)} ms  ${rate.toFixed(0)}/s`,
    );
  };
  line('http', result.acks.filter((a) => a.client === 'http'));
  line('websocket', result.acks.filter((a) => a.client === 'ws'));
  line('both', result.acks);
  const w = result.writer;
  console.log(
    `writer: ${w.runs} runs (${w.finished} finished, ${w.predictions.toLocaleString('en')} prediction rows), ${w.epochs} epochs, ${w.progressWrites} progress rows; write p50 ${w.writeMs.p50.toFixed(2)} ms, p99 ${w.writeMs.p99.toFixed(2)} ms, max ${w.writeMs.max.toFixed(1)} ms; slowest finish ${w.finishMs.max.toFixed(0)} ms`,
  );
  const problems = checkLoad(result);
  console.log(`client errors: ${result.clientErrors.length}; writer errors: ${w.errors.length}; catalog problems: ${problems.length}`);
  for (const text of [...result.clientErrors, ...w.errors, ...problems].slice(0, 20)) console.log(`  ${text}`);
  process.exitCode = result.clientErrors.length + w.errors.length + problems.length > 0 ? 1 : 0;
} finally {
  dir.remove();
}
