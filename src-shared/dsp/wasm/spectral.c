/*
 * Power spectra of a centered, windowed STFT (librosa.stft, pad_mode='constant') and their mel
 * projection, four frames at a time: every SIMD lane holds a different frame, so the FFT below
 * is plain scalar code written on f32x4 vectors and needs no shuffles. Single precision, as
 * librosa's own STFT of float32 audio (complex64).
 *
 * The real FFT of nfft points is one complex FFT of N = nfft/2 points (even samples as real
 * parts, odd as imaginary) followed by the split step. The complex FFT is a Stockham autosort
 * FFT (decimation in frequency, natural-order output, ping-pong between two buffers) of radix-4
 * passes and one radix-2 pass when log2(N) is odd.
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
 * One Stockham pass of radix 4 over sub-transforms of length n with stride s (n * s = N):
 * x -> y. `twiddle` is the table of the full size N, so W_n^p = W_N^(p s).
 */
static void pass4(int n, int s, const vf *xr, const vf *xi, vf *yr, vf *yi, const float *twiddle) {
  const int n1 = n / 4;
  for (int p = 0; p < n1; p++) {
    const int t1 = 2 * p * s, t2 = 4 * p * s, t3 = 6 * p * s;
    const vf w1r = splat(twiddle[t1]), w1i = splat(twiddle[t1 + 1]);
    const vf w2r = splat(twiddle[t2]), w2i = splat(twiddle[t2 + 1]);
    const vf w3r = splat(twiddle[t3]), w3i = splat(twiddle[t3 + 1]);
    for (int q = 0; q < s; q++) {
      const int ia = q + s * p, ib = ia + s * n1, ic = ib + s * n1, id = ic + s * n1;
      const vf apcr = add(xr[ia], xr[ic]), apci = add(xi[ia], xi[ic]);
      const vf amcr = sub(xr[ia], xr[ic]), amci = sub(xi[ia], xi[ic]);
      const vf bpdr = add(xr[ib], xr[id]), bpdi = add(xi[ib], xi[id]);
      /* j (b - d) */
      const vf jbmdr = sub(xi[id], xi[ib]), jbmdi = sub(xr[ib], xr[id]);
      const int o = q + s * 4 * p;
      yr[o] = add(apcr, bpdr);
      yi[o] = add(apci, bpdi);
      const vf u1r = sub(amcr, jbmdr), u1i = sub(amci, jbmdi);
      yr[o + s] = sub(mul(w1r, u1r), mul(w1i, u1i));
      yi[o + s] = add(mul(w1r, u1i), mul(w1i, u1r));
      const vf u2r = sub(apcr, bpdr), u2i = sub(apci, bpdi);
      yr[o + 2 * s] = sub(mul(w2r, u2r), mul(w2i, u2i));
      yi[o + 2 * s] = add(mul(w2r, u2i), mul(w2i, u2r));
      const vf u3r = add(amcr, jbmdr), u3i = add(amci, jbmdi);
      yr[o + 3 * s] = sub(mul(w3r, u3r), mul(w3i, u3i));
      yi[o + 3 * s] = add(mul(w3r, u3i), mul(w3i, u3r));
    }
  }
}

/* The last pass when log2(N) is odd: radix 2 over sub-transforms of length 2 (twiddles 1). */
static void pass2(int s, const vf *xr, const vf *xi, vf *yr, vf *yi) {
  for (int q = 0; q < s; q++) {
    const vf ar = xr[q], ai = xi[q], br = xr[q + s], bi = xi[q + s];
    yr[q] = add(ar, br);
    yi[q] = add(ai, bi);
    yr[q + s] = sub(ar, br);
    yi[q + s] = sub(ai, bi);
  }
}

/*
 * Complex FFT of N points of four lanes in (ar, ai); the result ends in (ar, ai) or (br, bi):
 * returns 0 for a, 1 for b.
 */
static int complex_fft(int N, vf *ar, vf *ai, vf *br, vf *bi, const float *twiddle) {
  int in_a = 1;
  int n = N, s = 1;
  while (n >= 4) {
    if (in_a) pass4(n, s, ar, ai, br, bi, twiddle);
    else pass4(n, s, br, bi, ar, ai, twiddle);
    in_a = !in_a;
    n /= 4;
    s *= 4;
  }
  if (n == 2) {
    if (in_a) pass2(s, ar, ai, br, bi);
    else pass2(s, br, bi, ar, ai);
    in_a = !in_a;
  }
  return in_a ? 0 : 1;
}

/*
 * Loads frames t0..t0+3 (frame t starts at sample t * hop - pad; samples outside [0, len) are
 * zero; lanes past the last frame read as frame nframes - 1) windowed, packed as complex pairs.
 */
static void load_frames(const float *y, int len, int nfft, int hop, int pad, int t0, int nframes,
                        const float *window, vf *zr, vf *zi) {
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
    for (int k = 0; k < N; k++) {
      const int i = 2 * k;
      const vf w0 = splat(window[i]), w1 = splat(window[i + 1]);
      zr[k] = mul(wasm_f32x4_make(y0[i], y1[i], y2[i], y3[i]), w0);
      zi[k] = mul(wasm_f32x4_make(y0[i + 1], y1[i + 1], y2[i + 1], y3[i + 1]), w1);
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
    zr[k] = wasm_v128_load(re);
    zi[k] = wasm_v128_load(im);
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
  return 4 * (4 * N + N + 1);
}

/*
 * Power spectrogram, layout [nfft/2 + 1][nframes] (out[k * nframes + t]).
 * scratch: stft_scratch_floats(nfft) floats, 16-byte aligned. nfft: a power of two >= 8.
 */
EXPORT(stft_power) void stft_power(const float *y, int len, int nfft, int hop, int pad, int nframes,
                                   const float *window, const float *twiddle, const float *split,
                                   float *scratch, float *out) {
  const int N = nfft / 2;
  vf *ar = (vf *)scratch, *ai = ar + N, *br = ai + N, *bi = br + N, *power = bi + N;
  for (int t0 = 0; t0 < nframes; t0 += 4) {
    const int count = nframes - t0 < 4 ? nframes - t0 : 4;
    load_frames(y, len, nfft, hop, pad, t0, nframes, window, ar, ai);
    const int in_b = complex_fft(N, ar, ai, br, bi, twiddle);
    split_power(N, in_b ? br : ar, in_b ? bi : ai, split, power);
    for (int k = 0; k <= N; k++) store_lanes(out + k * nframes + t0, power[k], count);
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
  const int N = nfft / 2;
  vf *ar = (vf *)scratch, *ai = ar + N, *br = ai + N, *bi = br + N, *power = bi + N;
  for (int t0 = 0; t0 < nframes; t0 += 4) {
    const int count = nframes - t0 < 4 ? nframes - t0 : 4;
    load_frames(y, len, nfft, hop, pad, t0, nframes, window, ar, ai);
    const int in_b = complex_fft(N, ar, ai, br, bi, twiddle);
    split_power(N, in_b ? br : ar, in_b ? bi : ai, split, power);
    for (int m = 0; m < nmels; m++) {
      vf acc = splat(0.0f);
      const float *w = weights + offset[m] - start[m];
      for (int k = start[m]; k < end[m]; k++) acc = add(acc, mul(splat(w[k]), power[k]));
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
