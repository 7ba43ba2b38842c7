/**
 * The live view's rolling window over a stream of samples: a ring buffer holding the newest
 * `windowSamples`, and a hop clock counted in samples (not timers), so windows start exactly
 * `hopSamples` apart however the audio arrives in chunks.
 */

/** A fixed-capacity ring of samples; the newest `capacity` survive. */
export class SampleRing {
  readonly capacity: number;
  private readonly data: Float32Array;
  /** Next write position. */
  private head = 0;
  private filled = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be an integer >= 1, got ${capacity}`);
    this.capacity = capacity;
    this.data = new Float32Array(capacity);
  }

  /** Samples held (at most capacity). */
  get length(): number {
    return this.filled;
  }

  push(samples: ArrayLike<number>): void {
    const n = samples.length;
    // Only the newest `capacity` samples of a long chunk can survive.
    const start = Math.max(0, n - this.capacity);
    for (let i = start; i < n; i++) {
      this.data[this.head] = samples[i];
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    }
    this.filled = Math.min(this.capacity, this.filled + (n - start));
  }

  /** A copy of the newest `count` samples, oldest first. */
  latest(count: number = this.filled): Float32Array {
    if (!Number.isInteger(count) || count < 0 || count > this.filled) throw new RangeError(`asked for ${count} samples, the ring holds ${this.filled}`);
    const out = new Float32Array(count);
    const start = (this.head - count + this.capacity) % this.capacity;
    const firstPart = Math.min(count, this.capacity - start);
    out.set(this.data.subarray(start, start + firstPart), 0);
    if (firstPart < count) out.set(this.data.subarray(0, count - firstPart), firstPart);
    return out;
  }

  clear(): void {
    this.head = 0;
    this.filled = 0;
  }
}

export interface RollingWindowOptions {
  sampleRate: number;
  /** Length of each window, seconds. */
  windowSec: number;
  /** Time between window starts, seconds. */
  hopSec: number;
}

/** One window, as it stood when it became due. */
export interface DueWindow {
  samples: Float32Array;
  /** Stream position of its last sample + 1, in samples since the start. */
  endSample: number;
}

/**
 * Cuts a stream into overlapping windows: the first when `windowSamples` have arrived, then one
 * every `hopSamples`. A chunk that spans several hops yields each window at its exact position.
 */
export class RollingWindow {
  readonly sampleRate: number;
  readonly windowSamples: number;
  readonly hopSamples: number;
  private readonly ring: SampleRing;
  private received = 0;
  private nextDue: number;

  constructor(options: RollingWindowOptions) {
    const { sampleRate, windowSec, hopSec } = options;
    if (!(sampleRate > 0)) throw new RangeError(`sample rate must be positive, got ${sampleRate}`);
    if (!(windowSec > 0) || !(hopSec > 0)) throw new RangeError(`window and hop must be positive seconds, got ${windowSec}, ${hopSec}`);
    this.sampleRate = sampleRate;
    this.windowSamples = Math.max(1, Math.round(windowSec * sampleRate));
    this.hopSamples = Math.max(1, Math.round(hopSec * sampleRate));
    this.ring = new SampleRing(this.windowSamples);
    this.nextDue = this.windowSamples;
  }

  /** Samples received since the start (or the last reset). */
  get position(): number {
    return this.received;
  }

  /** The newest samples, up to one window (less before the first window is full). */
  latest(): Float32Array {
    return this.ring.latest();
  }

  /** Adds samples; returns the windows that became due, oldest first. */
  push(samples: Float32Array): DueWindow[] {
    const due: DueWindow[] = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(samples.length - at, this.nextDue - this.received);
      this.ring.push(samples.subarray(at, at + take));
      this.received += take;
      at += take;
      if (this.received === this.nextDue) {
        due.push({ samples: this.ring.latest(this.windowSamples), endSample: this.received });
        this.nextDue += this.hopSamples;
      }
    }
    return due;
  }

  reset(): void {
    this.ring.clear();
    this.received = 0;
    this.nextDue = this.windowSamples;
  }
}

/**
 * Keeps at most one request in flight: a window that comes due while one is being classified
 * waits, and a newer one replaces it, so a slow answer never builds a queue (the bars show
 * the newest audio, late rather than stale).
 */
export class LatestOnly<T> {
  private busy = false;
  private waiting: T | null = null;
  private readonly run: (item: T) => Promise<void>;

  constructor(run: (item: T) => Promise<void>) {
    this.run = run;
  }

  /** True while a request is out. */
  get inFlight(): boolean {
    return this.busy;
  }

  offer(item: T): void {
    if (this.busy) {
      this.waiting = item;
      return;
    }
    void this.start(item);
  }

  /** Drops the waiting item (the in-flight one still finishes). */
  clear(): void {
    this.waiting = null;
  }

  private async start(item: T): Promise<void> {
    this.busy = true;
    try {
      await this.run(item);
    } finally {
      this.busy = false;
      const next = this.waiting;
      this.waiting = null;
      if (next !== null) void this.start(next);
    }
  }
}
