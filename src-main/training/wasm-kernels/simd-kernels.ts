/**
 * Memory-bound training loops in WebAssembly SIMD, running on the tfjs-backend-wasm heap (the
 * module imports the backend's own memory, so tensors are read and written in place).
 *
 * Each loop handles 4 floats at a time and requires its channel count to be a multiple of 4;
 * the callers fall back to plain JavaScript otherwise. All pointers are byte offsets into the
 * heap, passed as i32 (offsets above 2 GB wrap to negative numbers, which wasm addressing
 * reads back as unsigned, so no loop compares pointers).
 */
import { FunctionWriter, Op, Simd, encodeModule } from './wasm-emit.js';
import type { WasmModule } from './wasm-backend.js';

/** out[c] = Σ_r x[r·cols + c], summed in blocks of 256 rows in `partial` (cols floats of scratch) to bound rounding error. */
function sumRows(): FunctionWriter {
  const f = new FunctionWriter('sum_rows4', ['i32', 'i32', 'i32', 'i32', 'i32']);
  const [x, rows, cols, out, partial] = [0, 1, 2, 3, 4];
  const r = f.local('i32');
  const rEnd = f.local('i32');
  const c = f.local('i32');
  const row = f.local('i32');
  const bytes = f.local('i32');
  const zero = (target: number): void => {
    f.forRange(c, () => f.i32(0), () => f.get(bytes), 16, () => {
      f.get(target).get(c).op(Op.i32Add).f32(0).simd(Simd.f32x4Splat).storeV128();
    });
  };
  const accumulate = (target: number, source: number): void => {
    f.forRange(c, () => f.i32(0), () => f.get(bytes), 16, () => {
      f.get(target).get(c).op(Op.i32Add);
      f.get(target).get(c).op(Op.i32Add).loadV128();
      f.get(source).get(c).op(Op.i32Add).loadV128();
      f.simd(Simd.f32x4Add).storeV128();
    });
  };
  f.get(cols).i32(2).op(Op.i32Shl).set(bytes);
  zero(out);
  f.get(x).set(row);
  f.i32(0).set(r);
  f.block(() => f.loop(() => {
    f.get(r).get(rows).op(Op.i32GeS).brIf(1);
    f.get(r).i32(256).op(Op.i32Add).get(rows).get(r).i32(256).op(Op.i32Add).get(rows).op(Op.i32LtS).op(Op.select).set(rEnd);
    zero(partial);
    f.block(() => f.loop(() => {
      f.get(r).get(rEnd).op(Op.i32GeS).brIf(1);
      accumulate(partial, row);
      f.get(row).get(bytes).op(Op.i32Add).set(row);
      f.bump(r, 1).br(0);
    }));
    accumulate(out, partial);
    f.br(0);
  }));
  return f;
}

