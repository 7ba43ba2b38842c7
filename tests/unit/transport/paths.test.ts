import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { z } from 'zod';
import { argSchemas, type Domain, type Result } from '../../../src-shared/contract/index.js';
import { isInside, PathPolicy } from '../../../src-main/services/path-policy.js';
import { createStudio, type Studio } from '../../../src-main/studio.js';
import { startBrowserServer, type BrowserServer } from '../../../src-main/transport/http.js';
import { writeWav } from '../catalog/helpers.js';

// File paths at the contract boundary (issue 5, item 3): a request may name a folder to import,
// and nothing else by path; a clip's file is read only from inside its dataset's folder.

/** Every argument (as domain.method.key.key…) that is a string whose name says it is a path. */
function pathArguments(): string[] {
  const found: string[] = [];
  const walk = (schema: z.ZodType, at: string, key: string) => {
    const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; shape?: Record<string, z.ZodType> } }).def;
    const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
    if (def.type === 'object' && shape !== undefined) for (const [name, inner] of Object.entries(shape)) walk(inner, `${at}.${name}`, name);
    else if (def.innerType !== undefined) walk(def.innerType, at, key);
    else if (def.type === 'array' && def.element !== undefined) walk(def.element, `${at}[]`, key);
    else if (def.type === 'union' && def.options !== undefined) for (const option of def.options) walk(option, at, key);
    else if (def.type === 'string' && /path|folder|dir|file|root/i.test(key)) found.push(at);
  };
  for (const domain of Object.keys(argSchemas) as Domain[]) {
    for (const [method, schema] of Object.entries(argSchemas[domain] as Record<string, z.ZodType>)) walk(schema, `${domain}.${method}`, '');
  }
  return found;
}

describe('the contract takes one path: the folder to import', () => {
  it('no other argument of any method is a path, so ids are the only way to name a clip, run or model', () => {
    // A new path argument must get a guard in studio.ts (createDispatcher's guards) and a test here.
    expect(pathArguments()).toEqual(['catalog.importFolder.folder']);
  });
});

