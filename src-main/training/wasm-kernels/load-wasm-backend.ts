/**
 * Loads tfjs-backend-wasm in Node (training process, CLI, tests), registers our training
 * kernels and makes 'wasm' the current backend.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from './index.js';

const requireFromHere = createRequire(import.meta.url);

/** The parts of the package's exports we use. */
interface WasmPackage {
  setWasmPaths(prefix: string): void;
  getThreadsCount(): number;
  setThreadsCount(n: number): void;
  version_wasm: string;
}

export interface LoadedWasm {
  version: string;
  simd: boolean;
  threads: number;
}

export interface WasmLoadOptions {
  /** Threads for XNNPACK; 1 uses the package's single-threaded SIMD build. */
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
    const factory = tf.findBackendFactory('wasm');
    if (factory === null) throw new Error('the package did not register backend wasm');
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
