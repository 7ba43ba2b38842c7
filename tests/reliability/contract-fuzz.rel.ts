import Database from 'better-sqlite3';
import fc from 'fast-check';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createStudio, type Studio } from '../../src-main/studio.js';
import { startBrowserServer, type BrowserServer } from '../../src-main/transport/http.js';
import { argSchemas, ERROR_CODES, isMethodName, METHOD_NAMES, type Domain, type Result } from '../../src-shared/contract/index.js';
import { envInt, percentile, runSeed, tempDir } from './helpers.js';
import { encodeWavCase } from './wav-gen.js';

/**
 * Contract fuzzing against a real studio on a temp catalog: RELIABILITY_REQUESTS (default
 * 12,000) random or malformed requests, half over HTTP POST /api/invoke/<method>, half as
 * WebSocket frames on /api/ws, then RELIABILITY_DISPATCH_CASES (default 10,000) straight into the
 * dispatcher with structured-clone values (what the Electron IPC handler passes it), plus raw
 * WebSocket bytes and raw URL paths. The server must never crash or hang, every reply must be a
 * Result whose error code is in ERROR_CODES and never INTERNAL, an ok reply only for a call the
 * schema accepts, and afterwards the studio still answers app.info and still relabels.
 */

const SEED = runSeed();
const REQUESTS = envInt('RELIABILITY_REQUESTS', 12_000);
const DISPATCH_CASES = envInt('RELIABILITY_DISPATCH_CASES', 10_000);
const REPLY_LIMIT_MS = 10_000;
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'then'];
const FIELD_NAMES = ['clipId', 'label', 'folder', 'jobId', 'filter', 'sort', 'descending', 'offset', 'limit', 'pipeline', 'sampleRate', 'nFft', 'hopLength', 'nMels', 'topDb', 'labels', 'actors', 'text', 'datasetId', 'gender'];

// ---- generators

const methodArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...METHOD_NAMES) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ...PROTO_KEYS,
      'app.__proto__',
      'app.constructor',
      'catalog.hasOwnProperty',
      'catalog.store',
      'catalog.jobs',
      'catalog.step',
      'catalog.requireClip',
      'catalog.cancelJob',
      'app',
      'app.',
      '.info',
      'app.info.',
      'APP.INFO',
      ' app.info',
      'app.info\u0000',
      'catalog.relabel/../app.info',
      '',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) },
);

const keyArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...PROTO_KEYS, ...FIELD_NAMES));
const hostileArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 3, key: keyArb, withNullPrototype: true, withObjectString: true }),
  fc.constantFrom(-1, 0, 0.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, '1', '', 'neutral', true, null, [], {}, [1], 'NaN'),
  fc.string({ minLength: 1000, maxLength: 70_000 }),
);
/** A value for a known field: often valid, often just wrong. */
const fieldValueArb: Record<string, fc.Arbitrary<unknown>> = {
  clipId: fc.oneof(fc.integer({ min: 1, max: 14 }), fc.integer({ min: -5, max: 2 ** 40 }), hostileArb),
  label: fc.oneof(fc.constantFrom('neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised', 'x', 'A', 'a'.repeat(65)), hostileArb),
  folder: fc.oneof(fc.constantFrom('$CORPUS', '$MISSING', '$FILE', '.', '/', '..', '~', 'C:\\', '\\\\server\\share', '/dev/null', '/proc/self'), hostileArb),
  jobId: fc.oneof(fc.constantFrom('job-1', 'job-2', 'x'.repeat(101)), hostileArb),
  filter: fc.oneof(
    fc.record(
      {
        labels: fc.oneof(fc.array(fc.constantFrom('happy', 'sad', 'X', ''), { maxLength: 3 }), hostileArb),
        actors: fc.oneof(fc.array(fc.integer({ min: -1, max: 30 }), { maxLength: 3 }), hostileArb),
        text: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('%', '_', '\\', "'; DROP TABLE clips; --"), hostileArb),
        datasetId: fc.oneof(fc.integer({ min: 0, max: 3 }), hostileArb),
        gender: fc.oneof(fc.constantFrom('male', 'female', 'other'), hostileArb),
      },
      { requiredKeys: [] },
    ),
    hostileArb,
  ),
  sort: fc.oneof(fc.constantFrom('id', 'path', 'label', 'actor', 'duration', 'intensity', 'rowid; --'), hostileArb),
  descending: fc.oneof(fc.boolean(), hostileArb),
  offset: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer(), hostileArb),
  limit: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.integer(), hostileArb),
  pipeline: fc.oneof(
    fc.constantFrom('seed-2376', 'logmel-64', 'logmel-128', 'nope'),
    fc.record({
      name: fc.oneof(fc.constant('p'), hostileArb),
      version: fc.oneof(fc.constant(1), hostileArb),
      load: fc.oneof(
        fc.record({
          sampleRate: fc.oneof(fc.constantFrom(8000, 16_000, 22_050, 48_000), hostileArb),
          offsetSec: fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), hostileArb),
          durationSec: fc.oneof(fc.double({ min: 0.01, max: 3, noNaN: true }), hostileArb),
        }),
        hostileArb,
      ),
      featureSet: fc.oneof(fc.constantFrom('seed-2376', 'logmel-64', 'logmel-128'), hostileArb),
    }),
    hostileArb,
  ),
  sampleRate: fc.oneof(fc.constantFrom(4000, 8000, 22_050, 44_100, 192_000), hostileArb),
  nFft: fc.oneof(fc.constantFrom(512, 1024, 2048, 4096, 3), hostileArb),
  hopLength: fc.oneof(fc.integer({ min: 32, max: 4096 }), hostileArb),
  nMels: fc.oneof(fc.integer({ min: 16, max: 256 }), hostileArb),
  topDb: fc.oneof(fc.double({ min: 10, max: 200, noNaN: true }), hostileArb),
};
/** Objects made of the contract's own field names (valid calls among them), with hostile keys mixed in. */
const fieldsArb: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.subarray(Object.keys(fieldValueArb), { maxLength: 4 }).chain((keys) => fc.tuple(...keys.map((key) => fieldValueArb[key].map((value) => [key, value] as const)))),
    fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS), hostileArb), { maxLength: 1 }),
  )
  .map(([known, extra]) => {
    const args: Record<string, unknown> = {};
    for (const [key, value] of [...known, ...(Math.random() < 0.15 ? extra : [])]) Object.defineProperty(args, key, { value, enumerable: true, writable: true, configurable: true });
    return args;
  });
const argsArb: fc.Arbitrary<unknown> = fc.oneof({ weight: 3, arbitrary: fieldsArb }, { weight: 2, arbitrary: hostileArb }, { weight: 1, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constant(undefined) });

/** Texts no JSON encoder would write: the parser's side of the boundary. */
const rawTextArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '{"__proto__": {"polluted": "yes"}}',
    '{"constructor": {"prototype": {"polluted": "yes"}}}',
    '{"filter": {"__proto__": {"labels": ["happy"]}}}',
    '{"clipId": 1, "__proto__": {"clipId": 2}}',
    '{"clipId": 1, "clipId": "two"}',
    '\ufeff{}',
    '{',
    '{"clipId": 1',
    '[]',
    'null',
    'true',
    '1e999',
    '"app.info"',
    '{"clipId": 1e999}',
    '{"clipId": -0}',
    '{"a":"\\ud800"}',
    '\u0000',
    '{}\n{}',
    '{"label": "happy\u0000"}',
  ),
  fc.integer({ min: 1, max: 40_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 1, max: 20_000 }).map((depth) => `${'{"filter":'.repeat(depth)}{}${'}'.repeat(depth)}`),
  fc.integer({ min: 10_000, max: 900_000 }).map((length) => JSON.stringify({ folder: 'a'.repeat(length), jobId: 'j' })),
);

interface Request {
  method: unknown;
  /** The body/args as text; undefined sends no body (an empty object to the server). */
  text: string | undefined;
  /** The args value when the text is its JSON, so the reply can be checked against the schema. */
  args?: unknown;
  oversized?: boolean;
  invalidUtf8?: boolean;
}

