import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  argSchemas,
  createClient,
  ERROR_CODES,
  METHOD_NAMES,
  type Domain,
  type EventMap,
  type EventName,
  type Result,
} from '../../../src-shared/contract/index.js';
import { base64ToFloat32, float32ToBase64 } from '../../../src-shared/contract/bytes.js';
import { createStudio, type Studio } from '../../../src-main/studio.js';

describe('contract', () => {
  let studio: Studio;

  beforeAll(async () => {
    studio = await createStudio({ dbPath: join(mkdtempSync(join(tmpdir(), 'es-contract-')), 'c.db'), transport: 'http', workerThreads: 0 });
  });
  afterAll(() => studio.close());

  it('has a schema for every method every service implements, and no schema without a method', () => {
    for (const domain of Object.keys(argSchemas) as Domain[]) {
      const implemented = Object.keys(argSchemas[domain]).filter(
        (method) => typeof (studio.services[domain] as unknown as Record<string, unknown>)[method] === 'function',
      );
      expect(implemented.sort()).toEqual(Object.keys(argSchemas[domain]).sort());
    }
    expect(METHOD_NAMES).toContain('catalog.relabel');
    expect(new Set(METHOD_NAMES).size).toBe(METHOD_NAMES.length);
  });

  it('rejects unknown methods and bad arguments before a service sees them', async () => {
    expect(await studio.dispatch('catalog.nope', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await studio.dispatch(42, {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await studio.dispatch('__proto__.constructor', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    const cases: [string, unknown][] = [
      ['catalog.getClip', { clipId: 0 }],
      ['catalog.getClip', { clipId: 1.5 }],
      ['catalog.getClip', { clipId: 1, extra: true }],
      ['catalog.relabel', { clipId: 1, label: 'ANGRY; drop table clips' }],
      ['catalog.queryClips', { limit: 100000 }],
      ['catalog.queryClips', { sort: 'rowid' }],
      ['catalog.importFolder', { folder: '', jobId: 'a' }],
      ['audio.melSpectrogram', { clipId: 1, nFft: 1000 }],
      ['app.info', 'not an object'],
    ];
    for (const [method, args] of cases) {
      const reply = await studio.dispatch(method, args);
      expect(reply.ok, `${method} ${JSON.stringify(args)}`).toBe(false);
      if (!reply.ok) expect(reply.error.code).toBe('INVALID_ARGUMENT');
    }
  });

  it('turns service failures into typed errors with a message', async () => {
    const missing = await studio.dispatch('catalog.getClip', { clipId: 999 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const folder = await studio.dispatch('catalog.importFolder', { folder: '/no/such/folder', jobId: 'j1' });
    expect(folder).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    if (!folder.ok) expect(folder.error.message).toContain('/no/such/folder');
    for (const reply of [missing, folder]) if (!reply.ok) expect(ERROR_CODES).toContain(reply.error.code);
  });

  it('builds a typed client over any transport that forwards method names and arguments', async () => {
    const calls: string[] = [];
    const client = createClient({
      invoke: async (method, args) => {
        calls.push(method);
        return studio.dispatch(method, args) as Promise<Result<unknown>>;
      },
      on: <E extends EventName>(_event: E, _listener: (payload: EventMap[E]) => void) => () => undefined,
    });
    const info = await client.app.info({});
    expect(info.ok && info.value.transport).toBe('http');
    const page = await client.catalog.queryClips({});
    expect(page).toMatchObject({ ok: true, value: { total: 0, clips: [] } });
    expect(calls).toEqual(['app.info', 'catalog.queryClips']);
  });

  it('round-trips float32 payloads through base64 exactly', () => {
    const values = new Float32Array([0, -1.5, 3.25e-7, Number.MAX_VALUE, -0, Math.PI]);
    expect(Array.from(base64ToFloat32(float32ToBase64(values)))).toEqual(Array.from(values));
    const big = new Float32Array(100_000).map((_, i) => Math.sin(i));
    expect(base64ToFloat32(float32ToBase64(big))).toEqual(big);
  });
});
