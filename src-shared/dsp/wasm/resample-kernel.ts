/**
 * The resampler's FFT path in WebAssembly (resample.c): one period of n input samples to nOut
 * output samples through a real FFT, the fold with the filter response and an inverse real FFT,
 * with f32x4 SIMD. `FftPlan.run` in resample.ts calls it when the kernel loads and runs its
 * float64 JavaScript implementation otherwise.
 *
 * Float32 is libsoxr's own precision for its HQ recipe; the transforms' rounding (about -135 dB
 * of the peak, see tests/unit/dsp/resample-wasm.test.ts) sits far below the filter's 20-bit
 * target and the 86-93 dB agreement with librosa. Tables are written in the precision the kernel
 * was built with (resample_real_bytes), so a float64 build (REAL_BITS 64) needs no change here.
 *
 * Memory: the kernel's arena holds a scratch region for the largest plan seen so far, then the
 * "images" of recently used plans (twiddles, split twiddles, response: about 14 bytes per padded
 * input sample in float32), copied in once and reused until the arena fills up, when it starts
 * over.
 */

import { fftRadices } from '../fft-mixed.js';
import { loadKernel, type WasmKernel } from './instance.js';
import { WASM_BASE64 } from './resample.wasm.js';

type ResampleRunFn = (plan: number, scratch: number, input: number, length: number, out: number, first: number, count: number, reach: number) => void;

/** Both half lengths of a plan must be multiples of this (four lanes times the first radix-4 pass). */
export const WASM_HALF_ALIGN = 16;

/** Bytes of plan images kept resident before the arena starts over. */
const RESIDENT_LIMIT = 48 << 20;

/** The kernel, or null when the JavaScript path should run (backend 'js' or no WebAssembly SIMD). */
export function resampleKernel(): WasmKernel | null {
  return loadKernel('resample', WASM_BASE64);
}

/** True when the kernel can run a plan of n input and nOut output samples. */
export function wasmPlanSupported(n: number, nOut: number): boolean {
  return n % (2 * WASM_HALF_ALIGN) === 0 && nOut % (2 * WASM_HALF_ALIGN) === 0;
}

/**
 * The radices of a complex FFT of `size` points in the kernel's order: 4 first (its stride-1 pass
 * transposes 4 x 4 blocks), then 7, 5, 3 (as fft-mixed.ts), then the other 4s and one 2, so that
 * every pass after the first has a stride that is a multiple of 4.
 */
function kernelRadices(size: number): number[] {
  const radices = fftRadices(size);
  const first = radices.indexOf(4);
  if (first < 0 || size % 16 !== 0) throw new RangeError(`resample kernel: FFT size ${size} is not a multiple of 16`);
  radices.splice(first, 1);
  return [4, ...radices];
}

/** Words of a pass descriptor: count, then (radix, m, s, twiddle offset) per pass. */
function descriptorWords(size: number): number {
  return 1 + 4 * kernelRadices(size).length;
}

/** Floats of twiddles of all passes: (radix - 1) * m complex values per pass. */
function twiddleFloats(size: number): number {
  let n = size;
  let total = 0;
  for (const radix of kernelRadices(size)) {
    n /= radix;
    total += 2 * (radix - 1) * n;
  }
  return total;
}

/** Layout of the words and float arrays of an image, in bytes from its start (16-byte aligned). */
class ImageBuilder {
  bytes = 0;
  take(byteLength: number): number {
    const at = this.bytes;
    this.bytes = Math.ceil((at + byteLength) / 16) * 16;
    return at;
  }
}

const HEADER_WORDS = 9;

/**
 * Writes the pass descriptor at `descAt` and the twiddles at `twAt` of a complex FFT of `size`
 * points. Angles are reduced mod n before the float64 cos/sin, then rounded to float32.
 */
