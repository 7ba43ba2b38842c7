// The FFT path of the soxr-HQ resampler (src-shared/dsp/resample.ts, FftPlan) in WebAssembly
// SIMD: one real FFT of the zero-padded input, the fold with the filter response, one inverse
// real FFT at the output length.
//
// Precision: REAL_BITS 32 (f32x4, libsoxr's own precision for its HQ recipe) is what ships;
// REAL_BITS 64 (f64x2) computes the same in double, agreeing with the JavaScript path to
// rounding, at about 1.6 times the time. Input and output are float32 either way, and
// resample-kernel.ts asks resample_real_bytes() which precision its tables need.
//
// Everything that needs sin, cos or planning comes from JavaScript (resample-kernel.ts) as one
// "plan image": a header of int32 byte offsets, relative to the image's start, to the pass
// descriptors, twiddles, split twiddles and the response. The complex FFTs are Stockham autosort
// passes (decimation in frequency, as fft-mixed.ts) on split re/im arrays; JavaScript orders the
// radices so that the first is 4 and every later pass has a stride that is a multiple of 4:
//   - the first pass (stride 1) vectorizes over W (vector lanes) consecutive butterflies q and
//     transposes its outputs into place; its twiddles are laid out [k - 1][q] (all re, then im);
//   - the others vectorize over W consecutive r; their twiddles are [q][k - 1] (re, im) pairs.
// Sizes: both half lengths are multiples of 16, which resample.ts guarantees for this path.
//
// Sign convention (numpy.fft): X[k] = sum_n x[n] exp(-2 pi i k n / N).

#include <stdint.h>
#include <wasm_simd128.h>

#ifndef REAL_BITS
#define REAL_BITS 32
#endif

#if REAL_BITS == 32
typedef float real;
#define W 4
typedef float f4 __attribute__((vector_size(16)));
#define SPLAT(v) ((f4){v, v, v, v})
#else
typedef double real;
#define W 2
typedef double f4 __attribute__((vector_size(16)));
#define SPLAT(v) ((f4){v, v})
#endif

#define INLINE static inline __attribute__((always_inline))

INLINE f4 load4(const real *p) { return (f4)wasm_v128_load(p); }
INLINE void store4(real *p, f4 v) { wasm_v128_store(p, (v128_t)v); }
INLINE f4 splat(real v) { return SPLAT(v); }

// ---- p-point DFTs (no twiddles) on vectors: (ar, ai)[j] -> (br, bi)[k] ----

INLINE void dft2(const f4 *ar, const f4 *ai, f4 *br, f4 *bi) {
  br[0] = ar[0] + ar[1];
  bi[0] = ai[0] + ai[1];
  br[1] = ar[0] - ar[1];
  bi[1] = ai[0] - ai[1];
}

#define SIN_3 ((real)0.86602540378443864676)

INLINE void dft3(const f4 *ar, const f4 *ai, f4 *br, f4 *bi) {
  f4 sr = ar[1] + ar[2], si = ai[1] + ai[2];
  // B = sin(2 pi / 3) (a1 - a2); outputs 1 and 2 are A -/+ i B.
  f4 Br = SIN_3 * (ar[1] - ar[2]), Bi = SIN_3 * (ai[1] - ai[2]);
  f4 Ar = ar[0] - (real)0.5 * sr, Ai = ai[0] - (real)0.5 * si;
  br[0] = ar[0] + sr;
  bi[0] = ai[0] + si;
  br[1] = Ar + Bi;
  bi[1] = Ai - Br;
  br[2] = Ar - Bi;
  bi[2] = Ai + Br;
}

