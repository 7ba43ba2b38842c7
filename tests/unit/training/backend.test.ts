/**
 * Backend choice: 'auto' takes the native TensorFlow backend when its binding is built here,
 * wasm and cpu load on request, the environment override, idempotence, the wasm micro-batch
 * limit, and the threaded wasm build (in a child process: a wasm module's build is fixed once
 * loaded in a process).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend, maxMicroBatch, type BackendInfo } from '../../../src-main/training/backend.js';

process.env.TF_CPP_MIN_LOG_LEVEL = '2';
// The default is half the logical cores; this file checks the single-threaded build in-process
// and the threaded one in a child.
process.env.EMOTION_STUDIO_WASM_THREADS = '1';
const requireHere = createRequire(import.meta.url);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Why the native backend cannot be expected here, or null if it can. */
function nativeUnavailable(): string | null {
  let packageJson: string;
  try {
    packageJson = requireHere.resolve('@tensorflow/tfjs-node/package.json');
  } catch {
    return '@tensorflow/tfjs-node is not installed';
  }
  const binding = join(dirname(packageJson), 'lib', 'napi-v8', 'tfjs_binding.node');
  return existsSync(binding) ? null : `no native binding at ${binding} (npm run setup:native builds it)`;
}

afterEach(() => {
  delete process.env.EMOTION_STUDIO_BACKEND;
});

describe('initBackend', () => {
  it("'auto' picks tensorflow when its binding exists", async (context) => {
    const reason = nativeUnavailable();
    if (reason !== null) {
      context.skip(`native backend not expected: ${reason}`);
      return;
    }
    const info = await initBackend('auto');
    expect(info.name).toBe('tensorflow');
    expect(info.version).toMatch(/^TensorFlow \d+\.\d+\.\d+ \(tfjs-node \d+\.\d+\.\d+\)$/);
    expect(info.fallbackReasons).toEqual([]);
    expect(info.warning).toBeUndefined();
    expect(tf.getBackend()).toBe('tensorflow');
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    expect(tf.matMul(a, a).arraySync()).toEqual([[7, 10], [15, 22]]);
  });

  it("'wasm' loads tfjs-backend-wasm with SIMD and our kernels", async () => {
    const info = await initBackend('wasm');
    expect(info.name).toBe('wasm');
    expect(info.version).toBe(`tfjs-backend-wasm ${tf.version_core}, SIMD, 1 thread`);
    expect(info.warning).toBeUndefined();
    expect(tf.getBackend()).toBe('wasm');
    // The backend itself has no Conv2DBackpropFilter: a conv gradient proves ours is registered.
    const x = tf.ones([1, 1, 6, 2]) as tf.Tensor4D;
    const dw = tf.grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'valid')))(tf.ones([1, 3, 2, 1]));
    expect(Array.from(dw.dataSync())).toEqual([4, 4, 4, 4, 4, 4]);
  });

  it("'cpu' loads with the slowness warning", async () => {
    const info = await initBackend('cpu');
    expect(info.name).toBe('cpu');
    expect(info.version).toBe(`tfjs-backend-cpu ${tf.version_core}`);
    expect(info.warning).toMatch(/100× slower/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('is idempotent: the same preference returns the same info and re-selects its backend', async () => {
    const first = await initBackend('wasm');
    await initBackend('cpu');
    const again = await initBackend('wasm');
    expect(again).toBe(first);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('EMOTION_STUDIO_BACKEND replaces auto, not an explicit choice', async () => {
    process.env.EMOTION_STUDIO_BACKEND = 'cpu';
    expect((await initBackend()).name).toBe('cpu');
    expect((await initBackend('wasm')).name).toBe('wasm');
    process.env.EMOTION_STUDIO_BACKEND = 'gpu';
    await expect(initBackend('auto')).rejects.toThrow(/EMOTION_STUDIO_BACKEND must be one of tensorflow, wasm, cpu or auto; got 'gpu'/);
  });
});

describe('maxMicroBatch', () => {
  const info = (name: BackendInfo['name']): BackendInfo => ({ name, version: '', fallbackReasons: [] });

  it('limits only wasm, to what its heap holds, and never below one sample', () => {
    expect(maxMicroBatch(info('tensorflow'), 230e6)).toBeUndefined();
    expect(maxMicroBatch(info('cpu'), 230e6)).toBeUndefined();
    expect(maxMicroBatch(info('wasm'), 230e6)).toBe(10);
    expect(maxMicroBatch(info('wasm'), 10e6)).toBe(250);
    expect(maxMicroBatch(info('wasm'), 10e9)).toBe(1);
  });
});

describe('wasm with threads (EMOTION_STUDIO_WASM_THREADS)', () => {
  it('loads the threaded build in Node and trains correctly on it', () => {
    // CommonJS --eval with dynamic imports: the pthread workers inherit the process's execArgv,
    // and an --input-type flag without --eval would stop them from starting.
    const script = `(async () => {
      const tf = await import('@tensorflow/tfjs-core');
      const { initBackend } = await import('./src-main/training/backend.ts');
      const info = await initBackend('wasm');
      const x = tf.randomNormal([2, 1, 40, 8], 0, 1, 'float32', 1);
      const w = tf.randomNormal([1, 5, 8, 16], 0, 1, 'float32', 2);
      const f = (a, b) => tf.sum(tf.square(tf.conv2d(a, b, 1, 'same')));
      const wasm = tf.grads(f)([x, w]).map((g) => g.dataSync());
      await tf.setBackend('cpu');
      const cpu = tf.grads(f)([x, w]).map((g) => g.dataSync());
      const diff = wasm.map((g, i) => Math.max(...g.map((v, j) => Math.abs(v - cpu[i][j]))) / Math.max(...cpu[i].map(Math.abs)));
      process.stdout.write(JSON.stringify({ version: info.version, diff }));
      process.exit(0);
    })();`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--eval', script], {
      cwd: repoRoot,
      env: { ...process.env, EMOTION_STUDIO_WASM_THREADS: '2', EMOTION_STUDIO_BACKEND: '' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const result = JSON.parse(out.slice(out.indexOf('{'))) as { version: string; diff: number[] };
    expect(result.version).toBe(`tfjs-backend-wasm ${tf.version_core}, SIMD, 2 threads`);
    for (const d of result.diff) expect(d).toBeLessThan(1e-5);
  });
});
