/**
 * A minimal WebAssembly binary writer for the few SIMD loops in simd-kernels.ts.
 *
 * Why hand-emitted bytes: the kernels must run on the tfjs-backend-wasm heap (imported as the
 * module's memory), and the project has no C/WAT toolchain in its build. The subset here is
 * what those loops need: i32/f32/v128 locals, loads and stores, arithmetic, structured control
 * flow and one imported memory. Encodings follow the WebAssembly 2.0 binary format (SIMD
 * opcodes after the 0xfd prefix).
 */

export type ValType = 'i32' | 'f32' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

function u32(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function s32(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function f32Bytes(value: number): number[] {
  const bytes = new Uint8Array(new Float32Array([value]).buffer);
  return [...bytes];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...u32(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...u32(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...u32(content.length), ...content];
}

/** Single-byte opcodes, by their text names. */
export const Op = {
  drop: 0x1a, select: 0x1b,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtS: 0x4a, i32GtU: 0x4b,
  i32LeS: 0x4c, i32LeU: 0x4d, i32GeS: 0x4e, i32GeU: 0x4f,
  f32Ne: 0x5c, f32Gt: 0x5e,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32DivU: 0x6e, i32And: 0x71, i32Or: 0x72, i32Shl: 0x74, i32ShrU: 0x76,
  f32Add: 0x92, f32Sub: 0x93, f32Mul: 0x94, f32Div: 0x95, f32Min: 0x96, f32Max: 0x97,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const Simd = {
  i32x4Splat: 0x11, f32x4Splat: 0x13, i32x4ExtractLane: 0x1b, f32x4ExtractLane: 0x1f,
  f32x4Ne: 0x42, f32x4Gt: 0x44, v128And: 0x4e, v128Or: 0x50, v128Bitselect: 0x52,
  i32x4Add: 0xae, f32x4Add: 0xe4, f32x4Sub: 0xe5, f32x4Mul: 0xe6, f32x4Div: 0xe7, f32x4Min: 0xe8, f32x4Max: 0xe9,
} as const;

/** One function: its signature, locals and body, written as a stack-machine instruction stream. */
export class FunctionWriter {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(readonly exportName: string, readonly params: readonly ValType[], readonly results: readonly ValType[] = []) {}

  /** A new local of `type`; returns its index. Parameters are locals 0..params.length-1. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  get(index: number): this { return this.emit(0x20, ...u32(index)); }
  set(index: number): this { return this.emit(0x21, ...u32(index)); }
  tee(index: number): this { return this.emit(0x22, ...u32(index)); }
  i32(value: number): this { return this.emit(0x41, ...s32(value)); }
  f32(value: number): this { return this.emit(0x43, ...f32Bytes(value)); }
  op(code: number): this { return this.emit(code); }
  simd(code: number, ...immediates: number[]): this { return this.emit(0xfd, ...u32(code), ...immediates); }
  /** v128.const from four i32 lanes. */
  i32x4(lanes: readonly [number, number, number, number]): this {
    return this.simd(0x0c, ...new Uint8Array(new Int32Array(lanes).buffer));
  }

  /** Memory access at the address on the stack plus a constant byte offset; alignment hint 4 bytes. */
  loadF32(offset = 0): this { return this.emit(0x2a, 2, ...u32(offset)); }
  storeF32(offset = 0): this { return this.emit(0x38, 2, ...u32(offset)); }
  loadI32(offset = 0): this { return this.emit(0x28, 2, ...u32(offset)); }
  storeI32(offset = 0): this { return this.emit(0x36, 2, ...u32(offset)); }
  loadV128(offset = 0): this { return this.simd(0x00, 2, ...u32(offset)); }
  storeV128(offset = 0): this { return this.simd(0x0b, 2, ...u32(offset)); }

  block(body: () => void): this { this.emit(0x02, 0x40); body(); return this.emit(0x0b); }
  loop(body: () => void): this { this.emit(0x03, 0x40); body(); return this.emit(0x0b); }
  /** `if` on the i32 on the stack. */
  ifThen(then: () => void, otherwise?: () => void): this {
    this.emit(0x04, 0x40);
    then();
    if (otherwise !== undefined) {
      this.emit(0x05);
      otherwise();
    }
    return this.emit(0x0b);
  }
  br(depth: number): this { return this.emit(0x0c, ...u32(depth)); }
  brIf(depth: number): this { return this.emit(0x0d, ...u32(depth)); }

  /**
   * for (i = start; i < end; i += step) body — `start`/`end` push an i32; `end` is evaluated
   * once per iteration, so pass a local. Inside `body`, br(0) continues with the next i and
   * br(2) leaves the loop.
   */
  forRange(i: number, start: () => void, end: () => void, step: number, body: () => void): this {
    start();
    this.set(i);
    return this.block(() => {
      this.loop(() => {
        this.get(i);
        end();
        this.op(Op.i32GeS).brIf(1);
        this.block(body);
        this.get(i).i32(step).op(Op.i32Add).set(i).br(0);
      });
    });
  }

  /** local += step (i32). */
  bump(i: number, step: number): this { return this.get(i).i32(step).op(Op.i32Add).set(i); }

  /** Pushes base + index·4 (a float's byte address). */
  address(base: number, index: number): this { return this.get(base).get(index).i32(2).op(Op.i32Shl).op(Op.i32Add); }

  encodeType(): number[] {
    return [0x60, ...vec(this.params.map((p) => [VALTYPE[p]])), ...vec(this.results.map((r) => [VALTYPE[r]]))];
  }

  encodeBody(): number[] {
    const groups: number[][] = this.locals.map((t) => [...u32(1), VALTYPE[t]]);
    const body = [...vec(groups), ...this.code, 0x0b];
    return [...u32(body.length), ...body];
  }
}

export interface MemoryImport {
  /** True for the threaded build, whose heap is a SharedArrayBuffer. */
  shared: boolean;
  /** Required for a shared memory; pages of 64 KiB. */
  maximumPages: number;
}

/** A module importing `env.memory` and exporting each function under its name. */
export function encodeModule(functions: readonly FunctionWriter[], memory: MemoryImport): Uint8Array<ArrayBuffer> {
  const limits = memory.shared ? [0x03, ...u32(1), ...u32(memory.maximumPages)] : [0x00, ...u32(1)];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(functions.map((f) => f.encodeType()))),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vec(functions.map((_, i) => u32(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.exportName), 0x00, ...u32(i)]))),
    ...section(10, vec(functions.map((f) => f.encodeBody()))),
  ];
  return new Uint8Array(bytes);
}