/** out[r·cols + c] = (x[r·cols + c] − mean[c])·a[c] + offset[c]: batch normalisation with a = scale/√(var+ε). */
function normalize(): FunctionWriter {
  const f = new FunctionWriter('normalize4', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [x, rows, cols, mean, a, offset, out] = [0, 1, 2, 3, 4, 5, 6];
  const r = f.local('i32');
  const c = f.local('i32');
  const bytes = f.local('i32');
  f.get(cols).i32(2).op(Op.i32Shl).set(bytes);
  f.forRange(r, () => f.i32(0), () => f.get(rows), 1, () => {
    f.forRange(c, () => f.i32(0), () => f.get(bytes), 16, () => {
      f.get(out).get(c).op(Op.i32Add);
      f.get(x).get(c).op(Op.i32Add).loadV128();
      f.get(mean).get(c).op(Op.i32Add).loadV128();
      f.simd(Simd.f32x4Sub);
      f.get(a).get(c).op(Op.i32Add).loadV128();
      f.simd(Simd.f32x4Mul);
      f.get(offset).get(c).op(Op.i32Add).loadV128();
      f.simd(Simd.f32x4Add).storeV128();
    });
    f.get(x).get(bytes).op(Op.i32Add).set(x);
    f.get(out).get(bytes).op(Op.i32Add).set(out);
  });
  return f;
}

/**
 * Max-pool gradient, NHWC, dilation 1: dx (pre-zeroed) gets each dy at the first element (in
 * row-major window order) holding its window's maximum, compared with a strict `>` from −∞ so
 * NaN and −∞ never win, as in the cpu backend. A window with no winner sends its gradient to
 * `sink`, a scratch float nobody reads, which keeps the scatter free of branches.
 */
function maxPoolGrad(): FunctionWriter {
  const f = new FunctionWriter('max_pool_grad4', Array<'i32'>(16).fill('i32'));
  const [x, dy, dx, B, H, W, C, Ho, Wo, fh, fw, sh, sw, pt, pl, sink] = Array.from({ length: 16 }, (_, i) => i);
  const [b, oh, ow, top, left, h0, h1, w0, w1, ih, iw, c, p, g, base, rowBytes, pixBytes, imgBytes, shift, corner, rowPtr] =
    Array.from({ length: 21 }, () => f.local('i32'));
  const best = f.local('v128');
  const idx = f.local('v128');
  const v = f.local('v128');
  const m = f.local('v128');
  const lanes = f.local('v128');
  const none = f.local('v128');
  const clampLow = (target: number, value: number): void => {
    // target = max(value, 0)
    f.get(value).i32(0).get(value).i32(0).op(Op.i32GtS).op(Op.select).set(target);
  };
  const clampHigh = (target: number, value: number, extent: number, limit: number): void => {
    // target = min(value + extent, limit)
    f.get(value).get(extent).op(Op.i32Add).get(limit).get(value).get(extent).op(Op.i32Add).get(limit).op(Op.i32LtS).op(Op.select).set(target);
  };
  f.get(C).i32(2).op(Op.i32Shl).set(pixBytes);
  f.get(W).get(pixBytes).op(Op.i32Mul).set(rowBytes);
  f.get(H).get(rowBytes).op(Op.i32Mul).set(imgBytes);
  f.get(dx).get(x).op(Op.i32Sub).set(shift);
  f.i32x4([0, 4, 8, 12]).set(lanes);
  // An x-space address that maps to `sink` in dx space.
  f.get(sink).get(shift).op(Op.i32Sub).simd(Simd.i32x4Splat).set(none);
  f.get(dy).set(g);
  f.forRange(b, () => f.i32(0), () => f.get(B), 1, () => {
    f.get(x).get(b).get(imgBytes).op(Op.i32Mul).op(Op.i32Add).set(base);
    f.forRange(oh, () => f.i32(0), () => f.get(Ho), 1, () => {
      f.get(oh).get(sh).op(Op.i32Mul).get(pt).op(Op.i32Sub).set(top);
      clampLow(h0, top);
      clampHigh(h1, top, fh, H);
      f.forRange(ow, () => f.i32(0), () => f.get(Wo), 1, () => {
        f.get(ow).get(sw).op(Op.i32Mul).get(pl).op(Op.i32Sub).set(left);
        clampLow(w0, left);
        clampHigh(w1, left, fw, W);
        f.get(base).get(h0).get(rowBytes).op(Op.i32Mul).op(Op.i32Add).get(w0).get(pixBytes).op(Op.i32Mul).op(Op.i32Add).set(corner);
        f.forRange(c, () => f.i32(0), () => f.get(pixBytes), 16, () => {
          f.f32(Number.NEGATIVE_INFINITY).simd(Simd.f32x4Splat).set(best);
          f.get(none).set(idx);
          f.get(corner).get(c).op(Op.i32Add).set(rowPtr);
          f.forRange(ih, () => f.get(h0), () => f.get(h1), 1, () => {
            f.get(rowPtr).set(p);
            f.forRange(iw, () => f.get(w0), () => f.get(w1), 1, () => {
              f.get(p).loadV128().set(v);
              f.get(v).get(best).simd(Simd.f32x4Gt).set(m);
              f.get(v).get(best).get(m).simd(Simd.v128Bitselect).set(best);
              f.get(p).simd(Simd.i32x4Splat).get(lanes).simd(Simd.i32x4Add).get(idx).get(m).simd(Simd.v128Bitselect).set(idx);
              f.get(p).get(pixBytes).op(Op.i32Add).set(p);
            });
            f.get(rowPtr).get(rowBytes).op(Op.i32Add).set(rowPtr);
          });
          for (let lane = 0; lane < 4; lane++) {
            f.get(idx).simd(Simd.i32x4ExtractLane, lane).get(shift).op(Op.i32Add).set(p);
            f.get(p);
            f.get(p).loadF32();
            f.get(g).loadF32(lane * 4);
            f.op(Op.f32Add).storeF32();
          }
          f.bump(g, 16);
        });
      });
    });
  });
  return f;
}

/**
 * dw[r·Co + co] += Σ_n colT[r·N + n] · dy[n·Co + co]: the filter gradient when colsᵀ has few
 * rows, where XNNPACK's GEMM spends its time packing dy. Positions go in blocks of 128 so the
 * dy block stays in cache across rows; 4 accumulators of 4 channels each per pass.
 */
function filterGradSmall(): FunctionWriter {
  const f = new FunctionWriter('dw_small4', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [colT, dy, dw, R, N, Co] = [0, 1, 2, 3, 4, 5];
  const [n0, n1, n, r, cv, coBytes, colRow, accRow, dyp, rowBytesN] = Array.from({ length: 10 }, () => f.local('i32'));
  const s = f.local('v128');
  const acc = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  const pass = (width: number): void => {
    for (let j = 0; j < width; j++) f.get(accRow).get(cv).op(Op.i32Add).loadV128(16 * j).set(acc[j]);
    f.get(dy).get(n0).get(coBytes).op(Op.i32Mul).op(Op.i32Add).get(cv).op(Op.i32Add).set(dyp);
    f.forRange(n, () => f.get(n0), () => f.get(n1), 1, () => {
      f.address(colRow, n).loadF32().simd(Simd.f32x4Splat).set(s);
      for (let j = 0; j < width; j++) {
        f.get(acc[j]).get(s).get(dyp).loadV128(16 * j).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(acc[j]);
      }
      f.get(dyp).get(coBytes).op(Op.i32Add).set(dyp);
    });
    for (let j = 0; j < width; j++) f.get(accRow).get(cv).op(Op.i32Add).get(acc[j]).storeV128(16 * j);
  };
  f.get(Co).i32(2).op(Op.i32Shl).set(coBytes);
  f.get(N).i32(2).op(Op.i32Shl).set(rowBytesN);
  f.forRange(n0, () => f.i32(0), () => f.get(N), 128, () => {
    f.get(n0).i32(128).op(Op.i32Add).get(N).get(n0).i32(128).op(Op.i32Add).get(N).op(Op.i32LtS).op(Op.select).set(n1);
    f.forRange(r, () => f.i32(0), () => f.get(R), 1, () => {
      f.get(colT).get(r).get(rowBytesN).op(Op.i32Mul).op(Op.i32Add).set(colRow);
      f.get(dw).get(r).get(coBytes).op(Op.i32Mul).op(Op.i32Add).set(accRow);
      f.i32(0).set(cv);
      f.block(() => f.loop(() => {
        f.get(cv).i32(64).op(Op.i32Add).get(coBytes).op(Op.i32GtS).brIf(1);
        pass(4);
        f.bump(cv, 64).br(0);
      }));
      f.block(() => f.loop(() => {
        f.get(cv).get(coBytes).op(Op.i32GeS).brIf(1);
        pass(1);
        f.bump(cv, 16).br(0);
      }));
    });
  });
  return f;
}

/**
 * Per-channel sums for BatchNorm's gradient in one pass over x and dy:
 * out[c] = Σ_r dy[r,c] and out[cols + c] = Σ_r dy[r,c]·(x[r,c] − mean[c]), in blocks of 256
 * rows (`partial`: 2·cols floats of scratch).
 */
function batchNormGradStats(): FunctionWriter {
  const f = new FunctionWriter('bn_grad_stats4', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [x, dy, rows, cols, mean, out, partial] = [0, 1, 2, 3, 4, 5, 6];
  const [r, rEnd, c, bytes, total, xRow, dyRow] = Array.from({ length: 7 }, () => f.local('i32'));
  const g = f.local('v128');
  const zero = (target: number): void => {
    f.forRange(c, () => f.i32(0), () => f.get(total), 16, () => {
      f.get(target).get(c).op(Op.i32Add).f32(0).simd(Simd.f32x4Splat).storeV128();
    });
  };
  f.get(cols).i32(2).op(Op.i32Shl).set(bytes);
  f.get(bytes).i32(1).op(Op.i32Shl).set(total);
  zero(out);
  f.get(x).set(xRow);
  f.get(dy).set(dyRow);
  f.i32(0).set(r);
  f.block(() => f.loop(() => {
    f.get(r).get(rows).op(Op.i32GeS).brIf(1);
    f.get(r).i32(256).op(Op.i32Add).get(rows).get(r).i32(256).op(Op.i32Add).get(rows).op(Op.i32LtS).op(Op.select).set(rEnd);
    zero(partial);
    f.block(() => f.loop(() => {
      f.get(r).get(rEnd).op(Op.i32GeS).brIf(1);
      f.forRange(c, () => f.i32(0), () => f.get(bytes), 16, () => {
        f.get(dyRow).get(c).op(Op.i32Add).loadV128().set(g);
        // partial[c] += g
        f.get(partial).get(c).op(Op.i32Add);
        f.get(partial).get(c).op(Op.i32Add).loadV128().get(g).simd(Simd.f32x4Add).storeV128();
        // partial[cols + c] += g·(x − mean)
        f.get(partial).get(c).op(Op.i32Add).get(bytes).op(Op.i32Add);
        f.get(partial).get(c).op(Op.i32Add).get(bytes).op(Op.i32Add).loadV128();
        f.get(xRow).get(c).op(Op.i32Add).loadV128().get(mean).get(c).op(Op.i32Add).loadV128().simd(Simd.f32x4Sub);
        f.get(g).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).storeV128();
      });
      f.get(xRow).get(bytes).op(Op.i32Add).set(xRow);
      f.get(dyRow).get(bytes).op(Op.i32Add).set(dyRow);
      f.bump(r, 1).br(0);
    }));
    f.forRange(c, () => f.i32(0), () => f.get(total), 16, () => {
      f.get(out).get(c).op(Op.i32Add);
      f.get(out).get(c).op(Op.i32Add).loadV128();
      f.get(partial).get(c).op(Op.i32Add).loadV128();
      f.simd(Simd.f32x4Add).storeV128();
    });
    f.br(0);
  }));
  return f;
}

/**
 * ReLU's gradient dy·step(x) in one pass, with step exactly as tfjs defines it: 1 where x > 0,
 * NaN where x is NaN, else 0 (so dy·0 still turns ±∞ into NaN, as the two-op version does).
 * Any length: 4 floats at a time, then one at a time.
 */
function reluGrad(): FunctionWriter {
  const f = new FunctionWriter('relu_grad', ['i32', 'i32', 'i32', 'i32']);
  const [x, dy, n, out] = [0, 1, 2, 3];
  const i = f.local('i32');
  const vectorEnd = f.local('i32');
  const v = f.local('v128');
  const xs = f.local('f32');
  f.get(n).i32(-4).op(Op.i32And).set(vectorEnd);
  f.forRange(i, () => f.i32(0), () => f.get(vectorEnd), 4, () => {
    f.address(x, i).loadV128().set(v);
    f.address(out, i);
    f.address(dy, i).loadV128();
    // step = x ≠ x ? x (NaN) : (x > 0 ? 1 : 0); bitselect(a, b, mask) takes a where mask is set.
    f.get(v);
    f.f32(1).simd(Simd.f32x4Splat).f32(0).simd(Simd.f32x4Splat).get(v).f32(0).simd(Simd.f32x4Splat).simd(Simd.f32x4Gt).simd(Simd.v128Bitselect);
    f.get(v).get(v).simd(Simd.f32x4Ne).simd(Simd.v128Bitselect);
    f.simd(Simd.f32x4Mul).storeV128();
  });
  f.forRange(i, () => f.get(vectorEnd), () => f.get(n), 1, () => {
    f.address(x, i).loadF32().set(xs);
    f.address(out, i);
    f.address(dy, i).loadF32();
    f.get(xs);
    f.f32(1).f32(0).get(xs).f32(0).op(Op.f32Gt).op(Op.select);
    f.get(xs).get(xs).op(Op.f32Ne).op(Op.select);
    f.op(Op.f32Mul).storeF32();
  });
  return f;
}

/**
 * Forward convolution with one input channel (a first layer), NHWC, dilation 1:
 * out[b,oh,ow,co] = bias[co] + Σ_{kh,kw} x[b, oh·sH+kh−pT, ow·sW+kw−pL] · w[kh,kw,co], taps in
 * the padding skipped. `bias` points at Co floats (zeros when the layer has none). XNNPACK's
 * GEMM has a reduction of only fH·fW here and runs at ≈2 GFLOP/s; this loop keeps 16 output
 * channels in registers per pixel and walks the valid taps with pointer increments.
 */
function convOneChannel(): FunctionWriter {
  const f = new FunctionWriter('conv_cin1', Array<'i32'>(16).fill('i32'));
  const [x, w, bias, out, B, H, W, Ho, Wo, fh, fw, sh, sw, pt, pl, Co] = Array.from({ length: 16 }, (_, i) => i);
  const [b, oh, ow, kh, kw, top, left, kh0, kh1, kw0, kw1, cg, coBytes, o, wp, xp, xImage] = Array.from({ length: 17 }, () => f.local('i32'));
  const s = f.local('v128');
  const acc = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  /** target = first tap whose input index (corner + tap) is ≥ 0, i.e. max(0, −corner). */
  const firstTap = (target: number, corner: number): void => {
    f.i32(0).get(corner).op(Op.i32Sub).i32(0).i32(0).get(corner).op(Op.i32Sub).i32(0).op(Op.i32GtS).op(Op.select).set(target);
  };
  /** target = one past the last tap whose input index is < extent: min(taps, extent − corner). */
  const lastTap = (target: number, corner: number, extent: number, taps: number): void => {
    f.get(extent).get(corner).op(Op.i32Sub).get(taps).get(extent).get(corner).op(Op.i32Sub).get(taps).op(Op.i32LtS).op(Op.select).set(target);
  };
  const pass = (width: number): void => {
    for (let j = 0; j < width; j++) f.get(bias).get(cg).op(Op.i32Add).loadV128(16 * j).set(acc[j]);
    f.forRange(kh, () => f.get(kh0), () => f.get(kh1), 1, () => {
      // x row of this tap, at column left + kw0; the filter row at tap (kh, kw0), channel group cg
      f.get(xImage).get(top).get(kh).op(Op.i32Add).get(W).op(Op.i32Mul).get(left).op(Op.i32Add).get(kw0).op(Op.i32Add).i32(2).op(Op.i32Shl).op(Op.i32Add).set(xp);
      f.get(w).get(kh).get(fw).op(Op.i32Mul).get(kw0).op(Op.i32Add).get(coBytes).op(Op.i32Mul).op(Op.i32Add).get(cg).op(Op.i32Add).set(wp);
      f.forRange(kw, () => f.get(kw0), () => f.get(kw1), 1, () => {
        f.get(xp).loadF32().simd(Simd.f32x4Splat).set(s);
        for (let j = 0; j < width; j++) {
          f.get(acc[j]).get(s).get(wp).loadV128(16 * j).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(acc[j]);
        }
        f.bump(xp, 4);
        f.get(wp).get(coBytes).op(Op.i32Add).set(wp);
      });
    });
    for (let j = 0; j < width; j++) f.get(o).get(cg).op(Op.i32Add).get(acc[j]).storeV128(16 * j);
  };
  f.get(Co).i32(2).op(Op.i32Shl).set(coBytes);
  f.get(out).set(o);
  f.forRange(b, () => f.i32(0), () => f.get(B), 1, () => {
    f.get(x).get(b).get(H).op(Op.i32Mul).get(W).op(Op.i32Mul).i32(2).op(Op.i32Shl).op(Op.i32Add).set(xImage);
    f.forRange(oh, () => f.i32(0), () => f.get(Ho), 1, () => {
      f.get(oh).get(sh).op(Op.i32Mul).get(pt).op(Op.i32Sub).set(top);
      firstTap(kh0, top);
      lastTap(kh1, top, H, fh);
      f.forRange(ow, () => f.i32(0), () => f.get(Wo), 1, () => {
        f.get(ow).get(sw).op(Op.i32Mul).get(pl).op(Op.i32Sub).set(left);
        firstTap(kw0, left);
        lastTap(kw1, left, W, fw);
        f.i32(0).set(cg);
        f.block(() => f.loop(() => {
          f.get(cg).i32(64).op(Op.i32Add).get(coBytes).op(Op.i32GtS).brIf(1);
          pass(4);
          f.bump(cg, 64).br(0);
        }));
        f.block(() => f.loop(() => {
          f.get(cg).get(coBytes).op(Op.i32GeS).brIf(1);
          pass(1);
          f.bump(cg, 16).br(0);
        }));
        f.get(o).get(coBytes).op(Op.i32Add).set(o);
      });
    });
  });
  return f;
}

/**
 * BatchNorm training backward in one pass: out = dy·a[c] + (x − mean[c])·b[c] + shift[c], with
 * `params` = [mean | a | b | shift], cols floats each.
 */
function batchNormBackward(): FunctionWriter {
  const f = new FunctionWriter('bn_backward4', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [x, dy, rows, cols, params, out] = [0, 1, 2, 3, 4, 5];
  const [r, c, bytes, mean, a, b, shift] = Array.from({ length: 7 }, () => f.local('i32'));
  f.get(cols).i32(2).op(Op.i32Shl).set(bytes);
  f.get(params).set(mean);
  f.get(mean).get(bytes).op(Op.i32Add).set(a);
  f.get(a).get(bytes).op(Op.i32Add).set(b);
  f.get(b).get(bytes).op(Op.i32Add).set(shift);
  f.forRange(r, () => f.i32(0), () => f.get(rows), 1, () => {
    f.forRange(c, () => f.i32(0), () => f.get(bytes), 16, () => {
      f.get(out).get(c).op(Op.i32Add);
      f.get(dy).get(c).op(Op.i32Add).loadV128().get(a).get(c).op(Op.i32Add).loadV128().simd(Simd.f32x4Mul);
      f.get(x).get(c).op(Op.i32Add).loadV128().get(mean).get(c).op(Op.i32Add).loadV128().simd(Simd.f32x4Sub);
      f.get(b).get(c).op(Op.i32Add).loadV128().simd(Simd.f32x4Mul).simd(Simd.f32x4Add);
      f.get(shift).get(c).op(Op.i32Add).loadV128().simd(Simd.f32x4Add).storeV128();
    });
    f.get(x).get(bytes).op(Op.i32Add).set(x);
    f.get(dy).get(bytes).op(Op.i32Add).set(dy);
    f.get(out).get(bytes).op(Op.i32Add).set(out);
  });
  return f;
}

export interface SimdKernels {
  sum_rows4(x: number, rows: number, cols: number, out: number, partial: number): void;
  normalize4(x: number, rows: number, cols: number, mean: number, a: number, offset: number, out: number): void;
  max_pool_grad4(
    x: number, dy: number, dx: number, batch: number, inHeight: number, inWidth: number, channels: number,
    outHeight: number, outWidth: number, filterHeight: number, filterWidth: number,
    strideHeight: number, strideWidth: number, padTop: number, padLeft: number, sink: number,
  ): void;
  dw_small4(colT: number, dy: number, dw: number, rows: number, positions: number, outChannels: number): void;
  bn_grad_stats4(x: number, dy: number, rows: number, cols: number, mean: number, out: number, partial: number): void;
  relu_grad(x: number, dy: number, n: number, out: number): void;
  bn_backward4(x: number, dy: number, rows: number, cols: number, params: number, out: number): void;
  conv_cin1(
    x: number, filter: number, bias: number, out: number, batch: number, inHeight: number, inWidth: number,
    outHeight: number, outWidth: number, filterHeight: number, filterWidth: number,
    strideHeight: number, strideWidth: number, padTop: number, padLeft: number, outChannels: number,
  ): void;
}

/** The module bytes for a non-shared or a shared (threaded build) heap. */
export function simdModuleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  return encodeModule([sumRows(), normalize(), maxPoolGrad(), filterGradSmall(), batchNormGradStats(), reluGrad(), convOneChannel(), batchNormBackward()], { shared, maximumPages: 65536 });
}

interface EmscriptenMemoryHolder {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

const instances = new WeakMap<WasmModule, SimdKernels | null>();

/**
 * The kernels bound to this backend module's heap, or null where WebAssembly SIMD is not
 * available (callers then use their JavaScript loops).
 */
export function simdKernels(module: WasmModule): SimdKernels | null {
  const cached = instances.get(module);
  if (cached !== undefined) return cached;
  let kernels: SimdKernels | null = null;
  const holder = module as unknown as EmscriptenMemoryHolder;
  const memory = holder.wasmMemory ?? holder.asm?.memory;
  if (memory !== undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    try {
      const compiled = new WebAssembly.Module(simdModuleBytes(shared));
      const instance = new WebAssembly.Instance(compiled, { env: { memory } });
      kernels = instance.exports as unknown as SimdKernels;
    } catch {
      kernels = null;
    }
  }
  instances.set(module, kernels);
  return kernels;
}
