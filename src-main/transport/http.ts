import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { err, type Result } from '../../src-shared/contract/index.js';
import type { EventBus } from '../events.js';
import type { Dispatch } from './dispatch.js';

export interface BrowserServerOptions {
  dispatch: Dispatch;
  events: EventBus;
  /** Folder holding the built renderer (index.html and assets). */
  rendererDir: string;
  /** Interface to bind; loopback unless the user says otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token for tests; a random one per launch otherwise. */
  token?: string;
  /** Largest JSON request body accepted, in bytes. */
  maxBodyBytes?: number;
}

export interface BrowserServer {
  /** The URL to open once: it carries the token, which the server then moves into a cookie. */
  url: string;
  port: number;
  host: string;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** The renderer's CSP, the same policy the Electron window gets. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "media-src 'self' blob:; connect-src 'self' ws: wss:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; " +
  "frame-ancestors 'none'; form-action 'none'";

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

/**
 * Browser mode: the built renderer and the contract over loopback HTTP + WebSocket.
 *
 * Who may talk to it: only a client that knows the per-launch token (query once, then an
 * HttpOnly SameSite=Strict cookie), whose Host header names this server (defeats DNS
 * rebinding) and whose Origin, when sent, is this server (defeats cross-site pages).
 */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
  const rendererDir = resolve(options.rendererDir);
  let port = 0;
  const cookieName = () => `es_token_${port}`;

  const allowedHosts = (): Set<string> => {
    const names = isLoopbackHost(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [host.includes(':') ? `[${host}]` : host];
    return new Set(names.map((name) => `${name}:${port}`));
  };

  /** 0 when the request may proceed, else the status to refuse it with. */
  const check = (req: IncomingMessage, url: URL): { status: 0 | 401 | 403; fromQuery: boolean; reason: string } => {
    const hostHeader = (req.headers.host ?? '').toLowerCase();
    if (!allowedHosts().has(hostHeader)) return { status: 403, fromQuery: false, reason: `Host ${hostHeader || '(none)'} is not this server` };
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts().has(origin.toLowerCase().replace(/^https?:\/\//, ''))) {
      return { status: 403, fromQuery: false, reason: `Origin ${origin} is not this server` };
    }
    if (origin !== undefined && !origin.toLowerCase().startsWith('http://')) {
      return { status: 403, fromQuery: false, reason: `Origin ${origin} is not this server` };
    }
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null && safeEqual(queryToken, token)) return { status: 0, fromQuery: true, reason: '' };
    const cookieToken = parseCookies(req.headers.cookie)[cookieName()];
    if (cookieToken !== undefined && safeEqual(cookieToken, token)) return { status: 0, fromQuery: false, reason: '' };
    return { status: 401, fromQuery: false, reason: 'missing or wrong token: open the URL printed at launch' };
  };

  const server: Server = createServer((req, res) => {
    const url = requestUrl(req);
    if (url === null) return refuse(res, 400, 'the request target is not a URL path');
    const verdict = check(req, url);
    if (verdict.status !== 0) return refuse(res, verdict.status, verdict.reason);
    if (verdict.fromQuery) {
      // Move the token into a cookie and drop it from the address bar and history.
      url.searchParams.delete('token');
      res.writeHead(302, {
        'Set-Cookie': `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + url.search,
        'Cache-Control': 'no-store',
      });
      return res.end();
    }
    if (url.pathname.startsWith('/api/invoke/')) return handleInvoke(req, res, url.pathname.slice('/api/invoke/'.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, `${req.method} is not allowed here`);
    return serveStatic(res, url.pathname);
  });

  const handleInvoke = (req: IncomingMessage, res: ServerResponse, method: string): void => {
    if (req.method !== 'POST') return refuse(res, 405, 'use POST');
    // A JSON content type cannot be sent cross-site without a CORS preflight, which we never grant.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return refuse(res, 415, 'send application/json');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes && !aborted) {
        aborted = true;
        sendJson(res, 413, err('INVALID_ARGUMENT', `request body over ${maxBodyBytes} bytes`));
        req.destroy();
        return;
      }
      if (!aborted) chunks.push(chunk);
    });
    req.on('end', () => {
      if (aborted) return;
      let args: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        args = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        return sendJson(res, 400, err('INVALID_ARGUMENT', 'the request body is not valid JSON'));
      }
      const name = decodePath(method);
      if (name === null) return sendJson(res, 200, err('UNKNOWN_METHOD', 'the method name is not valid percent-encoding'));
      void options.dispatch(name, args).then((result) => sendJson(res, 200, result));
    });
  };

  const serveStatic = (res: ServerResponse, pathname: string): void => {
    let relative = decodePath(pathname);
    if (relative === null) return refuse(res, 400, 'the path is not valid percent-encoding');
    if (relative === '/' || relative === '') relative = '/index.html';
    const file = normalize(join(rendererDir, relative));
    if (!file.startsWith(rendererDir + sep)) return refuse(res, 403, 'outside the renderer folder');
    const target = existsSync(file) && statSync(file).isFile() ? file : join(rendererDir, 'index.html');
    if (!existsSync(target)) return refuse(res, 500, `the renderer is not built (${rendererDir}): run npm run build`);
    const isHtml = target.endsWith('.html');
    res.writeHead(200, {
      'Content-Type': MIME[extname(target)] ?? 'application/octet-stream',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': isHtml ? 'no-store' : 'max-age=3600',
      ...(isHtml ? { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Frame-Options': 'DENY' } : {}),
    });
    createReadStream(target).pipe(res);
  };

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = requestUrl(req);
    const verdict = url === null ? { status: 400 as const } : check(req, url);
    if (verdict.status !== 0 || url?.pathname !== '/api/ws') {
      const status = verdict.status !== 0 ? verdict.status : 404;
      const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      // A frame over maxPayload, invalid UTF-8 or a protocol violation: ws closes the socket
      // itself; without a listener the 'error' event would be thrown and end the process.
      ws.on('error', () => sockets.delete(ws));
      ws.on('message', (data) => void handleSocketMessage(ws, data.toString()));
    });
  });

  const handleSocketMessage = async (ws: WebSocket, text: string): Promise<void> => {
    let message: { type?: unknown; id?: unknown; method?: unknown; args?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      ws.send(JSON.stringify({ type: 'reply', id: null, result: err('INVALID_ARGUMENT', 'message is not valid JSON') }));
      return;
    }
    const id = typeof message?.id === 'number' || typeof message?.id === 'string' ? message.id : null;
    if (message?.type !== 'invoke') {
      ws.send(JSON.stringify({ type: 'reply', id, result: err('INVALID_ARGUMENT', 'message type must be "invoke"') }));
      return;
    }
    const result: Result<unknown> = await options.dispatch(message.method, message.args);
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'reply', id, result }));
  };

  const unsubscribe = options.events.onAny((name, payload) => {
    const frame = JSON.stringify({ type: 'event', name, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    host,
    token,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function refuse(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${status}: ${reason}\n`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(JSON.stringify(body));
}

/**
 * The request target as a URL, or null. Node passes any target through, and new URL() throws on
 * some ("//+>%" parses as a bad host): that must be a 400, not an exception that ends the process.
 * An origin-form target is always read as a path, so "//evil/x" is the path "//evil/x".
 */
function requestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? '/';
  try {
    return new URL(target.startsWith('/') ? `http://x${target}` : target, 'http://x');
  } catch {
    return null;
  }
}

/** decodeURIComponent, or null for malformed percent-encoding (it throws URIError on "%E0%A4%A"). */
function decodePath(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return cookies;
}
