/**
 * A 16-bit PCM mono WAV of `mono` (samples in [-1, 1], clipped) for playback in the renderer.
 * Quantisation rounds to nearest, the inverse of the q / 32768 reading in wav.ts.
 */
export function encodeWav16(mono: Float32Array, sampleRate: number): Uint8Array {
  if (!(Number.isInteger(sampleRate) && sampleRate > 0)) throw new RangeError(`encodeWav16: sample rate must be a positive integer, got ${sampleRate}`);
  const dataBytes = mono.length * 2;
  if (44 + dataBytes > 0xffffffff) throw new RangeError(`encodeWav16: ${mono.length} samples do not fit a RIFF file`);
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // channels
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // bytes per second
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < mono.length; i++) {
    const v = mono[i];
    const q = v !== v ? 0 : Math.round(v * 32768);
    view.setInt16(44 + 2 * i, q > 32767 ? 32767 : q < -32768 ? -32768 : q, true);
  }
  return out;
}
