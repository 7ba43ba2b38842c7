import { StudioError } from '../../src-shared/contract/result.js';
import { decodeFile, mixToMono } from './decode.js';
import { resample } from './resample.js';

export interface LoadOptions {
  /** Target rate in Hz; null keeps the file's rate (librosa's sr=None). Default 22050. */
  sampleRate?: number | null;
  /** Start of the clip in seconds from the beginning of the file. Default 0. */
  offsetSec?: number;
  /** Length of the clip in seconds; default: to the end of the file. */
  durationSec?: number;
  /** Mix channels to their mean. Default true; with false only mono files are accepted. */
  mono?: boolean;
}

export interface LoadedAudio {
  /** Mono samples at `sampleRate`. */
  y: Float32Array;
  sampleRate: number;
  /**
   * NaN and ±Infinity samples found in the decoded range (counted per channel, before mixing and
   * resampling) and replaced by 0. Only float WAVs can hold them; 0 for everything else.
   */
  nonFiniteSamples: number;
}

/**
 * librosa.load(path, sr, mono, offset, duration): decode, mix to mono, cut in the SOURCE rate
 * (first frame int(offset * srIn), int(duration * srIn) frames, as soundfile's seek/read), then
 * resample to the target rate with the soxr-HQ response. Only the range is decoded (WAV by
 * positioned reads, compressed formats in chunks that stop at the range's end), so a clip from a
 * long file costs memory for the clip, not the file.
 *
 * Unlike librosa, which would let NaN spread through the resampler and every feature, a
 * non-finite sample becomes 0 before mixing (the seed pipeline maps NaN to 0 in its features
 * anyway) and `nonFiniteSamples` says how many there were, so the caller can tell the user.
 */
export async function loadAudio(path: string, options: LoadOptions = {}): Promise<LoadedAudio> {
  const { sampleRate = 22_050, offsetSec = 0, durationSec, mono = true } = options;
  if (!(offsetSec >= 0) || (durationSec !== undefined && !(durationSec >= 0))) {
    throw new StudioError('INVALID_ARGUMENT', `${path}: offset and duration must be non-negative seconds, got ${offsetSec}, ${durationSec}`);
  }
  if (sampleRate !== null && !(Number.isInteger(sampleRate) && sampleRate > 0)) {
    throw new StudioError('INVALID_ARGUMENT', `${path}: sample rate must be a positive integer, got ${sampleRate}`);
  }
  const decoded = await decodeFile(path, { offsetSec, durationSec });
  if (!mono && decoded.channels > 1) {
    throw new StudioError('INVALID_ARGUMENT', `${path}: ${decoded.channels} channels; loadAudio returns one signal, ask for mono`);
  }
  let nonFiniteSamples = 0;
  for (const channel of decoded.data) nonFiniteSamples += zeroNonFinite(channel);
  const y = mixToMono(decoded.data);
  if (sampleRate === null || sampleRate === decoded.sampleRate) return { y: y.slice(), sampleRate: decoded.sampleRate, nonFiniteSamples };
  return { y: resample(y, decoded.sampleRate, sampleRate), sampleRate, nonFiniteSamples };
}

/** Replaces NaN and ±Infinity in `y` by 0, in place; returns how many there were. */
function zeroNonFinite(y: Float32Array): number {
  let count = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    // v - v is 0 for every finite v and NaN for NaN and ±Infinity: one subtraction, no call.
    if (v - v !== 0) {
      y[i] = 0;
      count++;
    }
  }
  return count;
}
