/**
 * Chooses and initialises the tfjs backend the engine trains on, in the training process and
 * in the CLI.
 *
 * Order for 'auto': 'tensorflow' (the optional @tensorflow/tfjs-node and its native binding,
 * provisioned by `npm run setup:native`), else 'wasm' (tfjs-backend-wasm with our training
 * kernels, see docs/wasm-backend.md), else 'cpu' (pure JavaScript, about 100× slower).
 *
 * The environment variable EMOTION_STUDIO_BACKEND=tensorflow|wasm|cpu replaces 'auto' with
 * that backend (an explicit `prefer` argument still wins). EMOTION_STUDIO_WASM_THREADS=N asks
 * the wasm backend for N threads (default: half the logical cores, at most 8; see
 * docs/wasm-backend.md for what threads buy).
 *
 * Packages are resolved with createRequire(import.meta.url): electron-vite bundles this file
 * into out/main/ with dependencies left external, so paths relative to node_modules would
 * break. tfjs-node and our imports share one @tensorflow/tfjs-core instance (npm dedupes it);
 * that is checked, not assumed.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadWasmBackend } from './wasm-kernels/load-wasm-backend.js';

const requireFromHere = createRequire(import.meta.url);

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** e.g. "TensorFlow 2.21.0 (tfjs-node 4.22.0)", "tfjs-backend-wasm 4.22.0, SIMD, 1 thread", "tfjs-backend-cpu 4.22.0" */
  version: string;
  /** Set for cpu (about 100× slower), and when a preferred backend could not load. */
  warning?: string;
  /** Why each faster backend was not used, in plain words. */
  fallbackReasons: string[];
}

const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Heap bytes a wasm training step may fill with activations, gradients and scratch: 4 GB minus weights, optimizer state and fragmentation. */
const WASM_ACTIVATION_BUDGET_BYTES = 2.5e9;

/**
 * Largest number of samples one forward/backward pass should take on this backend, given the
 * bytes of activations and their gradients one sample needs; undefined = no limit. Only wasm
 * has one: its heap is a 32-bit address space.
 */
export function maxMicroBatch(info: BackendInfo, bytesPerSample: number): number | undefined {
  if (info.name !== 'wasm') return undefined;
  return Math.max(1, Math.floor(WASM_ACTIVATION_BUDGET_BYTES / Math.max(1, bytesPerSample)));
}

/** Loads one backend and makes it current, or throws an Error whose message says why in plain words. */
async function activate(name: BackendName): Promise<string> {
  switch (name) {
    case 'tensorflow':
      return activateTensorflow();
    case 'wasm':
      return activateWasm();
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('tfjs-backend-cpu: could not initialise');
      return `tfjs-backend-cpu ${tf.version_core}`;
  }
}

async function activateTensorflow(): Promise<string> {
  let packageJson: string;
  try {
    packageJson = requireFromHere.resolve('@tensorflow/tfjs-node/package.json');
  } catch {
    throw new Error('tfjs-node: the optional package @tensorflow/tfjs-node is not installed; run npm run setup:native');
  }
  const bindingPath = join(dirname(packageJson), 'lib', 'napi-v8', 'tfjs_binding.node');
  if (!existsSync(bindingPath)) {
    throw new Error(`tfjs-node: native binding not found at ${bindingPath}; run npm run setup:native`);
  }
  let nodeVersion = '?';
  try {
    // Loading registers backend 'tensorflow' in the tfjs-core it imports and makes it current.
    const tfn = requireFromHere('@tensorflow/tfjs-node') as { version?: Record<string, string> };
    nodeVersion = tfn.version?.['tfjs-node'] ?? nodeVersion;
  } catch (error) {
    throw new Error(`tfjs-node: failed to load (${firstLine(error)}); run npm run setup:native`);
  }
  if (tf.findBackend('tensorflow') === null) {
    throw new Error('tfjs-node: loaded, but registered its backend in another copy of @tensorflow/tfjs-core (run npm dedupe)');
  }
  if (!(await tf.setBackend('tensorflow')) || tf.getBackend() !== 'tensorflow') {
    throw new Error('tfjs-node: backend tensorflow did not initialise');
  }
  const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
  return `TensorFlow ${binding?.TF_Version ?? '?'} (tfjs-node ${nodeVersion})`;
}

