/**
 * Loading the WebAssembly DSP kernels (src-shared/dsp/wasm/*.c, built by `npm run build:wasm`
 * into base64 modules) and laying out their memory.
 *
 * A kernel is compiled and instantiated synchronously on first use, in whatever JS realm asks
 * for it: the main process, a worker thread, the renderer's workers. Where that is impossible
 * (no WebAssembly, or a browser main thread that refuses synchronous compilation of modules over
 * 4 KB) or switched off, `loadKernel` returns null and every caller runs its JavaScript
 * implementation, which computes the same quantities and stays the reference in the tests.
 *
 * The backend can be chosen with `setDspBackend` (tests, benchmarks) or, in Node, with the
 * environment variable EMOTION_STUDIO_DSP=js|wasm read once at load.
 */

/** Which implementation the DSP functions use where both exist. */
export type DspBackend = 'wasm' | 'js';

function initialBackend(): DspBackend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.EMOTION_STUDIO_DSP === 'js' ? 'js' : 'wasm';
}

let backend: DspBackend = initialBackend();

/** Chooses the implementation for later calls; returns the previous choice. */
export function setDspBackend(next: DspBackend): DspBackend {
  const previous = backend;
  backend = next;
  return previous;
}

/** The implementation later calls will use where a kernel loads. */
export function dspBackend(): DspBackend {
  return backend;
}

/** An instantiated kernel module with a scratch arena above its static data. */
export class WasmKernel {
  readonly exports: WebAssembly.Exports;
  private readonly memory: WebAssembly.Memory;
  private readonly heapBase: number;
  private f32View: Float32Array;
  private f64View: Float64Array;
  private i32View: Int32Array;

  constructor(instance: WebAssembly.Instance) {
    this.exports = instance.exports;
    const memory = instance.exports.memory;
    const heapBase = instance.exports.__heap_base;
    if (!(memory instanceof WebAssembly.Memory) || !(heapBase instanceof WebAssembly.Global)) {
      throw new Error('wasm kernel lacks memory or __heap_base');
    }
    this.memory = memory;
    this.heapBase = align(Number(heapBase.value), 64);
    this.f32View = new Float32Array(memory.buffer);
    this.f64View = new Float64Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
  }

  /**
   * Lays out consecutive buffers of the given byte sizes in the arena (each 64-byte aligned),
   * growing memory when needed, and returns their byte offsets. Views taken before a call may be
   * detached by the growth: take them after. The layout is valid until the next `layout` call.
   */
  layout(...byteSizes: number[]): number[] {
    const offsets: number[] = [];
    let at = this.heapBase;
    for (const size of byteSizes) {
      offsets.push(at);
      at = align(at + size, 64);
    }
    const have = this.memory.buffer.byteLength;
    if (at > have) {
      this.memory.grow(Math.ceil((at - have) / 65536));
      this.f32View = new Float32Array(this.memory.buffer);
      this.f64View = new Float64Array(this.memory.buffer);
      this.i32View = new Int32Array(this.memory.buffer);
    }
    return offsets;
  }

  /** Float32 view of `length` values at byte offset `ptr`. */
  f32(ptr: number, length: number): Float32Array {
    return this.f32View.subarray(ptr >>> 2, (ptr >>> 2) + length);
  }

  /** Float64 view of `length` values at byte offset `ptr` (8-byte aligned). */
  f64(ptr: number, length: number): Float64Array {
    return this.f64View.subarray(ptr >>> 3, (ptr >>> 3) + length);
  }

  /** Int32 view of `length` values at byte offset `ptr`. */
  i32(ptr: number, length: number): Int32Array {
    return this.i32View.subarray(ptr >>> 2, (ptr >>> 2) + length);
  }

  /** An exported function, typed by the caller. */
  fn<F extends (...args: number[]) => number | void>(name: string): F {
    const f = this.exports[name];
    if (typeof f !== 'function') throw new Error(`wasm kernel has no export ${name}`);
    return f as F;
  }
}

function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

function decodeBase64(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const loaded = new Map<string, WasmKernel | null>();

/**
 * The kernel module `name` built from `base64`, instantiated once per realm; null when the JS
 * implementation should run instead (backend 'js', or WebAssembly unavailable here).
 */
export function loadKernel(name: string, base64: string): WasmKernel | null {
  if (backend === 'js') return null;
  let kernel = loaded.get(name);
  if (kernel === undefined) {
    kernel = instantiate(base64);
    loaded.set(name, kernel);
  }
  return kernel;
}

function instantiate(base64: string): WasmKernel | null {
  if (typeof WebAssembly !== 'object') return null;
  try {
    const module = new WebAssembly.Module(decodeBase64(base64) as Uint8Array<ArrayBuffer>);
    return new WasmKernel(new WebAssembly.Instance(module, {}));
  } catch {
    // No SIMD support, or a realm that forbids synchronous compilation: the JS path runs.
    return null;
  }
}