INLINE void dft4(const f4 *ar, const f4 *ai, f4 *br, f4 *bi) {
  f4 t0r = ar[0] + ar[2], t0i = ai[0] + ai[2];
  f4 t1r = ar[0] - ar[2], t1i = ai[0] - ai[2];
  f4 t2r = ar[1] + ar[3], t2i = ai[1] + ai[3];
  f4 t3r = ar[1] - ar[3], t3i = ai[1] - ai[3];
  br[0] = t0r + t2r;
  bi[0] = t0i + t2i;
  br[1] = t1r + t3i;
  bi[1] = t1i - t3r;
  br[2] = t0r - t2r;
  bi[2] = t0i - t2i;
  br[3] = t1r - t3i;
  bi[3] = t1i + t3r;
}

#define C1_5 ((real)0.30901699437494742410)
#define C2_5 ((real)-0.80901699437494742410)
#define S1_5 ((real)0.95105651629515357212)
#define S2_5 ((real)0.58778525229247312917)

INLINE void dft5(const f4 *ar, const f4 *ai, f4 *br, f4 *bi) {
  f4 b1r = ar[1] + ar[4], b1i = ai[1] + ai[4];
  f4 d1r = ar[1] - ar[4], d1i = ai[1] - ai[4];
  f4 b2r = ar[2] + ar[3], b2i = ai[2] + ai[3];
  f4 d2r = ar[2] - ar[3], d2i = ai[2] - ai[3];
  // Outputs k and 5 - k are A_k -/+ i B_k.
  f4 A1r = ar[0] + C1_5 * b1r + C2_5 * b2r, A1i = ai[0] + C1_5 * b1i + C2_5 * b2i;
  f4 B1r = S1_5 * d1r + S2_5 * d2r, B1i = S1_5 * d1i + S2_5 * d2i;
  f4 A2r = ar[0] + C2_5 * b1r + C1_5 * b2r, A2i = ai[0] + C2_5 * b1i + C1_5 * b2i;
  f4 B2r = S2_5 * d1r - S1_5 * d2r, B2i = S2_5 * d1i - S1_5 * d2i;
  br[0] = ar[0] + b1r + b2r;
  bi[0] = ai[0] + b1i + b2i;
  br[1] = A1r + B1i;
  bi[1] = A1i - B1r;
  br[4] = A1r - B1i;
  bi[4] = A1i + B1r;
  br[2] = A2r + B2i;
  bi[2] = A2i - B2r;
  br[3] = A2r - B2i;
  bi[3] = A2i + B2r;
}

#define C1_7 ((real)0.62348980185873353053)
#define C2_7 ((real)-0.22252093395631440429)
#define C3_7 ((real)-0.90096886790241912624)
#define S1_7 ((real)0.78183148246802980871)
#define S2_7 ((real)0.97492791218182360702)
#define S3_7 ((real)0.43388373911755812048)

INLINE void dft7(const f4 *ar, const f4 *ai, f4 *br, f4 *bi) {
  f4 b1r = ar[1] + ar[6], b1i = ai[1] + ai[6];
  f4 d1r = ar[1] - ar[6], d1i = ai[1] - ai[6];
  f4 b2r = ar[2] + ar[5], b2i = ai[2] + ai[5];
  f4 d2r = ar[2] - ar[5], d2i = ai[2] - ai[5];
  f4 b3r = ar[3] + ar[4], b3i = ai[3] + ai[4];
  f4 d3r = ar[3] - ar[4], d3i = ai[3] - ai[4];
  // Outputs k and 7 - k are A_k -/+ i B_k, cos/sin of 2 pi j k / 7 folded onto j k mod 7.
  f4 A1r = ar[0] + C1_7 * b1r + C2_7 * b2r + C3_7 * b3r, A1i = ai[0] + C1_7 * b1i + C2_7 * b2i + C3_7 * b3i;
  f4 B1r = S1_7 * d1r + S2_7 * d2r + S3_7 * d3r, B1i = S1_7 * d1i + S2_7 * d2i + S3_7 * d3i;
  f4 A2r = ar[0] + C2_7 * b1r + C3_7 * b2r + C1_7 * b3r, A2i = ai[0] + C2_7 * b1i + C3_7 * b2i + C1_7 * b3i;
  f4 B2r = S2_7 * d1r - S3_7 * d2r - S1_7 * d3r, B2i = S2_7 * d1i - S3_7 * d2i - S1_7 * d3i;
  f4 A3r = ar[0] + C3_7 * b1r + C1_7 * b2r + C2_7 * b3r, A3i = ai[0] + C3_7 * b1i + C1_7 * b2i + C2_7 * b3i;
  f4 B3r = S3_7 * d1r - S1_7 * d2r + S2_7 * d3r, B3i = S3_7 * d1i - S1_7 * d2i + S2_7 * d3i;
  br[0] = ar[0] + b1r + b2r + b3r;
  bi[0] = ai[0] + b1i + b2i + b3i;
  br[1] = A1r + B1i;
  bi[1] = A1i - B1r;
  br[6] = A1r - B1i;
  bi[6] = A1i + B1r;
  br[2] = A2r + B2i;
  bi[2] = A2i - B2r;
  br[5] = A2r - B2i;
  bi[5] = A2i + B2r;
  br[3] = A3r + B3i;
  bi[3] = A3i - B3r;
  br[4] = A3r - B3i;
  bi[4] = A3i + B3r;
}

