/*
 * The resampler's polyphase FIR path (resample.ts, `Resampler.processFir`): output o is the dot
 * product of one row of the tap table with the zero-padded input around its position, in
 * double precision as the JavaScript computes it, two lanes at a time. The rows, the positions
 * and the interpolation between rows follow the JavaScript exactly; only the order in which each
 * dot product adds its terms differs (rounding at 1e-16 of the result).
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

/* sum_k taps[k] x[k], k < n (n even), in two two-lane accumulators. */
static inline double dot(const double *taps, const double *x, int n) {
  v128_t s0 = wasm_f64x2_splat(0.0), s1 = wasm_f64x2_splat(0.0);
  int k = 0;
  for (; k + 3 < n; k += 4) {
    s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(wasm_v128_load(taps + k), wasm_v128_load(x + k)));
    s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(wasm_v128_load(taps + k + 2), wasm_v128_load(x + k + 2)));
  }
  for (; k < n; k += 2) s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(wasm_v128_load(taps + k), wasm_v128_load(x + k)));
  const v128_t s = wasm_f64x2_add(s0, s1);
  return wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
}

/*
 * Writes the input, widened to double, into padded[width .. width + n) with `width` + 2 zeros
 * around it, as the JavaScript pads it. padded: n + 2 width + 2 doubles.
 */
EXPORT(fir_pad) void fir_pad(const float *x, int n, int width, double *padded) {
  for (int i = 0; i < width; i++) padded[i] = 0.0;
  for (int i = 0; i < n; i++) padded[width + i] = x[i];
  for (int i = width + n; i < n + 2 * width + 2; i++) padded[i] = 0.0;
}

/*
 * Exact phases (srOut/srIn = up/down): output o uses row `phase` of the table at input base,
 * then phase += down, base += phase / up, phase %= up.
 * table: [up][width]; padded from fir_pad; out: n_out floats.
 */
EXPORT(fir_exact) void fir_exact(const double *table, int width, int half, int up, int down, const double *padded,
                                 int n_out, float *out) {
  int base = 0, phase = 0;
  for (int o = 0; o < n_out; o++) {
    out[o] = (float)dot(table + phase * width, padded + base + width - half + 1, width);
    phase += down;
    base += phase / up;
    phase %= up;
  }
}

/*
 * Interpolated phases: output o sits at input position o * step; rows p and p + 1 of the
 * `phases` + 1 row table bracket its fraction and the two dot products are mixed linearly.
 */
EXPORT(fir_interpolated) void fir_interpolated(const double *table, int width, int half, int phases, double step,
                                               const double *padded, int n_out, float *out) {
  for (int o = 0; o < n_out; o++) {
    const double position = o * step;
    const double base = __builtin_floor(position);
    const double f = (position - base) * phases;
    const double pf = __builtin_floor(f);
    const int p = pf < phases - 1 ? (int)pf : phases - 1;
    const double w = f - p;
    const double *x = padded + (int)base + width - half + 1;
    const double a = dot(table + p * width, x, width);
    const double b = dot(table + (p + 1) * width, x, width);
    out[o] = (float)(a + (b - a) * w);
  }
}