const requestArb: fc.Arbitrary<Request> = fc.oneof(
  { weight: 20, arbitrary: fc.tuple(methodArb, argsArb).map(([method, args]) => ({ method, text: jsonOrUndefined(args), args: parsedBack(args) })) },
  { weight: 6, arbitrary: fc.tuple(methodArb, rawTextArb).map(([method, text]) => ({ method, text })) },
  { weight: 1, arbitrary: fc.tuple(methodArb, fc.uint8Array({ minLength: 1, maxLength: 40 })).map(([method, bytes]) => ({ method, text: `{"label":"${Buffer.from(bytes).toString('latin1')}"}`, invalidUtf8: true })) },
);

function jsonOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function parsedBack(value: unknown): unknown {
  const text = jsonOrUndefined(value);
  return text === undefined ? undefined : JSON.parse(text);
}

// ---- checks

interface Tally {
  requests: number;
  ok: number;
  codes: Map<string, number>;
  statuses: Map<number, number>;
  latencies: number[];
  internal: string[];
}

const newTally = (): Tally => ({ requests: 0, ok: 0, codes: new Map(), statuses: new Map(), latencies: [], internal: [] });

/** A reply must be a Result: ok only for a call the schema accepts; else a code from ERROR_CODES, never INTERNAL. */
function checkResult(tally: Tally, result: unknown, method: unknown, args: unknown, context: string): void {
  expect(typeof result === 'object' && result !== null, context).toBe(true);
  const reply = result as Result<unknown>;
  if (reply.ok === true) {
    expect('value' in reply, context).toBe(true);
    expect(isMethodName(method), `ok for an unknown method: ${context}`).toBe(true);
    if (args !== undefined && isMethodName(method)) {
      const [domain, name] = method.split('.') as [Domain, string];
      const schema = (argSchemas[domain] as Record<string, { safeParse(v: unknown): { success: boolean } }>)[name];
      expect(schema.safeParse(args ?? {}).success, `ok for arguments the schema refuses: ${context}`).toBe(true);
    }
    tally.ok += 1;
    return;
  }
  expect(reply.ok, context).toBe(false);
  expect(ERROR_CODES as readonly string[], context).toContain(reply.error.code);
  expect(typeof reply.error.message, context).toBe('string');
  expect(reply.error.message.length, context).toBeGreaterThan(0);
  if (reply.error.code === 'INTERNAL' && tally.internal.length < 20) tally.internal.push(`${context}: ${reply.error.message}`);
  tally.codes.set(reply.error.code, (tally.codes.get(reply.error.code) ?? 0) + 1);
}

function describeTally(name: string, tally: Tally, ms: number): string {
  const codes = [...tally.codes].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`).join(', ');
  const statuses = tally.statuses.size > 0 ? `; HTTP ${[...tally.statuses].map(([status, n]) => `${status}×${n}`).join(' ')}` : '';
  return `  ${name}: ${tally.requests} requests in ${(ms / 1000).toFixed(1)} s, ok ${tally.ok}, ${codes}${statuses}; p50 ${percentile(tally.latencies, 50).toFixed(1)} ms, p99 ${percentile(tally.latencies, 99).toFixed(1)} ms, max ${percentile(tally.latencies, 100).toFixed(0)} ms`;
}

async function inPool<T>(items: T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index], index);
      }
    }),
  );
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no reply within ${REPLY_LIMIT_MS} ms: ${what}`)), REPLY_LIMIT_MS);
    promise.then(
      (value) => {
        clearTimeout(timer);
        done(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        fail(error);
      },
    );
  });
}