function writeFft(size: number, words: Int32Array, floats: Float32Array | Float64Array, descAt: number, twAt: number): void {
  const bytes = floats.BYTES_PER_ELEMENT;
  const radices = kernelRadices(size);
  words[descAt >> 2] = radices.length;
  let n = size;
  let s = 1;
  let at = twAt;
  radices.forEach((radix, p) => {
    const m = n / radix;
    const d = (descAt >> 2) + 1 + 4 * p;
    words[d] = radix;
    words[d + 1] = m;
    words[d + 2] = s;
    words[d + 3] = at;
    const base = at / bytes;
    for (let q = 0; q < m; q++) {
      for (let k = 1; k < radix; k++) {
        const angle = (-2 * Math.PI * ((q * k) % n)) / n;
        if (s === 1) {
          // First pass: [k - 1][q], all real parts, then all imaginary parts.
          floats[base + (k - 1) * m + q] = Math.cos(angle);
          floats[base + (radix - 1) * m + (k - 1) * m + q] = Math.sin(angle);
        } else {
          const i = base + 2 * (q * (radix - 1) + k - 1);
          floats[i] = Math.cos(angle);
          floats[i + 1] = Math.sin(angle);
        }
      }
    }
    at += bytes * 2 * (radix - 1) * m;
    n = m;
    s *= radix;
  });
}

function writeSplit(size: number, floats: Float32Array | Float64Array, wrAt: number, wiAt: number): void {
  const bytes = floats.BYTES_PER_ELEMENT;
  for (let k = 0; k <= size / 2; k++) {
    const angle = (2 * Math.PI * k) / size;
    floats[wrAt / bytes + k] = Math.cos(angle);
    floats[wiAt / bytes + k] = -Math.sin(angle);
  }
}

/**
 * One plan of the kernel: the tables of resample.c's plan image for n input and nOut output
 * samples and the response H[m], m = 0..max(n, nOut)/2, of resample.ts's FftPlan.
 */
export class WasmResamplePlan {
  readonly inputLength: number;
  readonly outputLength: number;
  /** Bytes per table value and work-buffer value: the kernel's precision (4 or 8). */
  readonly realBytes: number;
  /** The filter's half-width in input samples (see resample.c, keepSilence). */
  private readonly reach: number;
  /** The plan image (see resample.c: header of byte offsets, descriptors, tables). */
  private readonly image: ArrayBuffer;

  /**
   * @param reach the filter's half-width in input samples: h(t) = 0 for |t| >= reach
   */
  constructor(kernel: WasmKernel, inputLength: number, outputLength: number, response: Float64Array, reach: number) {
    if (!wasmPlanSupported(inputLength, outputLength)) {
      throw new RangeError(`resample kernel: lengths ${inputLength} -> ${outputLength} are not multiples of ${2 * WASM_HALF_ALIGN}`);
    }
    this.inputLength = inputLength;
    this.outputLength = outputLength;
    this.reach = reach;
    const realBytes = kernel.fn<() => number>('resample_real_bytes')();
    this.realBytes = realBytes;
    const halfIn = inputLength / 2;
    const halfOut = outputLength / 2;
    const b = new ImageBuilder();
    const header = b.take(4 * HEADER_WORDS);
    const fwdDesc = b.take(4 * descriptorWords(halfIn));
    const fwdTw = b.take(realBytes * twiddleFloats(halfIn));
    const fwdWr = b.take(realBytes * (halfIn + 1));
    const fwdWi = b.take(realBytes * (halfIn + 1));
    const invDesc = b.take(4 * descriptorWords(halfOut));
    const invTw = b.take(realBytes * twiddleFloats(halfOut));
    const invWr = b.take(realBytes * (halfOut + 1));
    const invWi = b.take(realBytes * (halfOut + 1));
    const responseAt = b.take(realBytes * response.length);
    this.image = new ArrayBuffer(b.bytes);
    const words = new Int32Array(this.image);
    const floats = realBytes === 4 ? new Float32Array(this.image) : new Float64Array(this.image);
    words.set([inputLength, outputLength, fwdDesc, fwdWr, fwdWi, invDesc, invWr, invWi, responseAt], header >> 2);
    writeFft(halfIn, words, floats, fwdDesc, fwdTw);
    writeSplit(inputLength, floats, fwdWr, fwdWi);
    writeFft(halfOut, words, floats, invDesc, invTw);
    writeSplit(outputLength, floats, invWr, invWi);
    // The inverse's 1/nOut and the resampling gain nOut/n, folded into the response once.
    const gain = 1 / inputLength;
    for (let m = 0; m < response.length; m++) floats[responseAt / realBytes + m] = response[m] * gain;
  }

  get imageBytes(): number {
    return this.image.byteLength;
  }

