import { realFftPlan, type RealFft } from '../../../src-shared/dsp/fft.js';
import { applyMelFilterbank, cachedMelFilterbank, type MelFilterbank } from '../../../src-shared/dsp/mel.js';
import { hannWindow } from '../../../src-shared/dsp/window.js';

export interface LiveSpectrumOptions {
  sampleRate: number;
  /** FFT length (a power of two). Default 1024. */
  nFft?: number;
  /** Samples between columns. Default 512. */
  hopLength?: number;
  /** Mel bands per column. Default 64. */
  nMels?: number;
  /** Lowest dB shown: columns are clipped to [floorDb, 0] re. full scale. Default -90. */
  floorDb?: number;
}

/**
 * The scrolling spectrogram's columns, computed as the microphone delivers audio: a Hann-windowed
 * power spectrum every `hopLength` samples, on the Slaney mel scale the rest of the studio uses,
 * in dB re. a full-scale sine's power (so a loud voice is near 0 and silence at the floor).
 */
export class LiveSpectrum {
  readonly sampleRate: number;
  readonly nFft: number;
  readonly hopLength: number;
  readonly nMels: number;
  readonly floorDb: number;
  private readonly fft: RealFft;
  private readonly window: Float64Array;
  private readonly filterbank: MelFilterbank;
  private readonly buffer: Float32Array;
  private readonly power: Float64Array;
  private readonly mel: Float64Array;
  /** Samples in `buffer` (the newest nFft at most). */
  private filled = 0;
  /** Samples to go before the next column. */
  private untilColumn: number;
  /** Power of a full-scale sine through this window: 0 dB. */
  private readonly reference: number;
  /** Each band's largest weight: the Slaney filters have unit area in Hz, this scales them back to a peak of 1. */
  private readonly bandPeak: Float64Array;

  constructor(options: LiveSpectrumOptions) {
    this.sampleRate = options.sampleRate;
    this.nFft = options.nFft ?? 1024;
    this.hopLength = options.hopLength ?? 512;
    this.nMels = options.nMels ?? 64;
    this.floorDb = options.floorDb ?? -90;
    this.fft = realFftPlan(this.nFft);
    this.window = hannWindow(this.nFft);
    this.filterbank = cachedMelFilterbank({ sr: this.sampleRate, nFft: this.nFft, nMels: this.nMels });
    this.buffer = new Float32Array(this.nFft);
    this.power = new Float64Array(this.nFft / 2 + 1);
    this.mel = new Float64Array(this.nMels);
    this.untilColumn = this.nFft;
    let windowSum = 0;
    for (const w of this.window) windowSum += w;
    this.reference = (windowSum / 2) ** 2;
    const fb = this.filterbank;
    this.bandPeak = new Float64Array(this.nMels);
    for (let m = 0; m < this.nMels; m++) {
      for (let k = 0; k < fb.end[m] - fb.start[m]; k++) this.bandPeak[m] = Math.max(this.bandPeak[m], fb.weights[fb.offset[m] + k]);
    }
  }

  /** Adds samples; returns the new columns, oldest first, each `[nMels]` dB values (low bands first). */
  push(samples: Float32Array): Float32Array[] {
    const columns: Float32Array[] = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(samples.length - at, this.untilColumn);
      this.append(samples.subarray(at, at + take));
      at += take;
      this.untilColumn -= take;
      if (this.untilColumn === 0) {
        columns.push(this.column());
        this.untilColumn = this.hopLength;
      }
    }
    return columns;
  }

  private append(chunk: Float32Array): void {
    const n = this.nFft;
    if (chunk.length >= n) {
      this.buffer.set(chunk.subarray(chunk.length - n));
      this.filled = n;
      return;
    }
    const keep = Math.min(this.filled, n - chunk.length);
    this.buffer.copyWithin(0, this.filled - keep, this.filled);
    this.buffer.set(chunk, keep);
    this.filled = keep + chunk.length;
  }

  private column(): Float32Array {
    this.fft.windowedPower(this.buffer, 0, this.window, this.power);
    applyMelFilterbank(this.filterbank, this.power, this.mel);
    const out = new Float32Array(this.nMels);
    for (let m = 0; m < this.nMels; m++) {
      const value = this.bandPeak[m] > 0 ? this.mel[m] / this.bandPeak[m] : 0;
      const db = 10 * Math.log10(Math.max(1e-12, value / this.reference));
      out[m] = Math.max(this.floorDb, Math.min(0, db));
    }
    return out;
  }
}