describe('contract fuzzing through HTTP, WebSocket and the dispatcher', () => {
  const temp = tempDir('es-rel-contract-');
  const corpus = join(temp.path, 'corpus');
  let studio: Studio;
  let server: BrowserServer;
  let cookie: string;
  let host: string;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const report: string[] = [];

  /** Keeps the fuzz off real folders: importing "/" or "." would walk the machine, not test the contract. */
  const confine = (args: unknown): unknown => {
    if (typeof args !== 'object' || args === null || !('folder' in args)) return args;
    const folder = (args as { folder: unknown }).folder;
    const replaced =
      folder === '$CORPUS' ? corpus : folder === '$MISSING' ? join(temp.path, 'missing') : folder === '$FILE' ? join(corpus, 'happy', 'a0.wav') : folder;
    let safe = replaced;
    if (typeof replaced === 'string' && replaced.length < 4096 && !resolve(replaced).startsWith(temp.path)) {
      try {
        if (existsSync(replaced) && statSync(replaced).isDirectory()) safe = join(temp.path, 'missing');
      } catch {
        // unreadable: the studio gets to say so
      }
    }
    return { ...(args as object), folder: safe };
  };

  beforeAll(async () => {
    for (const [label, count] of [['happy', 7], ['sad', 7]] as const) {
      mkdirSync(join(corpus, label), { recursive: true });
      for (let i = 0; i < count; i++) {
        const frames = 4000 + 1000 * i;
        const samples = Array.from({ length: frames }, (_, t) => Math.round(8000 * Math.sin((2 * Math.PI * (200 + 50 * i) * t) / 16_000)));
        const wav = encodeWavCase({ sampleFormat: 'int', bits: 16, channels: 1, sampleRate: 16_000, extensible: false, rf64: false, samples, frames, chunksBeforeFmt: [], chunksBeforeData: [], chunksAfterData: [] });
        writeFileSync(join(corpus, label, `a${i}.wav`), wav);
      }
    }
    const rendererDir = join(temp.path, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
    studio = await createStudio({ dbPath: join(temp.path, 'catalog.db'), transport: 'http', workerThreads: 0 });
    const imported = await studio.dispatch('catalog.importFolder', { folder: corpus, jobId: 'setup' });
    expect(imported.ok && (imported.value as { imported: number }).imported).toBe(14);
    server = await startBrowserServer({ dispatch: studio.dispatch, events: studio.events, rendererDir });
    cookie = `es_token_${server.port}=${server.token}`;
    host = `127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    console.log(`contract-fuzz: seed ${SEED}\n${report.join('\n')}`);
    agent.destroy();
    await server?.close();
    await studio?.close();
    temp.remove();
  });

  /** One POST; resolves with the status and the parsed body (or the raw text when it is not JSON). */
  function post(path: string, body: Buffer | undefined, options: { keepAlive: boolean } = { keepAlive: true }): Promise<{ status: number; body: unknown; reset: boolean }> {
    return new Promise((done, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          method: 'POST',
          agent: options.keepAlive ? agent : false,
          headers: { Host: host, Cookie: cookie, 'Content-Type': 'application/json', ...(body ? { 'Content-Length': body.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // a plain-text refusal
            }
            done({ status: res.statusCode ?? 0, body: parsed, reset: false });
          });
          res.on('error', () => done({ status: res.statusCode ?? 0, body: undefined, reset: true }));
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? done({ status: 0, body: undefined, reset: true }) : fail(error)));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  it(`HTTP: ${Math.ceil(REQUESTS / 2)} random and malformed requests, a few oversized`, async () => {
    const n = Math.ceil(REQUESTS / 2);
    const requests = fc.sample(requestArb, { numRuns: n, seed: SEED });
    // One in 500 is over the 1 MiB body limit.
    for (let i = 250; i < requests.length; i += 500) requests[i] = { method: 'catalog.importFolder', text: JSON.stringify({ folder: 'x'.repeat((1 << 20) + 1 + i), jobId: 'j' }), oversized: true };
    const tally = newTally();
    const started = performance.now();
    await inPool(requests, 8, async (req, index) => {
      const methodText = typeof req.method === 'string' ? req.method : JSON.stringify(jsonOrUndefined(req.method) ?? String(typeof req.method));
      const args = req.text === undefined ? undefined : confine(req.args);
      const text = req.args !== undefined && args !== req.args ? JSON.stringify(args) : req.text;
      const body = text === undefined ? undefined : req.invalidUtf8 ? Buffer.from(text, 'latin1') : Buffer.from(text, 'utf8');
      const t0 = performance.now();
      const reply = await withTimeout(post(`/api/invoke/${encodeURIComponent(methodText)}`, body, { keepAlive: !req.oversized }), `HTTP #${index} ${methodText}`);
      tally.latencies.push(performance.now() - t0);
      tally.requests += 1;
      tally.statuses.set(reply.status, (tally.statuses.get(reply.status) ?? 0) + 1);
      const context = `HTTP #${index} ${methodText.slice(0, 60)} ${String(text).slice(0, 120)}`;
      if (req.oversized) {
        // 413 with a Result, or the connection cut while the client was still sending.
        expect(reply.reset || reply.status === 413, context).toBe(true);
        if (!reply.reset) checkResult(tally, reply.body, methodText, undefined, context);
        return;
      }
      expect([200, 400], context).toContain(reply.status);
      if (reply.status === 400) expect((reply.body as Result<unknown>).ok === false && (reply.body as { error: { code: string } }).error.code, context).toBe('INVALID_ARGUMENT');
      checkResult(tally, reply.body, methodText, req.text === undefined ? {} : args === undefined ? undefined : args, context);
    });
    report.push(describeTally('HTTP', tally, performance.now() - started));
    expect(tally.internal, tally.internal.join('\n')).toEqual([]);
  });

  it('HTTP: raw method paths (bad percent-encoding, traversal, control bytes) and static paths', async () => {
    const paths = fc.sample(
      fc.oneof(
        fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%00', 'app%2Einfo', '..%2F..%2Fapp.info', 'app.info%20', '%C0%AE%C0%AE', 'app.info?x=1', 'a/b/c', '%uD800'),
        fc.string({ maxLength: 30 }).map((text) => text.replace(/[^\x21-\x7e]/g, '%')),
      ),
      { numRuns: 400, seed: SEED + 5 },
    );
    const tally = newTally();
    const started = performance.now();
    await inPool(paths, 8, async (path, index) => {
      const t0 = performance.now();
      const reply = await withTimeout(post(`/api/invoke/${path.replace(/[#?]/g, '%')}`, Buffer.from('{}')), `raw path ${path}`);
      tally.latencies.push(performance.now() - t0);
      tally.requests += 1;
      tally.statuses.set(reply.status, (tally.statuses.get(reply.status) ?? 0) + 1);
      expect(reply.status, `#${index} ${path}`).toBe(200);
      let decoded: string | null = null;
      try {
        decoded = decodeURIComponent(path.replace(/[#?]/g, '%'));
      } catch {
        // the server must say UNKNOWN_METHOD, not crash
      }
      checkResult(tally, reply.body, decoded, {}, `raw path #${index} ${path}`);
      const page = await withTimeout(
        new Promise<number>((done, fail) => {
          const req = request({ host: '127.0.0.1', port: server.port, path: `/${path.replace(/[#?]/g, '%')}`, agent, headers: { Host: host, Cookie: cookie } }, (res) => {
            res.resume();
            res.on('end', () => done(res.statusCode ?? 0));
          });
          req.on('error', fail);
          req.end();
        }),
        `static ${path}`,
      );
      expect([200, 400, 403], `static /${path}`).toContain(page);
    });
    report.push(describeTally('HTTP raw paths', tally, performance.now() - started));
  });

  it(`WebSocket: ${Math.floor(REQUESTS / 2)} random and malformed frames, a few oversized`, async () => {
    const n = Math.floor(REQUESTS / 2);
    const requests = fc.sample(
      fc.tuple(requestArb, fc.oneof(fc.constant('invoke'), fc.constant('invoke'), fc.constant('invoke'), fc.constantFrom('reply', 'event', '', null, 1)), fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constantFrom(null, undefined, {}, [], 1.5))),
      { numRuns: n, seed: SEED + 7 },
    );
    const tally = newTally();
    const started = performance.now();
    let reconnects = 0;
    const open = (): Promise<WebSocket> =>
      new Promise((done, fail) => {
        const socket = new WebSocket(`ws://${host}/api/ws`, { headers: { Cookie: cookie, Host: host } });
        socket.once('open', () => done(socket));
        socket.once('error', fail);
      });
    const lanes = 4;
    const laneItems = Array.from({ length: lanes }, (_, lane) => requests.filter((_, i) => i % lanes === lane).map((item, j) => ({ item, index: j * lanes + lane })));
    await Promise.all(
      laneItems.map(async (items, lane) => {
        let socket = await open();
        for (const { item, index } of items) {
          const [req, type, rawId] = item;
          const oversized = index % 500 === 250;
          const args = req.text === undefined ? undefined : confine(req.args);
          const id = `${lane}-${index}`;
          const argsText = req.args !== undefined && args !== req.args ? JSON.stringify(args) : req.text;
          // Frames: a well-formed envelope around hostile parts, or a malformed text, or binary.
          let frame: string | Buffer;
          let expectsId: unknown = id;
          let sentMethod: unknown = type === 'invoke' ? req.method : null;
          if (oversized) frame = `{"type":"invoke","id":"${id}","method":"app.info","args":{"pad":"${'x'.repeat((1 << 20) + 10)}"}}`;
          else if (index % 7 === 3) {
            frame = req.text ?? '';
            expectsId = undefined;
          } else if (index % 31 === 5) {
            frame = Buffer.from(`{"type":"invoke","id":"${id}","method":"app.info"}`);
            sentMethod = 'app.info';
          } else {
            const methodJson = jsonOrUndefined(req.method) ?? 'null';
            const envelope = `{"type":${JSON.stringify(type) ?? 'null'},"id":${index % 11 === 0 ? (jsonOrUndefined(rawId) ?? 'null') : JSON.stringify(id)},"method":${methodJson}${argsText === undefined ? '' : `,"args":${argsText}`}}`;
            frame = req.invalidUtf8 ? Buffer.from(envelope, 'latin1') : envelope;
            // A raw text as args may break the envelope: the reply's id is then null.
            if (index % 11 === 0 || (req.args === undefined && req.text !== undefined)) expectsId = undefined;
            if (type !== 'invoke') expectsId = expectsId === undefined ? undefined : id;
          }
          const t0 = performance.now();
          const reply = await withTimeout(
            new Promise<{ closed: number } | { result: unknown; id: unknown }>((done) => {
              const onMessage = (data: Buffer) => {
                const message = JSON.parse(data.toString()) as { type: string; id: unknown; result: unknown };
                if (message.type === 'event') return;
                socket.off('message', onMessage);
                socket.off('close', onClose);
                done({ result: message.result, id: message.id });
              };
              const onClose = (code: number) => {
                socket.off('message', onMessage);
                done({ closed: code });
              };
              socket.on('message', onMessage);
              socket.once('close', onClose);
              socket.send(frame);
            }),
            `WS #${index}`,
          );
          tally.latencies.push(performance.now() - t0);
          tally.requests += 1;
          const context = `WS #${index} ${String(frame).slice(0, 160)}`;
          if ('closed' in reply) {
            // Only an oversized frame (1009) or invalid UTF-8 (1007) may end the connection.
            expect(oversized || req.invalidUtf8, `${context}: closed ${reply.closed}`).toBe(true);
            tally.statuses.set(reply.closed, (tally.statuses.get(reply.closed) ?? 0) + 1);
            reconnects += 1;
            socket = await open();
            continue;
          }
          expect(oversized, `${context}: an oversized frame was answered`).toBe(false);
          if (expectsId !== undefined && typeof frame === 'string') expect(reply.id, context).toBe(expectsId);
          const sentArgs = type === 'invoke' && typeof frame === 'string' && expectsId !== undefined ? (argsText === undefined ? {} : args) : undefined;
          checkResult(tally, reply.result, sentMethod, sentArgs, context);
        }
        socket.close();
      }),
    );
    const closeCodes = [...tally.statuses].map(([code, k]) => `${code}×${k}`).join(' ');
    tally.statuses.clear();
    report.push(`${describeTally('WebSocket', tally, performance.now() - started)}; ${reconnects} connections closed by the server (close codes ${closeCodes || 'none'})`);
    expect(tally.internal, tally.internal.join('\n')).toEqual([]);
  });

  it('WebSocket: raw bytes after the handshake (bad opcodes, unmasked frames, lying lengths, invalid UTF-8)', async () => {
    const frameArb = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      // A masked text frame whose payload is not UTF-8.
      fc.uint8Array({ minLength: 1, maxLength: 100 }).map((payload) => Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), Buffer.from(payload.map((b) => b | 0x80))])),
      // A 64-bit length far beyond maxPayload.
      fc.constant(Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])),
      // Reserved opcodes and bits, unmasked.
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 125 })).map(([head, length]) => Buffer.concat([Buffer.from([head, length]), Buffer.alloc(length, 0x41)])),
    );
    const frames = fc.sample(frameArb, { numRuns: 300, seed: SEED + 9 });
    const started = performance.now();
    await inPool(frames, 6, async (bytes) => {
      await withTimeout(
        new Promise<void>((done) => {
          const socket = connect(server.port, '127.0.0.1');
          let upgraded = false;
          socket.on('data', (data) => {
            if (!upgraded && data.toString('latin1').startsWith('HTTP/1.1 101')) {
              upgraded = true;
              socket.write(bytes);
              setTimeout(() => socket.destroy(), 100);
            }
          });
          socket.on('close', () => done());
          socket.on('error', () => undefined);
          socket.write(
            `GET /api/ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nCookie: ${cookie}\r\n\r\n`,
          );
        }),
        'raw frame',
      );
    });
    report.push(`  WebSocket raw bytes: ${frames.length} connections in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  it(`dispatcher (the Electron IPC path): ${DISPATCH_CASES} structured-clone values, cycles among them`, async () => {
    const cloneableArb = fc.oneof(
      { weight: 3, arbitrary: argsArb },
      {
        weight: 2,
        arbitrary: fc.anything({
          maxDepth: 3,
          key: keyArb,
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
          withBoxedValues: true,
          withObjectString: true,
        }),
      },
      { weight: 1, arbitrary: fieldsArb.map((args) => Object.assign(args, { self: args, filter: { nested: args } })) },
    );
    const cases = fc.sample(fc.tuple(methodArb, cloneableArb), { numRuns: DISPATCH_CASES, seed: SEED + 11 });
    const tally = newTally();
    const started = performance.now();
    await inPool(cases, 8, async ([method, raw], index) => {
      // What ipcRenderer.invoke delivers: a structured clone of what the renderer sent.
      const args = structuredClone(confine(raw));
      const t0 = performance.now();
      const result = await withTimeout(studio.dispatch(structuredClone(method), args), `dispatch #${index}`);
      tally.latencies.push(performance.now() - t0);
      tally.requests += 1;
      checkResult(tally, result, method, args, `dispatch #${index} ${String(jsonOrUndefined(method)).slice(0, 60)}`);
    });
    report.push(describeTally('dispatcher', tally, performance.now() - started));
    expect(tally.internal, tally.internal.join('\n')).toEqual([]);
  });

  it('afterwards: no prototype polluted, the studio answers app.info on every path and still relabels, the catalog is intact', async () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
    const viaDispatch = await studio.dispatch('app.info', {});
    expect(viaDispatch.ok).toBe(true);
    // A fresh connection: a pooled keep-alive socket may be one the server has since closed as idle.
    const viaHttp = await post('/api/invoke/app.info', Buffer.from('{}'), { keepAlive: false });
    expect(viaHttp.status).toBe(200);
    expect((viaHttp.body as Result<unknown>).ok).toBe(true);
    const socket = new WebSocket(`ws://${host}/api/ws`, { headers: { Cookie: cookie, Host: host } });
    await new Promise((done) => socket.once('open', done));
    const viaWs = await new Promise<{ result: Result<unknown> }>((done) => {
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { type: string; id: unknown; result: Result<unknown> };
        if (message.type === 'reply' && message.id === 'final') done(message);
      });
      socket.send(JSON.stringify({ type: 'invoke', id: 'final', method: 'app.info', args: {} }));
    });
    socket.close();
    expect(viaWs.result.ok).toBe(true);
    const relabel = await studio.dispatch('catalog.relabel', { clipId: 1, label: 'surprised' });
    expect(relabel.ok).toBe(true);
    const db = new Database(join(temp.path, 'catalog.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