/**
 * Threads for the wasm backend: EMOTION_STUDIO_WASM_THREADS, else half the logical cores (the
 * physical ones on machines with two hyper-threads per core, as tfjs assumes in browsers), so a
 * 2-vCPU machine stays single-threaded.
 */
function wasmThreads(): number {
  const raw = process.env.EMOTION_STUDIO_WASM_THREADS;
  if (raw === undefined || raw === '') return Math.max(1, Math.floor(availableParallelism() / 2));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`EMOTION_STUDIO_WASM_THREADS must be a positive integer, got '${raw}'`);
  return n;
}

async function activateWasm(): Promise<string> {
  try {
    const loaded = await loadWasmBackend({ threads: wasmThreads() });
    const threads = loaded.threads === 1 ? '1 thread' : `${loaded.threads} threads`;
    return `tfjs-backend-wasm ${loaded.version}, ${loaded.simd ? 'SIMD' : 'no SIMD'}, ${threads}`;
  } catch (error) {
    throw new Error(`tfjs-backend-wasm: ${firstLine(error)}`);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

function resolvePreference(prefer: BackendName | 'auto'): BackendName | 'auto' {
  if (prefer !== 'auto') return prefer;
  const fromEnv = process.env.EMOTION_STUDIO_BACKEND;
  if (fromEnv === undefined || fromEnv === '' || fromEnv === 'auto') return 'auto';
  if (!(BACKEND_NAMES as readonly string[]).includes(fromEnv)) {
    throw new Error(`EMOTION_STUDIO_BACKEND must be one of ${BACKEND_NAMES.join(', ')} or auto; got '${fromEnv}'`);
  }
  return fromEnv as BackendName;
}

const CPU_WARNING = 'Training on the cpu backend (pure JavaScript): about 100× slower than tensorflow or wasm.';

async function choose(preference: BackendName | 'auto'): Promise<BackendInfo> {
  if (preference !== 'auto') {
    let version: string;
    try {
      version = await activate(preference);
    } catch (error) {
      throw new Error(`Backend '${preference}' was requested but could not be loaded: ${firstLine(error)}`);
    }
    return preference === 'cpu'
      ? { name: 'cpu', version, warning: CPU_WARNING, fallbackReasons: [] }
      : { name: preference, version, fallbackReasons: [] };
  }
  const fallbackReasons: string[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      const version = await activate(name);
      if (name === 'cpu') return { name, version, warning: `${CPU_WARNING} ${fallbackReasons.join(' ')}`.trim(), fallbackReasons };
      return { name, version, fallbackReasons };
    } catch (error) {
      fallbackReasons.push(firstLine(error));
    }
  }
  throw new Error(`No tfjs backend could be loaded: ${fallbackReasons.join('; ')}`);
}

const chosen = new Map<BackendName | 'auto', Promise<BackendInfo>>();

/**
 * Initialises the training backend and makes it tfjs' current backend. Idempotent: the same
 * preference returns the same info (and re-selects that backend if another call switched away).
 * A preference that cannot be met throws; 'auto' falls back and says why in `fallbackReasons`.
 */
export async function initBackend(prefer: BackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  const preference = resolvePreference(prefer);
  let pending = chosen.get(preference);
  if (pending === undefined) {
    pending = choose(preference);
    chosen.set(preference, pending);
    pending.catch(() => chosen.delete(preference));
  }
  const info = await pending;
  if (tf.getBackend() !== info.name) await tf.setBackend(info.name);
  return info;
}
