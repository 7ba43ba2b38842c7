/**
 * Loads tfjs-backend-wasm in Node (training process, CLI, tests), registers our training
 * kernels and makes 'wasm' the current backend.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend } from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from './index.js';

const requireFromHere = createRequire(import.meta.url);

/** The parts of the package's exports we use. */
interface WasmPackage {
  setWasmPaths(prefix: string): void;
  getThreadsCount(): number;
  setThreadsCount(n: number): void;
  version_wasm: string;
  BackendWasm: new (module: EmscriptenModule) => KernelBackend;
}

/** What the Emscripten factory resolves to, as far as BackendWasm needs it. */
interface EmscriptenModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  tfjs?: Record<string, (...args: number[]) => number>;
  PThread?: { runningWorkers?: Array<{ unref?(): void }> };
}

interface EmscriptenConfig {
  locateFile(path: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  wasmMemory: WebAssembly.Memory;
}

type EmscriptenFactory = (config: EmscriptenConfig) => Promise<EmscriptenModule>;

/** XNNPACK's pool in the threaded build never exceeds this many threads (8 workers are created). */
export const MAX_WASM_THREADS = 8;

export interface LoadedWasm {
  version: string;
  simd: boolean;
  threads: number;
}

export interface WasmLoadOptions {
  /**
   * Threads for XNNPACK's convolutions and matrix products (at most 8); 1 uses the package's
   * single-threaded SIMD build, more the threaded SIMD build. Our own loops stay on one thread.
   */
  threads: number;
}

let loaded: LoadedWasm | null = null;

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return String(error);
}

/**
 * The threaded SIMD build, instantiated by hand. tfjs-backend-wasm never picks it in Node
 * (its thread-support flag is hard-wired false there), and its own loader hands Emscripten blob:
 * URLs, which Node's worker_threads cannot start. Here the pthread workers get a real file and
 * the glue script's own path. Emscripten caps the pool at logical cores / 2 (it assumes two
 * hyper-threads per core); os.cpus() is widened while the module initialises so that the
 * requested count survives that cap on small machines.
 */
async function createThreadedBackend(pkg: WasmPackage, threads: number): Promise<KernelBackend> {
  const wasmOut = join(dirname(requireFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const gluePath = join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = requireFromHere(gluePath) as EmscriptenFactory;
  const { wasmWorkerContents } = requireFromHere(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // The worker source is shipped as a template string whose "\n" escapes became newlines;
  // tfjs' own loader re-escapes them the same way.
  const workerSource = wasmWorkerContents.replace(/\n/g, '\\n');
  const workerPath = join(os.tmpdir(), `emotion-studio-tfjs-wasm-${pkg.version_wasm}-pthread-worker.cjs`);
  if (!existsSync(workerPath) || readFileSync(workerPath, 'utf8') !== workerSource) {
    // Written under a private name, then renamed: another process may be starting workers from
    // the same path at this moment, and must never see half a file.
    const partial = `${workerPath}.${process.pid}.partial`;
    writeFileSync(partial, workerSource);
    renameSync(partial, workerPath);
  }
  // 16 MB initial, 4 GB maximum: the build's own settings. Created here so that our SIMD kernels
  // can import the same memory (the threaded build imports it rather than exporting it).
  const wasmMemory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
  const realCpus = os.cpus;
  os.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: Math.max(cpus.length, 2 * threads) }, (_, i) => cpus[i % cpus.length]);
  };
  let module: EmscriptenModule;
  try {
    module = await factory({
      locateFile: (path, prefix) => (path.endsWith('.worker.js') ? workerPath : path.endsWith('.wasm') ? join(wasmOut, path) : prefix + path),
      mainScriptUrlOrBlob: gluePath,
      wasmMemory,
    });
  } finally {
    os.cpus = realCpus;
  }
  // What tfjs' own init() adds before constructing the backend.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  pkg.setThreadsCount(threads);
  const backend = new pkg.BackendWasm(module);
  // The constructor started XNNPACK's pool threads, which live as long as the module. Emscripten
  // refs their workers, so Node would never exit after training; nothing waits on them from the
  // event loop, so unref them.
  for (const worker of module.PThread?.runningWorkers ?? []) worker.unref?.();
  return backend;
}

/**
 * Idempotent: once loaded, later calls only make 'wasm' current again (the first call's
 * thread count stays: a wasm module cannot change builds once instantiated).
 */
export async function loadWasmBackend(options: WasmLoadOptions): Promise<LoadedWasm> {
  const pkg = requireFromHere('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  registerWasmTrainingKernels();
  if (loaded !== null) {
    if (!(await tf.setBackend('wasm'))) throw new Error('could not re-select the wasm backend');
    return loaded;
  }
  const alreadyInitialised = tf.engine().registry.wasm !== undefined;
  let failure: unknown = null;
  if (!alreadyInitialised) {
    // Point the loader at the package's own dist/, where the .wasm files sit, wherever the
    // bundler put the JavaScript that imports it.
    const distDir = join(dirname(requireFromHere.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + sep;
    pkg.setWasmPaths(distDir);
    pkg.setThreadsCount(options.threads);
    const packageFactory = tf.findBackendFactory('wasm');
    if (packageFactory === null) throw new Error('the package did not register backend wasm');
    const threads = Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(options.threads)));
    const factory = threads > 1 ? () => createThreadedBackend(pkg, threads) : packageFactory;
    tf.removeBackend('wasm');
    // Same factory, but we keep its error: tfjs itself only logs it.
    tf.registerBackend('wasm', async () => {
      try {
        return await factory();
      } catch (error) {
        failure = error;
        throw error;
      }
    }, 2);
  }
  if (!(await tf.setBackend('wasm'))) {
    throw new Error(failure === null ? 'initialisation failed' : messageOf(failure).split('\n')[0]);
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  loaded = { version: pkg.version_wasm, simd, threads: pkg.getThreadsCount() };
  return loaded;
}
