import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createStudio, type Studio } from '../../../src-main/studio.js';
import { startBrowserServer, type BrowserServer } from '../../../src-main/transport/http.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(server: BrowserServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((done, fail) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: { Host: `127.0.0.1:${server.port}`, ...options.headers } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', fail);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function openSocket(server: BrowserServer, headers: Record<string, string>): Promise<{ socket: WebSocket; status: number }> {
  return new Promise((done) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws`, { headers });
    socket.once('open', () => done({ socket, status: 101 }));
    socket.once('unexpected-response', (_req, res) => done({ socket, status: res.statusCode ?? 0 }));
    socket.once('error', () => undefined);
  });
}

describe('browser-mode server', () => {
  let studio: Studio;
  let server: BrowserServer;
  let cookie: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'es-http-'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>studio</title>');
    writeFileSync(join(dir, 'secret.txt'), 'not for the browser');
    studio = await createStudio({ dbPath: join(dir, 'catalog.db'), transport: 'http', workerThreads: 0 });
    server = await startBrowserServer({ dispatch: studio.dispatch, events: studio.events, rendererDir });
    cookie = `es_token_${server.port}=${server.token}`;
  });

  afterAll(async () => {
    await server.close();
    await studio.close();
  });

  it('binds loopback and prints a URL that carries a long random token', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses a request without the token with 401', async () => {
    const reply = await send(server, '/');
    expect(reply.status).toBe(401);
    expect(reply.body).not.toContain('studio');
    expect((await send(server, '/?token=wrong')).status).toBe(401);
  });

  it('moves the URL token into an HttpOnly SameSite=Strict cookie and then serves the page with a CSP', async () => {
    const first = await send(server, `/?token=${server.token}`);
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe('/');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toContain(`es_token_${server.port}=${server.token}`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    const page = await send(server, '/', { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>studio</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 403 to a foreign Host (DNS rebinding) even with the token', async () => {
    const reply = await send(server, `/?token=${server.token}`, { headers: { Host: `evil.example:${server.port}` } });
    expect(reply.status).toBe(403);
    const other = await send(server, '/', { headers: { Host: `127.0.0.1:${server.port + 1}`, Cookie: cookie } });
    expect(other.status).toBe(403);
  });

  it('answers 403 to a cross-site Origin on the API and grants no CORS', async () => {
    const body = JSON.stringify({});
    const headers = { Cookie: cookie, 'Content-Type': 'application/json' };
    const foreign = await send(server, '/api/invoke/app.info', { method: 'POST', headers: { ...headers, Origin: 'http://evil.example' }, body });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const own = await send(server, '/api/invoke/app.info', { method: 'POST', headers: { ...headers, Origin: `http://127.0.0.1:${server.port}` }, body });
    expect(own.status).toBe(200);
    expect(JSON.parse(own.body)).toMatchObject({ ok: true, value: { transport: 'http' } });
  });

  it('refuses form-encoded posts, which a page could send cross-site without a preflight', async () => {
    const reply = await send(server, '/api/invoke/app.info', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'text/plain' }, body: '{}' });
    expect(reply.status).toBe(415);
  });

  it('returns typed errors for unknown methods, invalid arguments and bad JSON', async () => {
    const headers = { Cookie: cookie, 'Content-Type': 'application/json' };
    const unknown = await send(server, '/api/invoke/catalog.dropEverything', { method: 'POST', headers, body: '{}' });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    const invalid = await send(server, '/api/invoke/catalog.getClip', { method: 'POST', headers, body: JSON.stringify({ clipId: -3 }) });
    expect(JSON.parse(invalid.body)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(JSON.parse(invalid.body).error.message).toContain('clipId');
    const broken = await send(server, '/api/invoke/app.info', { method: 'POST', headers, body: '{not json' });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('never serves files outside the renderer folder', async () => {
    const reply = await send(server, '/../secret.txt', { headers: { Cookie: cookie } });
    expect(reply.body).not.toContain('not for the browser');
    const encoded = await send(server, '/%2e%2e/secret.txt', { headers: { Cookie: cookie } });
    expect(encoded.body).not.toContain('not for the browser');
  });

  it('refuses WebSocket upgrades without the token (401) or from a foreign Origin (403)', async () => {
    const anonymous = await openSocket(server, { Host: `127.0.0.1:${server.port}` });
    expect(anonymous.status).toBe(401);
    const foreign = await openSocket(server, { Cookie: cookie, Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
  });

  it('serves the contract over the WebSocket: replies by id and pushes events', async () => {
    const { socket, status } = await openSocket(server, { Cookie: cookie, Origin: `http://127.0.0.1:${server.port}` });
    expect(status).toBe(101);
    const messages: { type: string; id?: number; name?: string; result?: { ok: boolean } }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
    socket.send(JSON.stringify({ type: 'invoke', id: 7, method: 'app.info', args: {} }));
    socket.send(JSON.stringify({ type: 'invoke', id: 8, method: 'catalog.getClip', args: { clipId: 'x' } }));
    studio.events.emit('catalog.changed', { reason: 'relabel', clipIds: [1] });
    await expect.poll(() => messages.length, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    expect(messages.find((m) => m.id === 7)?.result).toMatchObject({ ok: true });
    expect(messages.find((m) => m.id === 8)?.result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(messages.find((m) => m.type === 'event')).toMatchObject({ name: 'catalog.changed', payload: { clipIds: [1] } });
    socket.close();
  });
});
