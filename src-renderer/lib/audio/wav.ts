export interface DecodedWav {
  sampleRate: number;
  /** Mono samples in [-1, 1]; channels are averaged when the file has more than one. */
  samples: Float32Array;
  durationSec: number;
}

/**
 * Decodes the 16-bit PCM WAV that audio.clipAudio returns. Done here rather than through
 * wavesurfer's fetch so the waveform needs no `connect-src blob:` in the CSP.
 */
export function decodePcm16Wav(bytes: Uint8Array): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]);
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('the audio is not a WAV file');
  let channels = 0;
  let sampleRate = 0;
  let bitsPerSample = 0;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bitsPerSample = view.getUint16(body + 14, true);
    } else if (id === 'data') {
      if (bitsPerSample !== 16 || channels < 1) throw new Error(`expected 16-bit PCM audio, got ${bitsPerSample}-bit with ${channels} channels`);
      const frames = Math.floor(Math.min(size, bytes.byteLength - body) / (2 * channels));
      const samples = new Float32Array(frames);
      for (let frame = 0; frame < frames; frame++) {
        let sum = 0;
        for (let channel = 0; channel < channels; channel++) sum += view.getInt16(body + (frame * channels + channel) * 2, true);
        samples[frame] = sum / channels / 32768;
      }
      return { sampleRate, samples, durationSec: frames / sampleRate };
    }
    offset = body + size + (size & 1);
  }
  throw new Error('the WAV has no audio data');
}

/**
 * Min/max envelope for drawing: `[2 * buckets]` interleaved as max, min per bucket would need a
 * custom renderer, so this returns the sample of largest magnitude per bucket, which wavesurfer
 * draws symmetrically. Keeps long clips cheap to redraw.
 */
export function envelope(samples: Float32Array, buckets: number): Float32Array {
  if (samples.length <= buckets) return samples;
  const out = new Float32Array(buckets);
  const step = samples.length / buckets;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const start = Math.floor(bucket * step);
    const end = Math.min(samples.length, Math.floor((bucket + 1) * step));
    let peak = 0;
    for (let i = start; i < end; i++) if (Math.abs(samples[i]) > Math.abs(peak)) peak = samples[i];
    out[bucket] = peak;
  }
  return out;
}
