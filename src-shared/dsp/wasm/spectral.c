/*
 * Power spectra of a centered, windowed STFT (librosa.stft, pad_mode='constant') and their mel
 * projection, four frames at a time: every SIMD lane holds a different frame, so the FFT below
 * is plain scalar code written on f32x4 vectors. Single precision, as librosa's own STFT of
 * float32 audio (complex64).
 *
 * The real FFT of nfft points is one complex FFT of N = nfft/2 points (even samples as real
 * parts, odd as imaginary) followed by the split step. The complex FFT runs in place on one
 * buffer (32 KB for nfft 2048, about the size of a first-level cache): the frames are loaded in
 * bit-reversed order, then radix-4 decimation-in-time passes follow one radix-2 pass when log2(N)
 * is odd.
 *
 * Every table comes from the caller (no libm here): `twiddle` holds W_N^k = (cos, -sin)(2 pi k/N)
 * for k < N interleaved, `split` holds (cos, -sin)(2 pi k/nfft) for k <= N interleaved.
 */
#include <wasm_simd128.h>

typedef v128_t vf;

#define EXPORT(name) __attribute__((export_name(#name)))

static inline vf splat(float x) { return wasm_f32x4_splat(x); }
static inline vf add(vf a, vf b) { return wasm_f32x4_add(a, b); }
static inline vf sub(vf a, vf b) { return wasm_f32x4_sub(a, b); }
static inline vf mul(vf a, vf b) { return wasm_f32x4_mul(a, b); }

/*
 * In-place radix-4 decimation-in-time pass of span L = 4q on data in bit-reversed order: the four
 * sub-transforms of length q at i0, i1, i2, i3 combine as X[k] = a + W^2k b + W^k c + W^3k d
 * (bit-reversed order puts the one needing W^2k second). `twiddle` is the table of the full size
 * N, so W_L^k = W_N^(k N/L).
 */
/*
 * The radix-4 combination of a, b, c, d (twiddles already applied) into i0..i3:
 * X0 = a + b + c + d, X1 = a - b - j (c - d), X2 = a + b - (c + d), X3 = a - b + j (c - d).
 */
static inline void butterfly4(vf *re, vf *im, int i0, int q, vf ar, vf ai, vf br, vf bi, vf cr, vf ci, vf dr, vf di) {
  const int i1 = i0 + q, i2 = i1 + q, i3 = i2 + q;
  const vf apbr = add(ar, br), apbi = add(ai, bi), ambr = sub(ar, br), ambi = sub(ai, bi);
  const vf cpdr = add(cr, dr), cpdi = add(ci, di), cmdr = sub(cr, dr), cmdi = sub(ci, di);
  re[i0] = add(apbr, cpdr);
  im[i0] = add(apbi, cpdi);
  re[i2] = sub(apbr, cpdr);
  im[i2] = sub(apbi, cpdi);
  /* -j (c - d) = (cmdi, -cmdr) */
  re[i1] = add(ambr, cmdi);
  im[i1] = sub(ambi, cmdr);
  re[i3] = sub(ambr, cmdi);
  im[i3] = add(ambi, cmdr);
}

