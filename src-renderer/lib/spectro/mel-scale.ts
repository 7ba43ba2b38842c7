/**
 * The Slaney mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above.
 * The axis uses the very functions the main process builds its filter bank with, so the two
 * cannot drift apart.
 */
import { hzToMel, melToHz } from '../../../src-shared/dsp/mel.js';

export { hzToMel, melToHz };

/**
 * Fraction of the plot height (0 = bottom) at which a frequency sits. Band i of nMels is centred
 * on the (i+1)-th of nMels+2 points spaced evenly in mel between fmin and fmax, and is drawn as
 * the row spanning [i, i+1) so its centre is at i + 0.5.
 */
export function melAxisFraction(hz: number, fmin: number, fmax: number, nMels: number): number {
  const lo = hzToMel(fmin);
  const hi = hzToMel(fmax);
  const band = ((hzToMel(hz) - lo) / (hi - lo)) * (nMels + 1) - 1;
  return (band + 0.5) / nMels;
}

/** Round frequencies for the axis that fit between fmin and fmax. */
export function melTicksHz(fmin: number, fmax: number): number[] {
  const candidates = [0, 125, 250, 500, 1000, 2000, 3000, 4000, 6000, 8000, 11000, 16000, 22000];
  return candidates.filter((hz) => hz >= fmin && hz <= fmax);
}

export function formatHz(hz: number): string {
  return hz >= 1000 ? `${hz / 1000}k` : String(hz);
}

/** A tick step in seconds giving roughly `targetTicks` ticks over `durationSec`. */
export function timeTickStep(durationSec: number, targetTicks: number): number {
  const raw = durationSec / Math.max(1, targetTicks);
  for (const step of [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60]) if (step >= raw) return step;
  return 120;
}