describe('PathPolicy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'es-paths-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const policy = new PathPolicy({ datasets: async () => [{ id: 1, name: 'd', rootPath: join(dir, 'corpus'), kind: 'folders', createdAt: '', clipCount: 0 } as never] });

  it('tells inside from outside by path, not by prefix', () => {
    expect(isInside('/data/corpus/a.wav', '/data/corpus')).toBe(true);
    expect(isInside('/data/corpus', '/data/corpus')).toBe(true);
    expect(isInside('/data/corpus-evil/a.wav', '/data/corpus')).toBe(false);
    expect(isInside('/data/corpus/../secret.wav', '/data/corpus')).toBe(false);
    expect(isInside('/data/..corpus/a.wav', '/data')).toBe(true);
  });

  it('accepts an absolute folder, and leaves a missing one to the import (NOT_FOUND)', async () => {
    mkdirSync(join(dir, 'corpus'), { recursive: true });
    await expect(policy.checkImportFolder(join(dir, 'corpus'))).resolves.toBeUndefined();
    await expect(policy.checkImportFolder(join(dir, 'missing'))).resolves.toBeUndefined();
  });

  it('refuses a relative folder, a file system root, the virtual file systems, and a symlink to any of them', async () => {
    await expect(policy.checkImportFolder('corpus')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(policy.checkImportFolder('.')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(policy.checkImportFolder('/')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(policy.checkImportFolder('/tmp/..')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(policy.checkImportFolder('/proc')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(policy.checkImportFolder('/proc/self')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(policy.checkImportFolder('/sys/kernel')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(policy.checkImportFolder('/dev')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    symlinkSync('/', join(dir, 'to-root'));
    symlinkSync('/proc', join(dir, 'to-proc'));
    await expect(policy.checkImportFolder(join(dir, 'to-root'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(policy.checkImportFolder(join(dir, 'to-proc'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(policy.checkImportFolder(`${join(dir, 'corpus')}\0/x`)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a clip whose file is outside its dataset folder, or whose dataset is unknown', async () => {
    await expect(policy.checkClip({ id: 1, datasetId: 1, path: join(dir, 'corpus', 'angry', 'a.wav') })).resolves.toBeUndefined();
    await expect(policy.checkClip({ id: 2, datasetId: 1, path: '/etc/passwd' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(policy.checkClip({ id: 3, datasetId: 1, path: `${dir}/corpus/angry/../../outside.wav` })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(policy.checkClip({ id: 4, datasetId: 1, path: join(dir, 'corpus-2', 'a.wav') })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(policy.checkClip({ id: 5, datasetId: 9, path: join(dir, 'corpus', 'a.wav') })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('paths through the dispatcher and over HTTP, on a real studio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'es-paths-studio-'));
  const corpus = join(dir, 'corpus');
  const outside = join(dir, 'outside.wav');
  let studio: Studio;
  let server: BrowserServer;

  beforeAll(async () => {
    writeWav(join(corpus, 'angry', 'a.wav'), { seed: 1 });
    writeWav(join(corpus, 'sad', 'b.wav'), { seed: 2 });
    writeWav(join(corpus, 'sad', 'c.wav'), { seed: 3 });
    writeWav(outside, { seed: 4 });
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
    studio = await createStudio({ dbPath: join(dir, 'catalog.db'), transport: 'http', workerThreads: 0 });
    server = await startBrowserServer({ dispatch: studio.dispatch, events: studio.events, rendererDir });
  });

  afterAll(async () => {
    await server?.close();
    await studio?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function post(method: string, args: unknown): Promise<{ status: number; body: Result<unknown> }> {
    const body = Buffer.from(JSON.stringify(args));
    return new Promise((done, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: `/api/invoke/${method}`,
          method: 'POST',
          headers: { Host: `127.0.0.1:${server.port}`, Cookie: `es_token_${server.port}=${server.token}`, 'Content-Type': 'application/json', 'Content-Length': body.length },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => done({ status: res.statusCode ?? 0, body: JSON.parse(text) as Result<unknown> }));
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  }

  const codeOf = (result: Result<unknown>) => (result.ok ? 'ok' : result.error.code);

  it('refuses to import a file system root or a virtual file system, and imports nothing', async () => {
    expect(codeOf(await studio.dispatch('catalog.importFolder', { folder: '/', jobId: 'root' }))).toBe('FORBIDDEN');
    expect(codeOf(await studio.dispatch('catalog.importFolder', { folder: '/proc', jobId: 'proc' }))).toBe('FORBIDDEN');
    expect(codeOf(await studio.dispatch('catalog.importFolder', { folder: 'corpus', jobId: 'relative' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(await studio.dispatch('catalog.importFolder', { folder: join(dir, 'missing'), jobId: 'missing' }))).toBe('NOT_FOUND');
    const listed = await studio.dispatch('catalog.listDatasets', {});
    expect(listed.ok && listed.value).toEqual([]);
  });

  it('over HTTP the same refusal comes back as a typed FORBIDDEN error', async () => {
    const reply = await post('catalog.importFolder', { folder: '/', jobId: 'http-root' });
    expect(reply.status).toBe(200);
    expect(reply.body.ok).toBe(false);
    expect(!reply.body.ok && reply.body.error.code).toBe('FORBIDDEN');
    expect(!reply.body.ok && reply.body.error.message).toContain('whole file system');
  });

  it('over WebSocket too', async () => {
    const host = `127.0.0.1:${server.port}`;
    const socket = new WebSocket(`ws://${host}/api/ws`, { headers: { Host: host, Cookie: `es_token_${server.port}=${server.token}` } });
    await new Promise((done, fail) => (socket.once('open', done), socket.once('error', fail)));
    const reply = await new Promise<{ id: string; result: Result<unknown> }>((done) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; id: string; result: Result<unknown> };
        if (frame.type === 'reply') done(frame);
      });
      socket.send(JSON.stringify({ type: 'invoke', id: 'w1', method: 'catalog.importFolder', args: { folder: '/proc/self', jobId: 'ws-proc' } }));
    });
    socket.close();
    expect(reply.id).toBe('w1');
    expect(codeOf(reply.result)).toBe('FORBIDDEN');
  });

  it('imports a folder the user chose, and reads its clips', async () => {
    const imported = await studio.dispatch('catalog.importFolder', { folder: corpus, jobId: 'corpus' });
    expect(imported.ok && (imported.value as { imported: number }).imported).toBe(3);
    const audio = await studio.dispatch('audio.clipAudio', { clipId: 1 });
    expect(codeOf(audio)).toBe('ok');
  });

  it('refuses to read a clip whose recorded file is outside its dataset folder, on every path that reads clip files', async () => {
    // As if the catalog file had been edited by hand (or written by a bug): clip 2 now points
    // outside the folder it was imported from, clip 3 climbs out of it with "..".
    const db = new Database(join(dir, 'catalog.db'));
    db.prepare('UPDATE clips SET path = ? WHERE id = 2').run(outside);
    db.prepare('UPDATE clips SET path = ? WHERE id = 3').run(`${corpus}/sad/../../outside.wav`);
    db.close();
    for (const clipId of [2, 3]) {
      expect(codeOf(await studio.dispatch('audio.clipAudio', { clipId })), `audio.clipAudio ${clipId}`).toBe('FORBIDDEN');
      expect(codeOf(await studio.dispatch('audio.melSpectrogram', { clipId })), `audio.melSpectrogram ${clipId}`).toBe('FORBIDDEN');
      expect(codeOf(await studio.dispatch('explore.clipFeatureDetail', { clipId })), `explore.clipFeatureDetail ${clipId}`).toBe('FORBIDDEN');
      expect(codeOf(await studio.dispatch('features.clipFeatures', { clipId, pipeline: 'seed-2376' })), `features.clipFeatures ${clipId}`).toBe('FORBIDDEN');
    }
    // extraction over many clips (what training's dataset goes through) reports both as failed and reads clip 1
    const extracted = await studio.dispatch('features.extract', { jobId: 'paths', filter: {}, pipeline: 'seed-2376' });
    expect(extracted.ok).toBe(true);
    const summary = (extracted as { value: { computed: number; cached: number; failed: { clipId: number; reason: string }[] } }).value;
    expect(summary.failed.map((f) => f.clipId).sort()).toEqual([2, 3]);
    for (const failure of summary.failed) expect(failure.reason).toContain("outside its dataset's folder");
    expect(summary.computed + summary.cached).toBe(1);
    const overHttp = await post('audio.clipAudio', { clipId: 2 });
    expect(overHttp.status).toBe(200);
    expect(codeOf(overHttp.body)).toBe('FORBIDDEN');
    // the clip that stayed inside still plays
    expect(codeOf((await post('audio.clipAudio', { clipId: 1 })).body)).toBe('ok');
  });
});