static void pass4(int N, int q, vf *re, vf *im, const float *twiddle) {
  const int L = 4 * q, step = N / L;
  /* k = 0: unit twiddles (the whole of the first pass) */
  for (int i0 = 0; i0 < N; i0 += L) {
    const int i1 = i0 + q, i2 = i1 + q, i3 = i2 + q;
    butterfly4(re, im, i0, q, re[i0], im[i0], re[i1], im[i1], re[i2], im[i2], re[i3], im[i3]);
  }
  for (int k = 1; k < q; k++) {
    const int t1 = 2 * k * step, t2 = 4 * k * step, t3 = 6 * k * step;
    const vf w1r = splat(twiddle[t1]), w1i = splat(twiddle[t1 + 1]);
    const vf w2r = splat(twiddle[t2]), w2i = splat(twiddle[t2 + 1]);
    const vf w3r = splat(twiddle[t3]), w3i = splat(twiddle[t3 + 1]);
    for (int i0 = k; i0 < N; i0 += L) {
      const int i1 = i0 + q, i2 = i1 + q, i3 = i2 + q;
      butterfly4(re, im, i0, q, re[i0], im[i0],
                 sub(mul(re[i1], w2r), mul(im[i1], w2i)), add(mul(re[i1], w2i), mul(im[i1], w2r)),
                 sub(mul(re[i2], w1r), mul(im[i2], w1i)), add(mul(re[i2], w1i), mul(im[i2], w1r)),
                 sub(mul(re[i3], w3r), mul(im[i3], w3i)), add(mul(re[i3], w3i), mul(im[i3], w3r)));
    }
  }
}

/* The first pass when log2(N) is odd: radix 2 of span 2 (twiddles 1). */
static void pass2(int N, vf *re, vf *im) {
  for (int i = 0; i < N; i += 2) {
    const vf ar = re[i], ai = im[i], br = re[i + 1], bi = im[i + 1];
    re[i] = add(ar, br);
    im[i] = add(ai, bi);
    re[i + 1] = sub(ar, br);
    im[i + 1] = sub(ai, bi);
  }
}

/* In-place complex FFT of N points, four lanes, input in bit-reversed order, output natural. */
static void complex_fft(int N, vf *re, vf *im, const float *twiddle) {
  int q = 1;
  if (__builtin_ctz(N) % 2 == 1) {
    pass2(N, re, im);
    q = 2;
  }
  for (; 4 * q <= N; q *= 4) pass4(N, q, re, im, twiddle);
}

/* rev[k] = k with its log2(N) bits reversed. */
static void bit_reversal(int N, int *rev) {
  const int bits = __builtin_ctz(N);
  for (int k = 0; k < N; k++) {
    int r = 0;
    for (int b = 0, v = k; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    rev[k] = r;
  }
}

/*
 * Loads frames t0..t0+3 (frame t starts at sample t * hop - pad; samples outside [0, len) are
 * zero; lanes past the last frame read as frame nframes - 1) windowed, packed as complex pairs
 * (even samples real, odd imaginary), stored in bit-reversed order for the FFT.
 */
static void load_frames(const float *y, int len, int nfft, int hop, int pad, int t0, int nframes,
                        const float *window, const int *rev, vf *zr, vf *zi) {
  int start[4];
  int inside = 1;
  for (int l = 0; l < 4; l++) {
    const int t = t0 + l < nframes ? t0 + l : nframes - 1;
    start[l] = t * hop - pad;
    if (start[l] < 0 || start[l] + nfft > len) inside = 0;
  }
  const int N = nfft / 2;
  if (inside) {
    const float *y0 = y + start[0], *y1 = y + start[1], *y2 = y + start[2], *y3 = y + start[3];
    /* Four samples of each frame per step, transposed so each vector holds one sample of all four. */
    for (int i = 0; i < nfft; i += 4) {
      const vf a = wasm_v128_load(y0 + i), b = wasm_v128_load(y1 + i), c = wasm_v128_load(y2 + i), d = wasm_v128_load(y3 + i);
      const vf ab_lo = wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), ab_hi = wasm_i32x4_shuffle(a, b, 2, 6, 3, 7);
      const vf cd_lo = wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), cd_hi = wasm_i32x4_shuffle(c, d, 2, 6, 3, 7);
      const vf w = wasm_v128_load(window + i);
      const int k = i / 2, r0 = rev[k], r1 = rev[k + 1];
      zr[r0] = mul(wasm_i32x4_shuffle(ab_lo, cd_lo, 0, 1, 4, 5), wasm_i32x4_shuffle(w, w, 0, 0, 0, 0));
      zi[r0] = mul(wasm_i32x4_shuffle(ab_lo, cd_lo, 2, 3, 6, 7), wasm_i32x4_shuffle(w, w, 1, 1, 1, 1));
      zr[r1] = mul(wasm_i32x4_shuffle(ab_hi, cd_hi, 0, 1, 4, 5), wasm_i32x4_shuffle(w, w, 2, 2, 2, 2));
      zi[r1] = mul(wasm_i32x4_shuffle(ab_hi, cd_hi, 2, 3, 6, 7), wasm_i32x4_shuffle(w, w, 3, 3, 3, 3));
    }
    return;
  }
  for (int k = 0; k < N; k++) {
    float re[4], im[4];
    for (int l = 0; l < 4; l++) {
      const int j = start[l] + 2 * k;
      re[l] = j >= 0 && j < len ? y[j] * window[2 * k] : 0.0f;
      im[l] = j + 1 >= 0 && j + 1 < len ? y[j + 1] * window[2 * k + 1] : 0.0f;
    }
    zr[rev[k]] = wasm_v128_load(re);
    zi[rev[k]] = wasm_v128_load(im);
  }
}

