/**
 * Perceptually uniform colour maps as 256-entry RGB lookup tables, from the degree-6 polynomial
 * fits of matplotlib's magma and viridis (close enough that the eye cannot tell them apart).
 */
const COEFFS = {
  magma: [
    [-0.002136485053939582, -0.000749655052795221, -0.005386127855323933],
    [0.2516605407371642, 0.6775232436837668, 2.494026599312351],
    [8.353717279216625, -3.577719514958484, 0.3144679030132573],
    [-27.66873308576866, 14.26473078096533, -13.64921318813922],
    [52.17613981234068, -27.94360607168351, 12.94416944238394],
    [-50.76852536473588, 29.04658282127291, 4.23415299384598],
    [18.65570506591883, -11.48977351997711, -5.601961508734096],
  ],
  viridis: [
    [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
    [0.1050930431085774, 1.404613529898575, 1.384590162594685],
    [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
    [-4.634230498983486, -5.799100973351585, -19.33244095627987],
    [6.228269936347081, 14.17993336680509, 56.69055260068105],
    [4.776384997670288, -13.74514537774601, -65.35303263337234],
    [-5.435455855934631, 4.645852612178535, 26.3124352495832],
  ],
} as const;

export type ColormapName = keyof typeof COEFFS;

/** `[256 * 3]` bytes: r, g, b for t = i / 255. */
export function colormapLut(name: ColormapName): Uint8Array {
  const coeffs = COEFFS[name];
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    for (let channel = 0; channel < 3; channel++) {
      let value = 0;
      for (let power = coeffs.length - 1; power >= 0; power--) value = value * t + coeffs[power][channel];
      lut[i * 3 + channel] = Math.round(Math.min(1, Math.max(0, value)) * 255);
    }
  }
  return lut;
}
