import type { EventMap, EventName, MethodName, Result, Transport } from '../../../src-shared/contract/index.js';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

interface Pending {
  method: MethodName;
  resolve: (result: Result<unknown>) => void;
}

interface Queued extends Pending {
  frame: string;
  /** When an unsent call gives up waiting for a connection, ms since epoch. */
  deadline: number;
}

export interface WsTransportOptions {
  /** ws:// or wss:// address of the contract socket. */
  url: string;
  /** First reconnect delay; doubles per failure up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a call waits for a connection before it fails. */
  queueTimeoutMs?: number;
  /**
   * Opens the socket; the browser's WebSocket by default. Tests in Node pass the `ws` package's
   * (same interface), which can also send the auth cookie a browser would.
   */
  createSocket?: (url: string) => WebSocket;
}

/** WebSocket.OPEN, spelled out so that nothing here needs a global WebSocket unless it opens one. */
const OPEN = 1;

type AnyListener = (payload: unknown) => void;

/**
 * Browser mode: the contract over one WebSocket to `/api/ws` (the auth cookie rides along).
 * Calls made while the socket is down are queued and sent on open; calls already sent when it
 * drops fail at once with a plain message (the server may or may not have run them, so they are
 * not retried). The socket reconnects with exponential backoff.
 */
export class WsTransport implements Transport {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private queue: Queued[] = [];
  private readonly listeners = new Map<string, Set<AnyListener>>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private backoffMs: number;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private queueTimer: ReturnType<typeof setInterval> | null = null;
  private closedByUser = false;
  status: ConnectionStatus = 'connecting';

  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly queueTimeoutMs: number;
  private readonly createSocket: (url: string) => WebSocket;

  constructor(private readonly options: WsTransportOptions) {
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.queueTimeoutMs = options.queueTimeoutMs ?? 15_000;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.backoffMs = this.initialBackoffMs;
    this.connect();
    this.queueTimer = setInterval(() => this.expireQueued(), 1000);
  }

  invoke(method: MethodName, args: unknown): Promise<Result<unknown>> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      const frame = JSON.stringify({ type: 'invoke', id, method, args });
      if (this.socket !== null && this.socket.readyState === OPEN) {
        this.pending.set(id, { method, resolve });
        this.socket.send(frame);
      } else {
        this.queue.push({ method, resolve, frame, deadline: Date.now() + this.queueTimeoutMs });
      }
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const any = listener as AnyListener;
    set.add(any);
    return () => set.delete(any);
  }

  /** Follows the connection state (for a status light); returns its unsubscribe. */
  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.status);
    return () => this.statusListeners.delete(listener);
  }

  close(): void {
    this.closedByUser = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.queueTimer !== null) clearInterval(this.queueTimer);
    this.socket?.close();
    this.failPending('the connection to the studio server was closed');
    for (const queued of this.queue) queued.resolve(connectionError(queued.method, 'the connection to the studio server was closed'));
    this.queue = [];
  }

  private connect(): void {
    this.setStatus('connecting');
    const socket = this.createSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      this.backoffMs = this.initialBackoffMs;
      this.setStatus('open');
      const queued = this.queue;
      this.queue = [];
      for (const call of queued) {
        const id = Number(JSON.parse(call.frame).id);
        this.pending.set(id, { method: call.method, resolve: call.resolve });
        socket.send(call.frame);
      }
    };
    socket.onmessage = (message: MessageEvent<string>) => this.receive(message.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending('lost the connection to the studio server; reconnecting');
      this.setStatus('closed');
      if (this.closedByUser) return;
      const delay = this.backoffMs * (0.8 + Math.random() * 0.4);
      this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    };
    // An error is always followed by close, which does the work.
    socket.onerror = () => {};
  }

  private receive(text: string): void {
    let frame: { type?: unknown; id?: unknown; result?: unknown; name?: unknown; payload?: unknown };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return;
    }
    if (frame.type === 'reply' && typeof frame.id === 'number') {
      const call = this.pending.get(frame.id);
      if (call === undefined) return;
      this.pending.delete(frame.id);
      call.resolve(frame.result as Result<unknown>);
    } else if (frame.type === 'event' && typeof frame.name === 'string') {
      for (const listener of this.listeners.get(frame.name) ?? []) listener(frame.payload);
    }
  }

  private failPending(reason: string): void {
    for (const call of this.pending.values()) call.resolve(connectionError(call.method, reason));
    this.pending.clear();
  }

  private expireQueued(): void {
    if (this.queue.length === 0) return;
    const now = Date.now();
    const expired = this.queue.filter((call) => call.deadline <= now);
    if (expired.length === 0) return;
    this.queue = this.queue.filter((call) => call.deadline > now);
    const seconds = Math.round(this.queueTimeoutMs / 1000);
    for (const call of expired) call.resolve(connectionError(call.method, `the studio server has not answered for ${seconds} s; is it still running?`));
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }
}

function connectionError(method: MethodName, reason: string): Result<unknown> {
  const stop = /[.?!]$/.test(reason) ? '' : '.';
  return { ok: false, error: { code: 'IO_ERROR', message: `${method} failed: ${reason}${stop}` } };
}