/* |X[k]|^2 for k = 0..N from the complex FFT Z of the packed frame (the real-FFT split step). */
static void split_power(int N, const vf *zr, const vf *zi, const float *split, vf *power) {
  const vf half = splat(0.5f);
  power[0] = mul(add(zr[0], zi[0]), add(zr[0], zi[0]));
  power[N] = mul(sub(zr[0], zi[0]), sub(zr[0], zi[0]));
  for (int k = 1; k < N; k++) {
    const vf ar = zr[k], ai = zi[k], br = zr[N - k], bi = zi[N - k];
    const vf er = mul(add(ar, br), half), ei = mul(sub(ai, bi), half);
    const vf or_ = mul(add(ai, bi), half), oi = mul(sub(br, ar), half);
    const vf wr = splat(split[2 * k]), wi = splat(split[2 * k + 1]);
    const vf xr = add(er, sub(mul(wr, or_), mul(wi, oi)));
    const vf xi = add(ei, add(mul(wr, oi), mul(wi, or_)));
    power[k] = add(mul(xr, xr), mul(xi, xi));
  }
}

/* Stores the first `count` (<= 4) lanes of v to out[0..count-1]. */
static inline void store_lanes(float *out, vf v, int count) {
  if (count == 4) {
    wasm_v128_store(out, v);
    return;
  }
  float lanes[4];
  wasm_v128_store(lanes, v);
  for (int l = 0; l < count; l++) out[l] = lanes[l];
}

/* Scratch floats `stft_power` and `stft_mel` need for an nfft-point transform. */
EXPORT(stft_scratch_floats) int stft_scratch_floats(int nfft) {
  const int N = nfft / 2;
  return 4 * (2 * N + N + 1) + N;
}

/* The buffers of one STFT call, carved from the caller's scratch. */
typedef struct {
  int N;
  vf *zr, *zi, *power;
  int *rev;
} Frames;

static Frames frames_in(int nfft, float *scratch) {
  Frames f;
  f.N = nfft / 2;
  f.zr = (vf *)scratch;
  f.zi = f.zr + f.N;
  f.power = f.zi + f.N;
  f.rev = (int *)(f.power + f.N + 1);
  bit_reversal(f.N, f.rev);
  return f;
}

/* |X[k]|^2, k = 0..N, of frames t0..t0+3 into f->power. */
static void group_power(const Frames *f, const float *y, int len, int nfft, int hop, int pad, int t0, int nframes,
                        const float *window, const float *twiddle, const float *split) {
  load_frames(y, len, nfft, hop, pad, t0, nframes, window, f->rev, f->zr, f->zi);
  complex_fft(f->N, f->zr, f->zi, twiddle);
  split_power(f->N, f->zr, f->zi, split, f->power);
}

