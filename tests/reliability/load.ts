import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { openCatalog } from '../../src-main/catalog/db.js';
import { CatalogStore } from '../../src-main/catalog/store.js';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { fillCatalog } from '../unit/catalog/helpers.js';
import { REPO_ROOT, randomInt, rng } from './helpers.js';
import type { WriterReport } from './metrics-writer-child.js';

/**
 * The load test (issue 5, item 6), shared by `npm run bench:load` and load.rel.ts: a catalog of
 * `clips` synthetic clips, served by the real browser-mode server (`emotion-studio serve`, the
 * built CLI) in its own process; two clients, one over HTTP and one over WebSocket, relabel
 * clips as fast as the server answers them, while a third process writes training metrics into
 * the same SQLite file through the real RunsStore.
 */
export interface LoadOptions {
  dir: string;
  clips: number;
  /** Relabels each client sends, one after the other (each waits for its reply). */
  relabelsPerClient: number;
  /** The clients go on past relabelsPerClient until the writer has finished this many runs (its largest writes). */
  minWriterFinishes?: number;
  seed: number;
  /** The metrics writer: a progress row every stepMs, an epoch every stepsPerEpoch steps, a run's predictions every epochsPerRun epochs. */
  writer: { stepMs: number; stepsPerEpoch: number; epochsPerRun: number; predictionsPerRun: number };
}

export interface Ack {
  client: 'http' | 'ws';
  clipId: number;
  label: string;
  eventId: number;
  latencyMs: number;
}

export interface LoadResult {
  dbPath: string;
  buildMs: number;
  acks: Ack[];
  /** Every reply that was not `ok: true` (or not a reply at all), as text. */
  clientErrors: string[];
  writer: WriterReport;
  wallMs: number;
  serverLog: string;
}

const CLI = join(REPO_ROOT, 'bin', 'emotion-studio.js');
const WRITER = join(REPO_ROOT, 'tests', 'reliability', 'metrics-writer-child.ts');

/** Starts a process and resolves when a line of its stdout matches `ready`. */
function startProcess(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match !== null) resolve({ child, match, output: () => output, exit });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exit.then((code) => reject(new Error(`${args.join(' ')} exited (${code}) before it was ready: ${output}`)));
  });
}

