/*
 * librosa.phase_vocoder (time-stretch.ts, `phaseVocoder`) in double precision with the same
 * float32 roundings, in the same order, as the JavaScript: angles and magnitudes of the input
 * frames rounded to float32, the phase accumulator a float32 value. atan2, sin and cos are
 * computed here (no libm): argument reduction by pi/2 in three parts (exact for |x| < 2^20) and
 * Taylor polynomials whose first omitted term is below 1e-19, so results differ from V8's
 * Math functions by about one unit in the last place and round to the same float32 except in
 * ties too rare to meet.
 */

#define EXPORT(name) __attribute__((export_name(#name)))

static const double PI = 3.14159265358979311600e+00;
static const double PI_2 = 1.57079632679489655800e+00;
static const double PI_4 = 7.85398163397448278999e-01;
static const double ATAN_HALF = 4.63647609000806093515e-01;
/* pi/2 in three parts of 33 bits (the first two exactly representable products with n < 2^20) */
static const double PIO2_1 = 1.57079632673412561417e+00;
static const double PIO2_2 = 6.07710050630396597660e-11;
static const double PIO2_3 = 2.02226624871116645580e-21;
static const double TWO_OVER_PI = 6.36619772367581382433e-01;

static inline double f32(double x) { return (double)(float)x; }

/* Math.round: the nearest integer, ties toward +infinity. */
static inline double js_round(double x) {
  const double r = __builtin_floor(x);
  return x - r >= 0.5 ? r + 1.0 : r;
}

/* Python's round(): ties to even. */
static inline double round_half_even(double x) {
  const double r = js_round(x);
  return r - x == 0.5 && r - 2.0 * __builtin_floor(r / 2.0) != 0.0 ? r - 1.0 : r;
}

/* atan(t) for |t| <= 0.25: t - t^3/3 + ... - t^35/35 (first omitted term < 2e-23). */
static double atan_series(double t) {
  const double t2 = t * t;
  double p = -1.0 / 35.0;
  for (int k = 33; k >= 3; k -= 2) p = p * t2 + ((k / 2) % 2 == 0 ? 1.0 : -1.0) / k;
  return t + t * t2 * p;
}

/* atan(a) for 0 <= a <= 1. */
static double atan_unit(double a) {
  if (a < 0.25) return atan_series(a);
  if (a < 0.75) return ATAN_HALF + atan_series((a - 0.5) / (1.0 + 0.5 * a));
  return PI_4 + atan_series((a - 1.0) / (a + 1.0));
}

/* Math.atan2 for finite y, x, signed zeros included. */
static double atan2_finite(double y, double x) {
  const double ax = __builtin_fabs(x), ay = __builtin_fabs(y);
  double r;
  if (ax == 0.0 && ay == 0.0) r = 0.0;
  else if (ay <= ax) r = atan_unit(ay / ax);
  else r = PI_2 - atan_unit(ax / ay);
  if (__builtin_signbit(x)) r = PI - r;
  return __builtin_signbit(y) ? -r : r;
}

/* sin(r), cos(r) for |r| <= pi/4 (+ rounding): Taylor to r^17 and r^18. */
static void sincos_reduced(double r, double *s, double *c) {
  const double r2 = r * r;
  double ps = 1.0 / 355687428096000.0; /* 1/17! */
  ps = ps * r2 - 1.0 / 1307674368000.0; /* 1/15! */
  ps = ps * r2 + 1.0 / 6227020800.0;
  ps = ps * r2 - 1.0 / 39916800.0;
  ps = ps * r2 + 1.0 / 362880.0;
  ps = ps * r2 - 1.0 / 5040.0;
  ps = ps * r2 + 1.0 / 120.0;
  ps = ps * r2 - 1.0 / 6.0;
  *s = r + r * r2 * ps;
  double pc = -1.0 / 6402373705728000.0; /* 1/18! */
  pc = pc * r2 + 1.0 / 20922789888000.0; /* 1/16! */
  pc = pc * r2 - 1.0 / 87178291200.0;
  pc = pc * r2 + 1.0 / 479001600.0;
  pc = pc * r2 - 1.0 / 3628800.0;
  pc = pc * r2 + 1.0 / 40320.0;
  pc = pc * r2 - 1.0 / 720.0;
  pc = pc * r2 + 1.0 / 24.0;
  pc = pc * r2 - 0.5;
  *c = 1.0 + r2 * pc;
}

/* sin and cos of |x| < 2^20: x = n pi/2 + r. */
static void sincos_medium(double x, double *s, double *c) {
  const double n = js_round(x * TWO_OVER_PI);
  const double r = ((x - n * PIO2_1) - n * PIO2_2) - n * PIO2_3;
  double sr, cr;
  sincos_reduced(r, &sr, &cr);
  const int quadrant = (int)(n - 4.0 * __builtin_floor(n / 4.0));
  switch (quadrant) {
    case 0: *s = sr; *c = cr; break;
    case 1: *s = cr; *c = -sr; break;
    case 2: *s = -sr; *c = -cr; break;
    default: *s = -cr; *c = sr; break;
  }
}

/* Largest |phase| the reduction handles exactly. */
EXPORT(vocoder_phase_limit) double vocoder_phase_limit(void) { return 1048576.0; }

/*
 * spec: [nfreq][nin] real and imaginary parts; out: [nfreq][nout]. angle, magnitude: nin + 2
 * doubles of scratch. single: round as float32 (librosa on float32 audio). phase_bound: the
 * caller's bound on |phase| must be below vocoder_phase_limit(). Returns 1, writing nothing
 * more, if an input value is not finite (the JavaScript then runs), else 0.
 */
EXPORT(phase_vocoder) int phase_vocoder(const double *spec_re, const double *spec_im, int nfreq, int nin, int nout,
                                        double rate, double hop, double bin_spacing, int single,
                                        double *angle, double *magnitude, double *out_re, double *out_im) {
  const double two_pi = 2.0 * PI;
  for (int k = 0; k < nfreq; k++) {
    const int row = k * nin;
    for (int t = 0; t < nin; t++) {
      const double re = single ? f32(spec_re[row + t]) : spec_re[row + t];
      const double im = single ? f32(spec_im[row + t]) : spec_im[row + t];
      if (re - re != 0.0 || im - im != 0.0) return 1;
      const double a = atan2_finite(im, re), m = __builtin_sqrt(re * re + im * im);
      angle[t] = single ? f32(a) : a;
      magnitude[t] = single ? f32(m) : m;
    }
    angle[nin] = angle[nin + 1] = 0.0;
    magnitude[nin] = magnitude[nin + 1] = 0.0;
    const double phi_advance = hop * (k * bin_spacing);
    double phase = angle[0];
    const int out_row = k * nout;
    for (int t = 0; t < nout; t++) {
      const double step = t * rate;
      const int i0 = (int)__builtin_floor(step);
      const double alpha = step - i0;
      const double mag = (1.0 - alpha) * magnitude[i0] + alpha * magnitude[i0 + 1];
      double s, c;
      sincos_medium(phase, &s, &c);
      out_re[out_row + t] = mag * c;
      out_im[out_row + t] = mag * s;
      const double difference = angle[i0 + 1] - angle[i0];
      double dphase = (single ? f32(difference) : difference) - phi_advance;
      dphase -= two_pi * round_half_even(dphase / two_pi);
      const double next = phase + (phi_advance + dphase);
      phase = single ? f32(next) : next;
    }
  }
  return 0;
}