/*
 * Power spectrogram, layout [nfft/2 + 1][nframes] (out[k * nframes + t]).
 * scratch: stft_scratch_floats(nfft) floats, 16-byte aligned. nfft: a power of two >= 8.
 */
EXPORT(stft_power) void stft_power(const float *y, int len, int nfft, int hop, int pad, int nframes,
                                   const float *window, const float *twiddle, const float *split,
                                   float *scratch, float *out) {
  const Frames f = frames_in(nfft, scratch);
  for (int t0 = 0; t0 < nframes; t0 += 4) {
    const int count = nframes - t0 < 4 ? nframes - t0 : 4;
    group_power(&f, y, len, nfft, hop, pad, t0, nframes, window, twiddle, split);
    for (int k = 0; k <= f.N; k++) store_lanes(out + k * nframes + t0, f.power[k], count);
  }
}

/*
 * Mel power spectrogram, layout [nmels][nframes]: band m sums weights[offset[m] + k - start[m]]
 * * |X[k]|^2 over start[m] <= k < end[m] (librosa.feature.melspectrogram, power 2).
 */
EXPORT(stft_mel) void stft_mel(const float *y, int len, int nfft, int hop, int pad, int nframes,
                               const float *window, const float *twiddle, const float *split,
                               int nmels, const int *start, const int *end, const int *offset,
                               const float *weights, float *scratch, float *out) {
  const Frames f = frames_in(nfft, scratch);
  for (int t0 = 0; t0 < nframes; t0 += 4) {
    const int count = nframes - t0 < 4 ? nframes - t0 : 4;
    group_power(&f, y, len, nfft, hop, pad, t0, nframes, window, twiddle, split);
    for (int m = 0; m < nmels; m++) {
      vf acc = splat(0.0f);
      const float *w = weights + offset[m] - start[m];
      for (int k = start[m]; k < end[m]; k++) acc = add(acc, mul(splat(w[k]), f.power[k]));
      store_lanes(out + m * nframes + t0, acc, count);
    }
  }
}

/*
 * log10 of x > 0 in double precision, two lanes: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
 * ln m = 2 atanh(s) = 2 (s + s^3/3 + ... + s^15/15) with s = (m - 1)/(m + 1), |s| <= 0.1716, so
 * the first omitted term is below 4e-14 of the sum. NaN stays NaN and +inf stays +inf.
 */
static inline v128_t log10_f64x2(v128_t x) {
  const v128_t bits = x;
  const v128_t exponent_bits = wasm_u64x2_shr(bits, 52);
  v128_t e = wasm_f64x2_convert_low_i32x4(wasm_i32x4_shuffle(exponent_bits, exponent_bits, 0, 2, 0, 2));
  e = wasm_f64x2_sub(e, wasm_f64x2_splat(1023.0));
  v128_t m = wasm_v128_or(wasm_v128_and(bits, wasm_i64x2_splat(0x000fffffffffffffLL)), wasm_i64x2_splat(0x3ff0000000000000LL));
  const v128_t big = wasm_f64x2_gt(m, wasm_f64x2_splat(1.4142135623730951));
  m = wasm_v128_bitselect(wasm_f64x2_mul(m, wasm_f64x2_splat(0.5)), m, big);
  e = wasm_v128_bitselect(wasm_f64x2_add(e, wasm_f64x2_splat(1.0)), e, big);
  const v128_t one = wasm_f64x2_splat(1.0);
  const v128_t s = wasm_f64x2_div(wasm_f64x2_sub(m, one), wasm_f64x2_add(m, one));
  const v128_t s2 = wasm_f64x2_mul(s, s);
  v128_t poly = wasm_f64x2_splat(1.0 / 15.0);
  poly = wasm_f64x2_add(wasm_f64x2_mul(poly, s2), wasm_f64x2_splat(1.0 / 13.0));
  poly = wasm_f64x2_add(wasm_f64x2_mul(poly, s2), wasm_f64x2_splat(1.0 / 11.0));
  poly = wasm_f64x2_add(wasm_f64x2_mul(poly, s2), wasm_f64x2_splat(1.0 / 9.0));
  poly = wasm_f64x2_add(wasm_f64x2_mul(poly, s2), wasm_f64x2_splat(1.0 / 7.0));
  poly = wasm_f64x2_add(wasm_f64x2_mul(poly, s2), wasm_f64x2_splat(1.0 / 5.0));
  poly = wasm_f64x2_add(wasm_f64x2_mul(poly, s2), wasm_f64x2_splat(1.0 / 3.0));
  poly = wasm_f64x2_add(wasm_f64x2_mul(poly, s2), one);
  const v128_t ln_m = wasm_f64x2_mul(wasm_f64x2_mul(wasm_f64x2_splat(2.0), s), poly);
  const v128_t ln_x = wasm_f64x2_add(wasm_f64x2_mul(e, wasm_f64x2_splat(0.6931471805599453)), ln_m);
  v128_t out = wasm_f64x2_mul(ln_x, wasm_f64x2_splat(0.4342944819032518));
  const v128_t special = wasm_v128_or(wasm_f64x2_ne(x, x), wasm_f64x2_eq(x, wasm_f64x2_splat(__builtin_inf())));
  return wasm_v128_bitselect(x, out, special);
}

