import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { encodeWav16 } from '../../../src-main/audio/wav-encode.js';
import { createStudio, type Studio } from '../../../src-main/studio.js';
import type { Dispatch } from '../../../src-main/transport/dispatch.js';
import { startBrowserServer, type BrowserServer } from '../../../src-main/transport/http.js';
import type { CatalogChanged, Clip, ImportSummary, JobProgress, Result } from '../../../src-shared/contract/index.js';
import { WsTransport, type ConnectionStatus, type WsTransportOptions } from '../../../src-renderer/lib/api/ws-transport.js';

// The browser-mode transport against the real server and a real studio on a temporary catalog.
// Node 20 has no global WebSocket, and a browser would send the auth cookie by itself, so the
// transport is handed the `ws` package's WebSocket (the same interface) carrying the cookie.

/** Resolves once `predicate` holds, polling; fails naming `what` after `timeoutMs`. */
async function until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 10));
  }
}

/** `promise`, or a failure naming `what` after `timeoutMs` (rather than the test's whole minute). */
function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected a value, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe('WsTransport against the browser-mode server', () => {
  let dir: string;
  let rendererDir: string;
  let folder: string;
  let studio: Studio;
  let server: BrowserServer;
  /** While set, the server holds calls to this method without answering (a call in flight). */
  let holdMethod: string | null = null;
  const dispatch: Dispatch = (method, args) => (method === holdMethod ? new Promise(() => {}) : studio.dispatch(method, args));
  const transports: WsTransport[] = [];

  function open(port: number, token: string, options: Partial<WsTransportOptions> = {}): WsTransport {
    const transport = new WsTransport({
      url: `ws://127.0.0.1:${port}/api/ws`,
      createSocket: (url) => new NodeWebSocket(url, { headers: { Cookie: `es_token_${port}=${token}` } }) as unknown as WebSocket,
      initialBackoffMs: 20,
      maxBackoffMs: 200,
      ...options,
    });
    transports.push(transport);
    return transport;
  }

  function statuses(transport: WsTransport): ConnectionStatus[] {
    const seen: ConnectionStatus[] = [];
    transport.onStatus((status) => seen.push(status));
    return seen;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'es-ws-transport-'));
    rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
    // A "folders" dataset: one subfolder per label, two short tones.
    folder = join(dir, 'corpus');
    for (const [label, hz] of [['angry', 220], ['sad', 330]] as const) {
      mkdirSync(join(folder, label), { recursive: true });
      const tone = Float32Array.from({ length: 8000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / 16_000));
      writeFileSync(join(folder, label, `${label}.wav`), encodeWav16(tone, 16_000));
    }
    studio = await createStudio({ dbPath: join(dir, 'catalog.db'), transport: 'http', workerThreads: 0 });
    server = await startBrowserServer({ dispatch, events: studio.events, rendererDir });
  });

  afterEach(() => {
    holdMethod = null;
    for (const transport of transports.splice(0)) transport.close();
  });

  afterAll(async () => {
    await server.close();
    await studio.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens with the auth cookie and answers each call by its id, whatever order the replies come in', async () => {
    const transport = open(server.port, server.token);
    const seen = statuses(transport);
    await until('the socket to open', () => transport.status === 'open');
    expect(seen).toEqual(['connecting', 'open']);

    // The import is slow and the others quick, so replies come back out of order.
    const importing = transport.invoke('catalog.importFolder', { folder, jobId: 'import-by-id' });
    const [info, missing, invalid] = await Promise.all([
      transport.invoke('app.info', {}),
      transport.invoke('catalog.getClip', { clipId: 424_242 }),
      transport.invoke('catalog.relabel', { clipId: 1, label: 'Not A Label' }),
    ]);
    expect(value(info)).toMatchObject({ transport: 'http', dbPath: studio.dbPath });
    expect(missing).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'clip 424242 not found' } });
    expect(invalid.ok === false && invalid.error.code).toBe('INVALID_ARGUMENT');
    const summary = value(await importing) as ImportSummary;
    expect(summary).toMatchObject({ imported: 2, failed: [], duplicates: [], byLabel: { angry: 1, sad: 1 } });
  });

  it('delivers events to their listeners, and stops after unsubscribe', async () => {
    const transport = open(server.port, server.token);
    await until('the socket to open', () => transport.status === 'open');
    const progress: JobProgress[] = [];
    const changes: CatalogChanged[] = [];
    const stopProgress = transport.on('job.progress', (payload) => progress.push(payload));
    const stopChanges = transport.on('catalog.changed', (payload) => changes.push(payload));

    // Re-importing a copy of the corpus elsewhere: a new dataset, so the files import again.
    const copy = join(dir, 'copy');
    mkdirSync(join(copy, 'calm'), { recursive: true });
    writeFileSync(join(copy, 'calm', 'calm.wav'), encodeWav16(Float32Array.from({ length: 4000 }, (_, i) => Math.sin(i / 7) / 4), 16_000));
    value(await transport.invoke('catalog.importFolder', { folder: copy, jobId: 'import-events' }));
    const mine = progress.filter((event) => event.jobId === 'import-events');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((event) => event.kind === 'import')).toBe(true);
    expect(mine.at(-1)).toMatchObject({ done: 1, total: 1 });
    const imported = changes.filter((change) => change.reason === 'import').flatMap((change) => change.clipIds);
    expect(imported.length).toBe(1);

    const relabel = value(await transport.invoke('catalog.relabel', { clipId: imported[0], label: 'happy' })) as { clip: Clip };
    expect(relabel.clip.label).toBe('happy');
    await until('the relabel event', () => changes.some((change) => change.reason === 'relabel'));
    expect(changes.find((change) => change.reason === 'relabel')).toEqual({ reason: 'relabel', clipIds: [imported[0]] });

    stopProgress();
    stopChanges();
    const before = changes.length;
    value(await transport.invoke('catalog.undo', {}));
    // The undo's reply follows its event on the same socket, so the event would be here by now.
    expect(changes.length).toBe(before);
  });

  it('fails a call made while no server answers with a plain error naming the call', async () => {
    const gone = await startBrowserServer({ dispatch, events: studio.events, rendererDir });
    await gone.close();
    const transport = open(gone.port, gone.token, { queueTimeoutMs: 1000 });
    const started = Date.now();
    const result = await within(transport.invoke('app.info', {}), 4000, 'the queued call to fail');
    expect(transport.status).not.toBe('open');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('IO_ERROR');
    expect(result.error.message).toBe('app.info failed: the studio server has not answered for 1 s; is it still running?');
    // Queued calls are checked once a second.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fails the calls in flight when the server goes, queues new ones, and reconnects when it is back', async () => {
    const transport = open(server.port, server.token, { queueTimeoutMs: 10_000 });
    const seen = statuses(transport);
    await until('the socket to open', () => transport.status === 'open');
    const changes: CatalogChanged[] = [];
    transport.on('catalog.changed', (payload) => changes.push(payload));

    holdMethod = 'catalog.clipStats';
    const inFlight = transport.invoke('catalog.clipStats', {});
    await new Promise((done) => setTimeout(done, 50));
    const { port, token } = server;
    await server.close();

    const lost = await within(inFlight, 2000, 'the call in flight to fail');
    expect(lost).toEqual({
      ok: false,
      error: { code: 'IO_ERROR', message: 'catalog.clipStats failed: lost the connection to the studio server; reconnecting.' },
    });
    await until('the transport to notice', () => transport.status !== 'open');
    const queued = transport.invoke('catalog.listDatasets', {});
    // Let a few reconnects fail against the closed port before the server comes back.
    await new Promise((done) => setTimeout(done, 300));
    holdMethod = null;

    server = await startBrowserServer({ dispatch, events: studio.events, rendererDir, port, token });
    await until('the socket to reopen', () => transport.status === 'open', 5000);
    expect(seen.filter((status) => status === 'open').length).toBe(2);
    expect(seen).toContain('closed');
    const datasets = value(await within(queued, 5000, 'the queued call to be sent on reconnect')) as unknown[];
    expect(datasets.length).toBe(2);
    expect(value(await transport.invoke('app.info', {}))).toMatchObject({ transport: 'http' });

    // Events flow on the new socket to the listeners registered before the restart.
    value(await transport.invoke('catalog.redo', {}));
    await until('the redo event', () => changes.some((change) => change.reason === 'redo'));
  });
});
