import { describe, expect, it } from 'vitest';
import { colormapLut, type ColormapName } from '../../../src-renderer/lib/spectro/colormap.js';

/** CIE L* (0 black .. 100 white) of an sRGB byte triple. */
function lightness(r: number, g: number, b: number): number {
  const linear = (byte: number) => {
    const c = byte / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const y = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  return y > 216 / 24_389 ? 116 * Math.cbrt(y) - 16 : (24_389 / 27) * y;
}

// matplotlib's first and last entries (_cm_listed.py): magma #000004 → #fcfdbf, viridis #440154 → #fde725.
const ENDPOINTS: Record<ColormapName, [number[], number[]]> = {
  magma: [
    [0, 0, 4],
    [252, 253, 191],
  ],
  viridis: [
    [68, 1, 84],
    [253, 231, 37],
  ],
};

describe.each(Object.keys(ENDPOINTS) as ColormapName[])('colour map %s', (name) => {
  const lut = colormapLut(name);
  const rgb = (i: number) => [lut[3 * i], lut[3 * i + 1], lut[3 * i + 2]];

  it('is 256 RGB entries', () => {
    expect(lut).toBeInstanceOf(Uint8Array);
    expect(lut.length).toBe(256 * 3);
  });

  it("starts and ends on matplotlib's colours (within the polynomial fit's 6/255)", () => {
    const [first, last] = ENDPOINTS[name];
    rgb(0).forEach((value, channel) => expect(Math.abs(value - first[channel])).toBeLessThanOrEqual(6));
    rgb(255).forEach((value, channel) => expect(Math.abs(value - last[channel])).toBeLessThanOrEqual(6));
  });

  it('rises in lightness from end to end, so louder always reads brighter', () => {
    const l = Array.from({ length: 256 }, (_, i) => lightness(...(rgb(i) as [number, number, number])));
    expect(l[255] - l[0]).toBeGreaterThan(70);
    // 8-bit rounding of the fit leaves wiggles of a few hundredths of L*, far below what the eye
    // sees (about 1); anything larger would be a real reversal.
    for (let i = 1; i < 256; i++) expect(l[i] - l[i - 1], `entry ${i}`).toBeGreaterThan(-0.1);
    // Over 16 entries the rise is clear and steady (a perceptually uniform map).
    for (let i = 16; i < 256; i += 16) expect(l[i] - l[i - 16], `entries ${i - 16}..${i}`).toBeGreaterThan(2);
  });
});
