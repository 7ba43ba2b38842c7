/**
 * The resampler's polyphase FIR path (fir.c) in WebAssembly SIMD, double precision. The pitch
 * shift resamples between rates whose ratio is not a small fraction, which only the FIR path
 * computes; there the kernel replaces the JavaScript loop with the same sums.
 */

import { loadKernel, type WasmKernel } from './instance.js';
import { WASM_BASE64 } from './fir.wasm.js';

/** The kernel, when it loads; null when the JavaScript implementation should run. */
export function firKernel(): WasmKernel | null {
  return loadKernel('fir', WASM_BASE64);
}

/** One FIR resampling job: the tap table and how outputs walk through it. */
export interface FirJob {
  /** [rows][width] taps, row-major. */
  readonly table: Float64Array;
  /** 2 * half taps per row. */
  readonly width: number;
  readonly half: number;
  /** Exact phases (srOut/srIn = up/down), or interpolated between `phases` + 1 rows at `step` input samples per output. */
  readonly phases: { kind: 'exact'; up: number; down: number } | { kind: 'interpolated'; phases: number; step: number };
}

type PadFn = (x: number, n: number, width: number, padded: number) => void;
type ExactFn = (table: number, width: number, half: number, up: number, down: number, padded: number, nOut: number, out: number) => void;
type InterpolatedFn = (table: number, width: number, half: number, phases: number, step: number, padded: number, nOut: number, out: number) => void;

/**
 * The table in the kernel's memory: the first region of every layout, so it stays in place
 * between calls and is copied again only for another table (another rate pair).
 */
let residentTable: Float64Array | null = null;

/** Resamples `x` to `nOut` samples through the FIR job. */
export function wasmFir(kernel: WasmKernel, job: FirJob, x: Float32Array, nOut: number): Float32Array {
  const n = x.length;
  const paddedLength = n + 2 * job.width + 2;
  const [pTable, pX, pPadded, pOut] = kernel.layout(8 * job.table.length, 4 * n, 8 * paddedLength, 4 * nOut);
  if (residentTable !== job.table) {
    kernel.f64(pTable, job.table.length).set(job.table);
    residentTable = job.table;
  }
  kernel.f32(pX, n).set(x);
  kernel.fn<PadFn>('fir_pad')(pX, n, job.width, pPadded);
  const p = job.phases;
  if (p.kind === 'exact') kernel.fn<ExactFn>('fir_exact')(pTable, job.width, job.half, p.up, p.down, pPadded, nOut, pOut);
  else kernel.fn<InterpolatedFn>('fir_interpolated')(pTable, job.width, job.half, p.phases, p.step, pPadded, nOut, pOut);
  return kernel.f32(pOut, nOut).slice();
}