/*
 * power_to_db then the orthonormal DCT-II along the mel axis (librosa.feature.mfcc's tail):
 * db = 10 log10(max(amin, mel)) - ref_db, raised to max(db) - top_db when top_db >= 0, then
 * out[k][t] = sum_n dct[k][n] db[n][t]. ref_is_max: ref_db is 10 log10(max(amin, max(mel))).
 * mel: [nmels][nframes] float32; dct: [nmfcc][nmels]; db: [nmels][nframes] scratch (nframes
 * rounded up to even); out: [nmfcc][nframes]. Doubles throughout, 16-byte aligned buffers.
 */
EXPORT(mel_to_mfcc) void mel_to_mfcc(const float *mel, int nmels, int nframes, double amin, int ref_is_max,
                                     double ref_db, double top_db, const double *dct, int nmfcc,
                                     double *db, double *out) {
  const int stride = (nframes + 1) & ~1;
  const int total = nmels * nframes;
  if (ref_is_max) {
    float peak = -__builtin_inff();
    for (int i = 0; i < total; i++) peak = mel[i] > peak ? mel[i] : peak;
    const v128_t r = log10_f64x2(wasm_f64x2_max(wasm_f64x2_splat(amin), wasm_f64x2_splat((double)peak)));
    ref_db = 10.0 * wasm_f64x2_extract_lane(r, 0);
  }
  const v128_t vamin = wasm_f64x2_splat(amin), ten = wasm_f64x2_splat(10.0), vref = wasm_f64x2_splat(ref_db);
  v128_t vmax = wasm_f64x2_splat(-__builtin_inf());
  for (int n = 0; n < nmels; n++) {
    const float *row = mel + n * nframes;
    double *dst = db + n * stride;
    for (int t = 0; t < stride; t += 2) {
      const float a = row[t], b = t + 1 < nframes ? row[t + 1] : row[t];
      const v128_t x = wasm_f64x2_max(vamin, wasm_f64x2_make(a, b));
      const v128_t v = wasm_f64x2_sub(wasm_f64x2_mul(ten, log10_f64x2(x)), vref);
      wasm_v128_store(dst + t, v);
      /* comparison-based max: a NaN never wins, as in `db > maxDb` */
      vmax = wasm_v128_bitselect(v, vmax, wasm_f64x2_gt(v, vmax));
    }
  }
  if (top_db >= 0) {
    const double m0 = wasm_f64x2_extract_lane(vmax, 0), m1 = wasm_f64x2_extract_lane(vmax, 1);
    const v128_t floor = wasm_f64x2_splat((m0 > m1 ? m0 : m1) - top_db);
    for (int i = 0; i < nmels * stride; i += 2) {
      const v128_t v = wasm_v128_load(db + i);
      wasm_v128_store(db + i, wasm_v128_bitselect(floor, v, wasm_f64x2_lt(v, floor)));
    }
  }
  for (int k = 0; k < nmfcc; k++) {
    double *dst = out + k * stride;
    for (int t = 0; t < stride; t += 2) wasm_v128_store(dst + t, wasm_f64x2_splat(0.0));
    for (int n = 0; n < nmels; n++) {
      const v128_t w = wasm_f64x2_splat(dct[k * nmels + n]);
      const double *src = db + n * stride;
      for (int t = 0; t < stride; t += 2) {
        wasm_v128_store(dst + t, wasm_f64x2_add(wasm_v128_load(dst + t), wasm_f64x2_mul(w, wasm_v128_load(src + t))));
      }
    }
  }
}