// ---- Stockham passes ----
// Radix P on sub-transforms of length P * m with stride s: butterfly (q, r) reads
// x[r + s (q + m j)], j < P, takes their DFT, multiplies output k by exp(-2 pi i q k / (P m)) and
// writes it to y[r + s (P q + k)].

#define DEFINE_PASS(P)                                                                              \
  static void pass##P(int m, int s, const real *xr, const real *xi, real *yr, real *yi,        \
                      const real *tw) {                                                            \
    const int sm = s * m;                                                                           \
    for (int q = 0; q < m; q++) {                                                                   \
      f4 wr[P], wi[P];                                                                              \
      for (int k = 1; k < P; k++) {                                                                 \
        wr[k] = splat(tw[2 * (q * (P - 1) + k - 1)]);                                               \
        wi[k] = splat(tw[2 * (q * (P - 1) + k - 1) + 1]);                                           \
      }                                                                                             \
      const real *xr0 = xr + s * q, *xi0 = xi + s * q;                                             \
      real *yr0 = yr + P * s * q, *yi0 = yi + P * s * q;                                           \
      for (int r = 0; r < s; r += W) {                                                              \
        f4 ar[P], ai[P], br[P], bi[P];                                                              \
        for (int j = 0; j < P; j++) {                                                               \
          ar[j] = load4(xr0 + r + j * sm);                                                          \
          ai[j] = load4(xi0 + r + j * sm);                                                          \
        }                                                                                           \
        dft##P(ar, ai, br, bi);                                                                     \
        store4(yr0 + r, br[0]);                                                                     \
        store4(yi0 + r, bi[0]);                                                                     \
        for (int k = 1; k < P; k++) {                                                               \
          store4(yr0 + r + k * s, br[k] * wr[k] - bi[k] * wi[k]);                                   \
          store4(yi0 + r + k * s, br[k] * wi[k] + bi[k] * wr[k]);                                   \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
  }

DEFINE_PASS(2)
DEFINE_PASS(3)
DEFINE_PASS(4)
DEFINE_PASS(5)
DEFINE_PASS(7)

/**
 * (c0..c3)[lane] -> outputs 4 (q + lane) + k: for each lane the four values c0..c3[lane], as
 * 4 / W vectors, stored at y + 4 lane.
 */
INLINE void storeTransposed(f4 c0, f4 c1, f4 c2, f4 c3, real *y) {
#if W == 4
  v128_t t0 = wasm_i32x4_shuffle((v128_t)c0, (v128_t)c1, 0, 4, 1, 5);
  v128_t t1 = wasm_i32x4_shuffle((v128_t)c0, (v128_t)c1, 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle((v128_t)c2, (v128_t)c3, 0, 4, 1, 5);
  v128_t t3 = wasm_i32x4_shuffle((v128_t)c2, (v128_t)c3, 2, 6, 3, 7);
  wasm_v128_store(y, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
  wasm_v128_store(y + 4, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
  wasm_v128_store(y + 8, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
  wasm_v128_store(y + 12, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
#else
  wasm_v128_store(y, wasm_i64x2_shuffle((v128_t)c0, (v128_t)c1, 0, 2));
  wasm_v128_store(y + 2, wasm_i64x2_shuffle((v128_t)c2, (v128_t)c3, 0, 2));
  wasm_v128_store(y + 4, wasm_i64x2_shuffle((v128_t)c0, (v128_t)c1, 1, 3));
  wasm_v128_store(y + 6, wasm_i64x2_shuffle((v128_t)c2, (v128_t)c3, 1, 3));
#endif
}

/** The first pass (s = 1) in radix 4, W butterflies q at a time; tw is [3][m] re, then [3][m] im. */
static void pass4First(int m, const real *xr, const real *xi, real *yr, real *yi, const real *tw) {
  const real *twr = tw, *twi = tw + 3 * m;
  for (int q = 0; q < m; q += W) {
    f4 ar[4], ai[4], br[4], bi[4], cr[4], ci[4];
    for (int j = 0; j < 4; j++) {
      ar[j] = load4(xr + q + j * m);
      ai[j] = load4(xi + q + j * m);
    }
    dft4(ar, ai, br, bi);
    cr[0] = br[0];
    ci[0] = bi[0];
    for (int k = 1; k < 4; k++) {
      f4 wr = load4(twr + (k - 1) * m + q), wi = load4(twi + (k - 1) * m + q);
      cr[k] = br[k] * wr - bi[k] * wi;
      ci[k] = br[k] * wi + bi[k] * wr;
    }
    storeTransposed(cr[0], cr[1], cr[2], cr[3], yr + 4 * q);
    storeTransposed(ci[0], ci[1], ci[2], ci[3], yi + 4 * q);
  }
}

/**
 * Unscaled forward complex FFT from (aRe, aIm), with (bRe, bIm) as the other buffer of the
 * ping-pong. desc: [passes, then (radix, m, s, twiddle offset) per pass]. Returns 1 when the
 * result is in a, 0 when in b.
 */
static int fftRun(const char *base, const int32_t *desc, real *aRe, real *aIm, real *bRe, real *bIm) {
  real *xr = aRe, *xi = aIm, *yr = bRe, *yi = bIm;
  const int passes = desc[0];
  for (int p = 0; p < passes; p++) {
    const int32_t *d = desc + 1 + 4 * p;
    const int radix = d[0], m = d[1], s = d[2];
    const real *tw = (const real *)(base + d[3]);
    if (s == 1) {
      pass4First(m, xr, xi, yr, yi, tw);
    } else {
      switch (radix) {
        case 2: pass2(m, s, xr, xi, yr, yi, tw); break;
        case 3: pass3(m, s, xr, xi, yr, yi, tw); break;
        case 4: pass4(m, s, xr, xi, yr, yi, tw); break;
        case 5: pass5(m, s, xr, xi, yr, yi, tw); break;
        default: pass7(m, s, xr, xi, yr, yi, tw); break;
      }
    }
    real *t = xr; xr = yr; yr = t;
    t = xi; xi = yi; yi = t;
  }
  return xr == aRe;
}

// ---- the O(n) steps of the real FFTs (as fft-mixed.ts) ----

/** z[m] = x[2m] + i x[2m+1] for m < half; samples past `length` count as zeros. */
static void packReal(const float *x, int length, real *zr, real *zi, int half) {
  const int pairs = length >> 1;
  int m = 0;
#if W == 4
  for (; m + 4 <= pairs; m += 4) {
    v128_t lo = wasm_v128_load(x + 2 * m), hi = wasm_v128_load(x + 2 * m + 4);
    wasm_v128_store(zr + m, wasm_i32x4_shuffle(lo, hi, 0, 2, 4, 6));
    wasm_v128_store(zi + m, wasm_i32x4_shuffle(lo, hi, 1, 3, 5, 7));
  }
#else
  for (; m + 2 <= pairs; m += 2) {
    v128_t v = wasm_v128_load(x + 2 * m);
    wasm_v128_store(zr + m, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 0, 2, 0, 2)));
    wasm_v128_store(zi + m, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 1, 3, 1, 3)));
  }
#endif
  for (; m < pairs; m++) {
    zr[m] = x[2 * m];
    zi[m] = x[2 * m + 1];
  }
  for (int k = pairs; k < half; k++) {
    zr[k] = 0;
    zi[k] = 0;
  }
  if (length & 1) zr[pairs] = x[length - 1];
}

#if W == 4
INLINE f4 reverse4(f4 v) { return (f4)wasm_i32x4_shuffle((v128_t)v, (v128_t)v, 3, 2, 1, 0); }
#else
INLINE f4 reverse4(f4 v) { return (f4)wasm_i64x2_shuffle((v128_t)v, (v128_t)v, 1, 0); }
#endif

/**
 * Bins X[0..half] from Z, the half-length FFT of z: with E = (Z[k] + conj Z[j]) / 2,
 * O = -i (Z[k] - conj Z[j]) / 2 and P = W^k O (j = half - k), X[k] = E + P, X[j] = conj(E - P).
 */
static void splitForward(const real *Zr, const real *Zi, const real *wr, const real *wi, real *outRe, real *outIm, int half) {
  outRe[0] = Zr[0] + Zi[0];
  outIm[0] = 0;
  outRe[half] = Zr[0] - Zi[0];
  outIm[half] = 0;
  int k = 1;
  // W k (ascending) and their W j (descending) at a time, while the two blocks are apart.
  for (; k + W - 1 < half - k - (W - 1); k += W) {
    const int j = half - k - (W - 1);
    f4 ar = load4(Zr + k), ai = load4(Zi + k);
    f4 br = reverse4(load4(Zr + j)), bi = -reverse4(load4(Zi + j));
    f4 er = (real)0.5 * (ar + br), ei = (real)0.5 * (ai + bi);
    f4 or = (real)0.5 * (ai - bi), oi = -(real)0.5 * (ar - br);
    f4 c = load4(wr + k), s = load4(wi + k);
    f4 pr = or * c - oi * s, pi = or * s + oi * c;
    store4(outRe + k, er + pr);
    store4(outIm + k, ei + pi);
    store4(outRe + j, reverse4(er - pr));
    store4(outIm + j, reverse4(pi - ei));
  }
  for (int j = half - k; k <= j; k++, j--) {
    real ar = Zr[k], ai = Zi[k], br = Zr[j], bi = -Zi[j];
    real er = (real)0.5 * (ar + br), ei = (real)0.5 * (ai + bi);
    real or = (real)0.5 * (ai - bi), oi = -(real)0.5 * (ar - br);
    real c = wr[k], s = wi[k];
    real pr = or * c - oi * s, pi = or * s + oi * c;
    outRe[k] = er + pr;
    outIm[k] = ei + pi;
    outRe[j] = er - pr;
    outIm[j] = pi - ei;
  }
}

/**
 * Z[k] = E[k] + i O[k], k < half, from bins X[0..half] (imaginary parts of X[0], X[half]
 * ignored): E = X[k] + conj X[j], O = (X[k] - conj X[j]) conj(W^k). The scale (1/2, 1/half and
 * the resampling gain) is already in the response, so there is none here.
 */
static void splitInverse(const real *inRe, const real *inIm, const real *wr, const real *wi, real *zr, real *zi, int half) {
  zr[0] = inRe[0] + inRe[half];
  zi[0] = inRe[0] - inRe[half];
  int k = 1;
  for (; k + W - 1 < half - k - (W - 1); k += W) {
    const int j = half - k - (W - 1);
    f4 xr = load4(inRe + k), xi = load4(inIm + k);
    f4 cr = reverse4(load4(inRe + j)), ci = -reverse4(load4(inIm + j));
    f4 er = xr + cr, ei = xi + ci;
    f4 dr = xr - cr, di = xi - ci;
    f4 c = load4(wr + k), s = -load4(wi + k);
    f4 or = dr * c - di * s, oi = dr * s + di * c;
    store4(zr + k, er - oi);
    store4(zi + k, ei + or);
    store4(zr + j, reverse4(er + oi));
    store4(zi + j, reverse4(or - ei));
  }
  for (int j = half - k; k <= j; k++, j--) {
    real xr = inRe[k], xi = inIm[k], cr = inRe[j], ci = -inIm[j];
    real er = xr + cr, ei = xi + ci;
    real dr = xr - cr, di = xi - ci;
    real c = wr[k], s = -wi[k];
    real or = dr * c - di * s, oi = dr * s + di * c;
    zr[k] = er - oi;
    zi[k] = ei + or;
    zr[j] = er + oi;
    zi[j] = or - ei;
  }
}

/** out[i] = x[first + i] for i < count, where x[2m] = re[m] and x[2m+1] = im[m]. */
static void interleave(const real *re, const real *im, float *out, int first, int count) {
  if (count == 0) return;
  const int lead = first & 1;
  if (lead) out[0] = im[first >> 1];
  const int rest = count - lead;
  if (rest & 1) out[count - 1] = re[(first + count - 1) >> 1];
  const int pairs = rest >> 1;
  const real *r = re + ((first + lead) >> 1), *i = im + ((first + lead) >> 1);
  float *o = out + lead;
  int p = 0;
#if W == 4
  for (; p + 4 <= pairs; p += 4) {
    v128_t a = wasm_v128_load(r + p), b = wasm_v128_load(i + p);
    wasm_v128_store(o + 2 * p, wasm_i32x4_shuffle(a, b, 0, 4, 1, 5));
    wasm_v128_store(o + 2 * p + 4, wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
  }
#else
  for (; p + 2 <= pairs; p += 2) {
    v128_t a = wasm_f32x4_demote_f64x2_zero(wasm_v128_load(r + p)), b = wasm_f32x4_demote_f64x2_zero(wasm_v128_load(i + p));
    wasm_v128_store64_lane(o + 2 * p, wasm_i32x4_shuffle(a, b, 0, 4, 0, 4), 0);
    wasm_v128_store64_lane(o + 2 * p + 2, wasm_i32x4_shuffle(a, b, 1, 5, 1, 5), 0);
  }
#endif
  for (; p < pairs; p++) {
    o[2 * p] = r[p];
    o[2 * p + 1] = i[p];
  }
}

// ---- the spectrum product (as foldDown / repeatUp in resample.ts) ----

/**
 * Downsampling: Y[q] = sum over m = q (mod nOut) of X[m] H[m]. Bins below nOut/2 map to
 * themselves; others land on u = m mod nOut, or as a conjugate on nOut - u. u = 0 and u = nOut/2
 * take twice the real part; m = n/2 takes half its weight.
 */
static void foldDown(const real *xRe, const real *xIm, const real *h, real *yRe, real *yIm, int n, int nOut) {
  const int halfIn = n / 2, halfOut = nOut / 2;
  for (int q = 0; q < halfOut; q++) {
    yRe[q] = xRe[q] * h[q];
    yIm[q] = xIm[q] * h[q];
  }
  yRe[halfOut] = 0;
  yIm[halfOut] = 0;
  int m = halfOut;
  while (m <= halfIn) {
    const int u = m % nOut;
    if (u == 0 || u == halfOut || m == halfIn) {
      const real g = m == halfIn ? (real)0.5 * h[m] : h[m];
      const real vr = xRe[m] * g, vi = xIm[m] * g;
      if (u == 0 || u == halfOut) {
        yRe[u] += 2 * vr;
      } else if (u < halfOut) {
        yRe[u] += vr;
        yIm[u] += vi;
      } else {
        yRe[nOut - u] += vr;
        yIm[nOut - u] -= vi;
      }
      m++;
    } else if (u < halfOut) {
      int end = m + (halfOut - 1 - u);
      if (end > halfIn - 1) end = halfIn - 1;
      real *yr = yRe + u - m, *yi = yIm + u - m;
      for (int i = m; i <= end; i++) {
        yr[i] += xRe[i] * h[i];
        yi[i] += xIm[i] * h[i];
      }
      m = end + 1;
    } else {
      int end = m + (nOut - 1 - u);
      if (end > halfIn - 1) end = halfIn - 1;
      // Y[v - i] += conj(X[m + i]) H[m + i], v = nOut - u.
      real *yr = yRe + (nOut - u) + m, *yi = yIm + (nOut - u) + m;
      for (int i = m; i <= end; i++) {
        yr[-i] += xRe[i] * h[i];
        yi[-i] -= xIm[i] * h[i];
      }
      m = end + 1;
    }
  }
}

/** Upsampling: Y[q] = X[q mod n] H[q] (conjugated past n/2); Y[nOut/2] is real. */
static void repeatUp(const real *xRe, const real *xIm, const real *h, real *yRe, real *yIm, int n, int nOut) {
  const int halfIn = n / 2, halfOut = nOut / 2;
  int m = 0;
  for (int q = 0; q <= halfOut; q++) {
    const real re = m <= halfIn ? xRe[m] : xRe[n - m];
    const real im = m <= halfIn ? xIm[m] : -xIm[n - m];
    yRe[q] = re * h[q];
    yIm[q] = q == halfOut ? 0 : im * h[q];
    if (++m == n) m = 0;
  }
}

// ---- digital silence ----

/**
 * Zeros outputs o (of first..first+count-1) that the zero run [a, b) of the period silences: the
 * filter is zero at distances >= reach, so o is silent when its position o n / nOut lies in
 * [a - 1 + reach, b - reach], where the nearest samples that are not zero, a - 1 and b, are out of
 * reach. A millionth of a sample of margin leaves ties to the JavaScript-side rounding.
 */
static void zeroRun(double a, double b, int n, int nOut, double reach, float *out, int first, int count) {
  const double scale = (double)nOut / n;
  double from = __builtin_ceil((a - 1 + reach + 1e-6) * scale);
  double to = __builtin_floor((b - reach - 1e-6) * scale);  // inclusive
  if (from < first) from = first;
  if (to > first + count - 1) to = first + count - 1;
  for (int o = (int)from; o <= (int)to && from <= to; o++) out[o - first] = 0;
}

/**
 * The float32 transforms spread their rounding (about 1e-7 of the peak) over every output, where
 * the FIR sum and soxr leave digital silence exactly zero; features that count sign changes
 * (zero-crossing rate) see the difference. So outputs that only zeros are within reach of are set
 * to zero. The period is circular: zeros at its end (padding included) continue at its start.
 */
static void keepSilence(const float *x, int length, int n, int nOut, double reach, float *out, int first, int count) {
  int head = 0;
  while (head < length && x[head] == 0) head++;
  if (head == length) {
    for (int i = 0; i < count; i++) out[i] = 0;
    return;
  }
  int tail = length;
  while (x[tail - 1] == 0) tail--;
  // The run through the period's end and start, seen from both sides.
  zeroRun((double)tail - n, head, n, nOut, reach, out, first, count);
  zeroRun(tail, (double)head + n, n, nOut, reach, out, first, count);
  int j = head;
  while (j < tail) {
    // Skip samples that are not zero, four at a time where they all are not.
    while (j + 4 <= tail && !wasm_v128_any_true(wasm_f32x4_eq(wasm_v128_load(x + j), wasm_f32x4_splat(0)))) j += 4;
    while (j < tail && x[j] != 0) j++;
    int start = j;
    while (j < tail && x[j] == 0) j++;
    if (j - start + 1 >= 2 * reach) zeroRun(start, j, n, nOut, reach, out, first, count);
  }
}

// ---- entry point ----

/** Bytes per value of the tables and work buffers: 4 (float32) or 8 (float64). */
__attribute__((export_name("resample_real_bytes"))) int resample_real_bytes(void) { return (int)sizeof(real); }

/** Plan image header: int32 words, offsets in bytes from the image's start. */
enum {
  PLAN_N,          // padded input length n (real samples)
  PLAN_N_OUT,      // output length nOut
  PLAN_FWD_DESC,   // pass descriptor of the complex FFT of n/2 points
  PLAN_FWD_WR,     // split twiddles cos(2 pi k / n), k = 0..n/2
  PLAN_FWD_WI,     // -sin(2 pi k / n)
  PLAN_INV_DESC,   // pass descriptor of the complex FFT of nOut/2 points
  PLAN_INV_WR,     // cos(2 pi k / nOut), k = 0..nOut/2
  PLAN_INV_WI,     // -sin(2 pi k / nOut)
  PLAN_RESPONSE,   // H[m] / n for m = 0..max(n, nOut)/2
};

/** Scratch header: absolute byte offsets of the work buffers. */
enum { SCRATCH_A_RE, SCRATCH_A_IM, SCRATCH_B_RE, SCRATCH_B_IM, SCRATCH_X_RE, SCRATCH_X_IM, SCRATCH_Y_RE, SCRATCH_Y_IM };

/**
 * Resamples one period: reads `length` <= n samples at `input` (the rest of the n count as
 * zeros) and writes outputs first..first+count-1 of the nOut to `out`. `reach`: the filter's
 * half-width in input samples (zero at and beyond it).
 */
#define AT(offset) ((real *)(uintptr_t)(offset))

__attribute__((export_name("resample_run"))) void resample_run(const int32_t *plan, const int32_t *scratch, const float *input, int length, float *out, int first, int count, double reach) {
  const char *base = (const char *)plan;
  const int n = plan[PLAN_N], nOut = plan[PLAN_N_OUT];
  const int halfIn = n / 2, halfOut = nOut / 2;
  real *aRe = AT(scratch[SCRATCH_A_RE]), *aIm = AT(scratch[SCRATCH_A_IM]);
  real *bRe = AT(scratch[SCRATCH_B_RE]), *bIm = AT(scratch[SCRATCH_B_IM]);
  real *xRe = AT(scratch[SCRATCH_X_RE]), *xIm = AT(scratch[SCRATCH_X_IM]);
  real *yRe = AT(scratch[SCRATCH_Y_RE]), *yIm = AT(scratch[SCRATCH_Y_IM]);
  const real *h = (const real *)(base + plan[PLAN_RESPONSE]);

  packReal(input, length, aRe, aIm, halfIn);
  int inA = fftRun(base, (const int32_t *)(base + plan[PLAN_FWD_DESC]), aRe, aIm, bRe, bIm);
  splitForward(inA ? aRe : bRe, inA ? aIm : bIm, (const real *)(base + plan[PLAN_FWD_WR]), (const real *)(base + plan[PLAN_FWD_WI]), xRe, xIm, halfIn);

  if (nOut < n) foldDown(xRe, xIm, h, yRe, yIm, n, nOut);
  else repeatUp(xRe, xIm, h, yRe, yIm, n, nOut);

  // Z is stored swapped (re <-> im) so that the forward FFT computes the inverse.
  splitInverse(yRe, yIm, (const real *)(base + plan[PLAN_INV_WR]), (const real *)(base + plan[PLAN_INV_WI]), aIm, aRe, halfOut);
  inA = fftRun(base, (const int32_t *)(base + plan[PLAN_INV_DESC]), aRe, aIm, bRe, bIm);
  // Swapped back: the real part of z is in the "im" buffer.
  interleave(inA ? aIm : bIm, inA ? aRe : bRe, out, first, count);
  keepSilence(input, length, n, nOut, reach, out, first, count);
}