  /** Values (of realBytes each) of this plan's work buffers, in resample.c's scratch-header order. */
  scratchFloats(): number[] {
    const half = Math.max(this.inputLength, this.outputLength) / 2;
    const halfIn = this.inputLength / 2;
    const halfOut = this.outputLength / 2;
    return [half, half, half, half, halfIn + 1, halfIn + 1, halfOut + 1, halfOut + 1];
  }

  /**
   * Resamples one period: reads the first inputLength samples of `input` (fewer count as zeros)
   * and writes outputs first..first+out.length-1 of the outputLength to `out`.
   */
  run(kernel: WasmKernel, input: ArrayLike<number>, out: Float32Array, first = 0): void {
    const length = Math.min(input.length, this.inputLength);
    if (!(first >= 0 && first + out.length <= this.outputLength)) {
      throw new RangeError(`resample kernel: outputs [${first}, ${first + out.length}) outside ${this.outputLength}`);
    }
    const arena = arenaOf(kernel);
    const { plan, scratch, input: inPtr, out: outPtr } = arena.place(this);
    const view = kernel.f32(inPtr, length);
    if (input instanceof Float32Array || input instanceof Float64Array) view.set(input.length === length ? input : input.subarray(0, length));
    else for (let i = 0; i < length; i++) view[i] = input[i];
    kernel.fn<ResampleRunFn>('resample_run')(plan, scratch, inPtr, length, outPtr, first, out.length, this.reach);
    out.set(kernel.f32(outPtr, out.length));
  }

  /** Copies the image to byte offset `at` of the kernel's memory. */
  copyTo(kernel: WasmKernel, at: number): void {
    kernel.i32(at, this.image.byteLength >> 2).set(new Int32Array(this.image));
  }
}

interface Placement {
  plan: number;
  scratch: number;
  input: number;
  out: number;
}

/** Work buffers of resample.c (its scratch-header order), then the input and the output. */
const SLOTS = 10;
const SLOT_INPUT = 8;
const SLOT_OUTPUT = 9;

/**
 * The kernel's memory above its static data: a scratch header, SLOTS work buffers of one size,
 * the largest any plan so far needed, then resident plan images. Only this module uses the
 * resample kernel's instance, and its `layout` calls all describe one region from the arena's
 * base, so they only grow memory: what was copied stays until overwritten.
 */
class Arena {
  private readonly kernel: WasmKernel;
  private base = -1;
  private slotBytes = 0;
  private top = 0;
  private readonly resident = new Map<WasmResamplePlan, number>();

  constructor(kernel: WasmKernel) {
    this.kernel = kernel;
  }

  place(plan: WasmResamplePlan): Placement {
    const slot = align16(plan.realBytes * Math.max(...plan.scratchFloats(), plan.inputLength, plan.outputLength));
    if (this.base < 0 || slot > this.slotBytes) this.reset(slot);
    let at = this.resident.get(plan);
    if (at === undefined) {
      if (this.top + plan.imageBytes > this.scratchEnd() + RESIDENT_LIMIT) this.reset(this.slotBytes);
      at = this.top;
      this.kernel.layout(at + plan.imageBytes - this.base);
      plan.copyTo(this.kernel, at);
      this.top = align16(at + plan.imageBytes);
      this.resident.set(plan, at);
    }
    return { plan: at, scratch: this.base, input: this.slotAt(SLOT_INPUT), out: this.slotAt(SLOT_OUTPUT) };
  }

  private slotAt(slot: number): number {
    return this.base + 64 + slot * this.slotBytes;
  }

  private scratchEnd(): number {
    return this.slotAt(SLOTS);
  }

  /** Forgets every resident plan and lays out work buffers of `slotBytes` each. */
  private reset(slotBytes: number): void {
    this.resident.clear();
    this.slotBytes = slotBytes;
    this.base = this.kernel.layout(64 + SLOTS * slotBytes)[0];
    this.top = this.scratchEnd();
    this.kernel.i32(this.base, 8).set(Array.from({ length: 8 }, (_, i) => this.slotAt(i)));
  }
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

const arenas = new WeakMap<WasmKernel, Arena>();

function arenaOf(kernel: WasmKernel): Arena {
  let arena = arenas.get(kernel);
  if (arena === undefined) {
    arena = new Arena(kernel);
    arenas.set(kernel, arena);
  }
  return arena;
}