static int gcd(int a, int b) {
  while (b != 0) {
    const int r = a % b;
    a = b;
    b = r;
  }
  return a;
}

/* numpy.signbit after zeroing |x| <= threshold; NaN counts as positive, as `x < 0` says. */
static inline int is_negative(float x, float threshold) {
  if (threshold > 0) return x < -threshold;
  return x < 0 || (x == 0 && __builtin_signbit(x));
}

/*
 * librosa.feature.zero_crossing_rate: frame t covers samples t * hop - pad .. + frame - 1 of
 * the signal padded with edge copies (which cannot cross), and counts sign changes between
 * consecutive samples inside the frame, divided by frame. Counted once per sample through a
 * prefix sum: prefix[i] = crossings between samples 0..i. prefix: n ints. out: nframes doubles.
 */
EXPORT(zero_crossing_rate) void zero_crossing_rate(const float *y, int n, int frame, int hop, int pad, int nframes,
                                                   float threshold, int *prefix, double *out) {
  if (n < 2) {
    for (int t = 0; t < nframes; t++) out[t] = 0;
    return;
  }
  int previous = is_negative(y[0], threshold), total = 0;
  prefix[0] = 0;
  for (int i = 1; i < n; i++) {
    const int current = is_negative(y[i], threshold);
    total += current ^ previous;
    prefix[i] = total;
    previous = current;
  }
  for (int t = 0; t < nframes; t++) {
    const int s = t * hop - pad;
    const int lo = s + 1 > 1 ? s + 1 : 1;
    const int hi = s + frame - 1 < n - 1 ? s + frame - 1 : n - 1;
    out[t] = hi >= lo ? (double)(prefix[hi] - prefix[lo - 1]) / frame : 0.0;
  }
}

/*
 * librosa.feature.rms: sqrt(mean(x^2)) over frames of the zero-padded signal. Frames span whole
 * blocks of gcd(frame, hop) samples, so each sample is squared once; sums in double, in sample
 * order, as the JavaScript implementation adds them. block_sums: enough doubles for every block.
 */
EXPORT(rms_frames) void rms_frames(const float *y, int n, int frame, int hop, int pad, int nframes,
                                   double *block_sums, double *out) {
  const int block = gcd(frame, hop);
  const int per_frame = frame / block, per_hop = hop / block;
  const int nblocks = (nframes - 1) * per_hop + per_frame;
  for (int b = 0; b < nblocks; b++) {
    const int lo = b * block - pad > 0 ? b * block - pad : 0;
    const int hi = (b + 1) * block - pad < n ? (b + 1) * block - pad : n;
    double acc = 0;
    for (int i = lo; i < hi; i++) acc += (double)y[i] * (double)y[i];
    block_sums[b] = acc;
  }
  for (int t = 0; t < nframes; t++) {
    double acc = 0;
    for (int b = t * per_hop; b < t * per_hop + per_frame; b++) acc += block_sums[b];
    out[t] = __builtin_sqrt(acc / frame);
  }
}