export function buildCatalog(dbPath: string, clips: number, seed: number): number {
  const started = performance.now();
  const db = openCatalog(dbPath);
  try {
    fillCatalog(new CatalogStore(db), clips, seed);
  } finally {
    db.close();
  }
  return performance.now() - started;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const dbPath = join(options.dir, 'studio.db');
  const buildMs = buildCatalog(dbPath, options.clips, options.seed);

  const server = await startProcess([CLI, 'serve', '--db', dbPath, '--port', '0'], /browser mode\): (http:\/\/\S+)/);
  const url = new URL(server.match[1]);
  const token = url.searchParams.get('token') ?? '';
  const host = url.host;
  const cookie = `es_token_${url.port}=${token}`;
  const { writer: w } = options;
  const writer = await startProcess(['--import', 'tsx', WRITER, dbPath, String(options.seed), String(w.stepMs), String(w.stepsPerEpoch), String(w.epochsPerRun), String(w.predictionsPerRun)], /^ready$/m);

  const acks: Ack[] = [];
  const clientErrors: string[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  try {
    const relabelOverHttp = (clipId: number, label: string): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const body = Buffer.from(JSON.stringify({ clipId, label }));
        const req = request(
          { host: url.hostname, port: Number(url.port), path: '/api/invoke/catalog.relabel', method: 'POST', agent, headers: { Host: host, Cookie: cookie, 'Content-Type': 'application/json', 'Content-Length': body.length } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text}`));
              else resolve(JSON.parse(text));
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      });

    const socket = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://${host}/api/ws`, { headers: { Cookie: cookie, Host: host } });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
    const pending = new Map<string, (reply: unknown) => void>();
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; id?: string; result?: unknown };
      if (frame.type !== 'reply') return; // catalog.changed events, which the renderer would use
      const done = pending.get(String(frame.id));
      if (done === undefined) clientErrors.push(`ws: a reply nobody asked for: ${data.toString().slice(0, 200)}`);
      else (pending.delete(String(frame.id)), done(frame.result));
    });
    socket.on('close', (code) => {
      if (pending.size > 0) clientErrors.push(`ws: closed (${code}) with ${pending.size} requests unanswered`);
    });
    let nextId = 0;
    const relabelOverWs = (clipId: number, label: string): Promise<unknown> =>
      new Promise((resolve) => {
        const id = `r${nextId++}`;
        pending.set(id, resolve);
        socket.send(JSON.stringify({ type: 'invoke', id, method: 'catalog.relabel', args: { clipId, label } }));
      });

    // The two clients relabel disjoint clips (odd and even ids), so each clip's last
    // acknowledged label is known whatever order the server ran them in.
    const client = async (name: Ack['client'], parity: 0 | 1, send: (clipId: number, label: string) => Promise<unknown>, seed: number) => {
      const random = rng(seed);
      const half = Math.floor(options.clips / 2);
      const finishes = () => (writer.output().match(/^finished \d+$/gm) ?? []).length;
      const deadline = performance.now() + 300_000;
      for (let i = 0; i < options.relabelsPerClient || finishes() < (options.minWriterFinishes ?? 0); i++) {
        if (performance.now() > deadline) {
          clientErrors.push(`${name}: the writer finished ${finishes()} runs in 300 s, fewer than ${options.minWriterFinishes}`);
          break;
        }
        const clipId = 2 * randomInt(random, 0, half - 1) + 1 + parity;
        const label = EMOTIONS[randomInt(random, 0, EMOTIONS.length - 1)];
        const sent = performance.now();
        try {
          const reply = (await send(clipId, label)) as { ok: boolean; value?: { event: { id: number; clipId: number; newLabel: string } }; error?: { code: string; message: string } };
          const latencyMs = performance.now() - sent;
          if (reply?.ok !== true || reply.value === undefined) clientErrors.push(`${name}: relabel ${clipId} → ${label}: ${JSON.stringify(reply?.error ?? reply)}`);
          else acks.push({ client: name, clipId, label, eventId: reply.value.event.id, latencyMs });
        } catch (error) {
          clientErrors.push(`${name}: relabel ${clipId} → ${label}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    };
    await Promise.all([client('http', 0, relabelOverHttp, options.seed + 1), client('ws', 1, relabelOverWs, options.seed + 2)]);
    socket.close();
  } finally {
    agent.destroy();
    writer.child.kill('SIGTERM');
    await writer.exit;
    server.child.kill('SIGTERM');
    await server.exit;
  }
  const wallMs = performance.now() - started;
  const lastLine = writer.output().trim().split('\n').pop() ?? '';
  let report: WriterReport;
  try {
    report = JSON.parse(lastLine) as WriterReport;
  } catch {
    throw new Error(`the metrics writer printed no report: ${writer.output()}`);
  }
  return { dbPath, buildMs, acks, clientErrors, writer: report, wallMs, serverLog: server.output() };
}

/** What the catalog file says about the acknowledged relabels and the writer's runs: a list of problems, empty when all is there. */
export function checkLoad(result: LoadResult): string[] {
  const problems: string[] = [];
  const db = new Database(result.dbPath, { readonly: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    const event = db.prepare<[number], { clip_id: number; new_label: string; action: string; source: string }>('SELECT clip_id, new_label, action, source FROM label_events WHERE id = ?');
    for (const ack of result.acks) {
      const row = event.get(ack.eventId);
      if (row === undefined) problems.push(`${ack.client}: relabel ${ack.clipId} → ${ack.label} acknowledged as event ${ack.eventId}, which is not in the file`);
      else if (row.clip_id !== ack.clipId || row.new_label !== ack.label) problems.push(`${ack.client}: event ${ack.eventId} is clip ${row.clip_id} → ${row.new_label}, acknowledged as clip ${ack.clipId} → ${ack.label}`);
    }
    const lastLabel = new Map<number, string>();
    for (const ack of result.acks) lastLabel.set(ack.clipId, ack.label);
    const clip = db.prepare<[number], { label: string }>('SELECT label FROM clips WHERE id = ?');
    const latest = db.prepare<[number], { new_label: string }>('SELECT new_label FROM label_events WHERE clip_id = ? ORDER BY id DESC LIMIT 1');
    for (const [clipId, label] of lastLabel) {
      const row = clip.get(clipId);
      if (row?.label !== label) problems.push(`clip ${clipId} is ${row?.label ?? 'missing'}, its last acknowledged relabel says ${label}`);
      if (latest.get(clipId)?.new_label !== label) problems.push(`clip ${clipId}: its latest history row does not say ${label}`);
    }
    const userEvents = db.prepare("SELECT count(*) FROM label_events WHERE source = 'user' AND action = 'set'").pluck().get() as number;
    const changes = result.acks.length;
    // A relabel to the label a clip already has is acknowledged with its latest event and writes no row.
    if (userEvents > changes) problems.push(`${userEvents} user relabel rows for ${changes} acknowledged relabels`);
    const epochs = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM epochs WHERE run_id = ?');
    const run = db.prepare<[number], { status: string }>('SELECT status FROM runs WHERE id = ?');
    for (const written of result.writer.written) {
      const n = epochs.get(written.runId)?.n ?? 0;
      if (n !== written.epochs) problems.push(`run ${written.runId}: ${written.epochs} epochs written, ${n} in the file`);
      if (written.finished && run.get(written.runId)?.status !== 'finished') problems.push(`run ${written.runId} was finished, the file says ${run.get(written.runId)?.status}`);
    }
  } finally {
    db.close();
  }
  return problems;
}
