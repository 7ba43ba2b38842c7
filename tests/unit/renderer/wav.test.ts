import { describe, expect, it } from 'vitest';
import { encodeWav16 } from '../../../src-main/audio/wav-encode.js';
import { Random } from '../../../src-shared/dsp/random.js';
import { decodePcm16Wav, envelope } from '../../../src-renderer/lib/audio/wav.js';

// The renderer decodes what audio.clipAudio sends: WAVs written by the main process's encodeWav16.
// Quantisation rounds to nearest, so a value in [-1, 1) comes back within half a step; +1 clips
// to 32767 / 32768, one step away.
const STEP = 1 / 32768;

/** A hand-built PCM WAV: `chunks` go between the RIFF header and "fmt ", interleaved int16 `frames`. */
function pcmWav(options: { channels: number; sampleRate: number; bitsPerSample?: number; frames: number[][]; extraChunks?: { id: string; body: Uint8Array }[] }): Uint8Array {
  const { channels, sampleRate, frames } = options;
  const bits = options.bitsPerSample ?? 16;
  const parts: Uint8Array[] = [];
  const chunk = (id: string, body: Uint8Array) => {
    const head = new Uint8Array(8);
    for (let i = 0; i < 4; i++) head[i] = id.charCodeAt(i);
    new DataView(head.buffer).setUint32(4, body.length, true);
    parts.push(head, body);
    if (body.length % 2 === 1) parts.push(new Uint8Array(1)); // RIFF pads odd chunks
  };
  for (const extra of options.extraChunks ?? []) chunk(extra.id, extra.body);
  const fmt = new DataView(new ArrayBuffer(16));
  fmt.setUint16(0, 1, true);
  fmt.setUint16(2, channels, true);
  fmt.setUint32(4, sampleRate, true);
  fmt.setUint32(8, (sampleRate * channels * bits) / 8, true);
  fmt.setUint16(12, (channels * bits) / 8, true);
  fmt.setUint16(14, bits, true);
  chunk('fmt ', new Uint8Array(fmt.buffer));
  const data = new DataView(new ArrayBuffer(frames.length * channels * 2));
  frames.forEach((frame, f) => frame.forEach((value, c) => data.setInt16((f * channels + c) * 2, value, true)));
  chunk('data', new Uint8Array(data.buffer));
  const body = parts.reduce((sum, part) => sum + part.length, 4);
  const out = new Uint8Array(8 + body);
  out.set([...'RIFF'].map((c) => c.charCodeAt(0)), 0);
  new DataView(out.buffer).setUint32(4, body, true);
  out.set([...'WAVE'].map((c) => c.charCodeAt(0)), 8);
  let at = 12;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('decodePcm16Wav against the main process encoder', () => {
  it('round-trips noise, a sine and the extremes within 1/32768, keeping rate and length', () => {
    const random = new Random(7);
    const sampleRate = 22_050;
    const samples = new Float32Array(sampleRate + 3); // odd length: the data chunk is even anyway
    for (let i = 0; i < samples.length; i++) samples[i] = i % 3 === 0 ? random.uniform(-1, 1) : 0.8 * Math.sin((2 * Math.PI * 440 * i) / sampleRate);
    samples.set([-1, 1, 0, STEP / 2, -STEP / 2, 1 - STEP, -1 + STEP], 0);
    const decoded = decodePcm16Wav(encodeWav16(samples, sampleRate));
    expect(decoded.sampleRate).toBe(sampleRate);
    expect(decoded.samples.length).toBe(samples.length);
    expect(decoded.durationSec).toBeCloseTo(samples.length / sampleRate, 12);
    let worst = 0;
    for (let i = 0; i < samples.length; i++) worst = Math.max(worst, Math.abs(decoded.samples[i] - samples[i]));
    expect(worst).toBeLessThanOrEqual(STEP);
    expect(decoded.samples[0]).toBe(-1);
    expect(decoded.samples[1]).toBe(1 - STEP);
    // Away from +1 the error is at most half a step (round to nearest).
    for (let i = 2; i < samples.length; i++) expect(Math.abs(decoded.samples[i] - samples[i])).toBeLessThanOrEqual(STEP / 2 + 1e-9);
  });

  it('reads values the encoder clipped or could not represent as the encoder wrote them', () => {
    const decoded = decodePcm16Wav(encodeWav16(Float32Array.from([2, -3, Number.NaN, 0.25]), 8000));
    expect(Array.from(decoded.samples)).toEqual([1 - STEP, -1, 0, 0.25]);
  });

  it('decodes an empty clip as no samples', () => {
    const decoded = decodePcm16Wav(encodeWav16(new Float32Array(0), 16_000));
    expect(decoded.samples.length).toBe(0);
    expect(decoded.durationSec).toBe(0);
  });
});

describe('decodePcm16Wav on WAVs from elsewhere', () => {
  it('averages the channels of a stereo file', () => {
    const bytes = pcmWav({ channels: 2, sampleRate: 48_000, frames: [[16384, -16384], [32767, 32767], [-32768, 0]] });
    const decoded = decodePcm16Wav(bytes);
    expect(decoded.sampleRate).toBe(48_000);
    expect(Array.from(decoded.samples)).toEqual([0, 32767 / 32768, -0.5]);
  });

  it('skips chunks before "fmt " and "data", odd-sized ones included', () => {
    const bytes = pcmWav({ channels: 1, sampleRate: 16_000, frames: [[8192], [-8192]], extraChunks: [{ id: 'LIST', body: new Uint8Array(5) }, { id: 'junk', body: new Uint8Array(2) }] });
    expect(Array.from(decodePcm16Wav(bytes).samples)).toEqual([0.25, -0.25]);
  });

  it('says what is wrong with a file it cannot read', () => {
    expect(() => decodePcm16Wav(new TextEncoder().encode('ID3 not a wav file'))).toThrow(/not a WAV/);
    const eightBit = pcmWav({ channels: 1, sampleRate: 8000, bitsPerSample: 8, frames: [] });
    expect(() => decodePcm16Wav(eightBit)).toThrow(/16-bit PCM.*8-bit/);
    const noData = encodeWav16(new Float32Array(4), 8000).slice(0, 36);
    expect(() => decodePcm16Wav(noData)).toThrow(/no audio data/);
  });
});

describe('envelope', () => {
  it('keeps the sample of largest magnitude per bucket, with its sign', () => {
    const samples = Float32Array.from([0.1, -0.9, 0.2, 0.5, 0.3, -0.4, 0, 0.05]);
    expect(Array.from(envelope(samples, 4))).toEqual([-0.9, 0.5, -0.4, 0.05].map(Math.fround));
  });

  it('returns short clips unchanged', () => {
    const samples = Float32Array.from([0.1, 0.2]);
    expect(envelope(samples, 8)).toBe(samples);
  });
});
