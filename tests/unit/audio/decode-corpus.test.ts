import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFile, scanFlacFrames } from '../../../src-main/audio/decode.js';
import { flacAudioStart, SyncByteFinder } from '../../../src-main/audio/flac-frames.js';
import { FlacFrameDecoder } from '../../../src-main/audio/flac-wasm.js';
import { bufferSource, pcmToFloat, type WavHeader } from '../../../src-main/audio/wav.js';
import { missing, ravdessDir } from './helpers.js';

/**
 * The decoders against the whole shared corpus: every clip's feature range bit for bit as
 * soundfile (libsndfile) reads it, in corpus order and shuffled (the FLAC decoder is shared across
 * files and keeps state between them), and ranges cut at frame boundaries, inside frames, at and
 * past the end, equal to the whole decode cut at the same place.
 *
 * fixtures/ravdess-soundfile-sha1.json was written by fixtures/soundfile_sha1.py (soundfile 0.14,
 * libsndfile 1.2.2): per clip, the frame count and SHA-1 of the float32 samples of
 * offset 0.6 s, duration 2.5 s.
 */

const reference = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'ravdess-soundfile-sha1.json'), 'utf8')) as Record<string, [number, string]>;
const names = Object.keys(reference);
const skip = missing(join(ravdessDir, 'Actor_20'));

function sha1(y: Float32Array): string {
  return createHash('sha1').update(new Uint8Array(y.buffer, y.byteOffset, y.byteLength)).digest('hex');
}

/** A seeded Fisher-Yates shuffle (mulberry32), so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function sameSamples(actual: Float32Array, expected: Float32Array): boolean {
  return actual.length === expected.length && Buffer.compare(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength), Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)) === 0;
}

/** [startFrame, frameCount] cases for a clip of `total` frames; RAVDESS FLAC frames hold 4,096 samples. */
function rangesFor(total: number): [string, number, number][] {
  const lastFrameStart = Math.floor((total - 1) / 4096) * 4096;
  return [
    ['the first sample', 0, 1],
    ['the first frame exactly', 0, 4096],
    ['across the first frame boundary', 4095, 2],
    ['the second frame exactly', 4096, 4096],
    ['from just inside the second frame to the end of the third', 4097, 8191],
    ['the feature range', 28_800, 120_000],
    ['the last sample of a frame', 3 * 8192 - 1, 1],
    ['the last frame exactly', lastFrameStart, total - lastFrameStart],
    ['across the last frame boundary', lastFrameStart - 1, 2],
    ['the last samples and past the end', total - 5, 5000],
    ['from the end', total, 100],
    ['past the end', total + 5000, 10],
    ['zero frames', 12_345, 0],
    ['to the end (no count)', 50_000, Number.NaN],
  ];
}

describe.skipIf(skip !== null)(`the shared corpus decodes as soundfile reads it (${skip ?? ravdessDir})`, () => {
  for (const order of ['corpus order', 'shuffled order'] as const) {
    it(`offset 0.6 s, duration 2.5 s, mono: the SHA-1 of every clip's samples equals soundfile's, in ${order}`, async () => {
      expect(names).toHaveLength(1200);
      const wrong: string[] = [];
      for (const name of order === 'shuffled order' ? shuffled(names, 6) : names) {
        const { data } = await decodeFile(join(ravdessDir, name), { offsetSec: 0.6, durationSec: 2.5, mono: true });
        const [frames, hash] = reference[name];
        if (data[0].length !== frames || sha1(data[0]) !== hash) wrong.push(`${name}: ${data[0].length} frames, SHA-1 ${sha1(data[0])}`);
      }
      expect(wrong).toEqual([]);
    }, 120_000);
  }

  it('ranges equal the whole decode cut at the same place, for every clip, with other files decoded in between', async () => {
    let previous: { path: string; whole: Float32Array } | null = null;
    const wrong: string[] = [];
    let checked = 0;
    for (const [index, name] of shuffled(names, 7).entries()) {
      const path = join(ravdessDir, name);
      const whole = (await decodeFile(path, { mono: true })).data[0];
      const ranges = rangesFor(whole.length);
      // Four of the cases per clip, rotating, so every case meets about 340 clips of both formats.
      const picked = [0, 1, 2, 3].map((k) => ranges[(index * 4 + k) % ranges.length]);
      // And one on the clip before, so consecutive decodes jump between files in both directions.
      const jobs = picked.map((range) => ({ path, whole, range }));
      if (previous !== null) jobs.splice(2, 0, { ...previous, range: ranges[(index * 5) % ranges.length] });
      for (const { path: file, whole: all, range } of jobs) {
        const [label, startFrame, frameCount] = range;
        const options = Number.isNaN(frameCount) ? { startFrame } : { startFrame, frameCount };
        const part = (await decodeFile(file, options)).data[0] ?? new Float32Array(0);
        const from = Math.min(startFrame, all.length);
        const expected = all.subarray(from, Number.isNaN(frameCount) ? all.length : Math.min(all.length, startFrame + frameCount));
        checked++;
        if (!sameSamples(part, expected)) wrong.push(`${file} ${label} [${startFrame}, +${frameCount}]: ${part.length} samples, expected ${expected.length}`);
      }
      previous = { path, whole };
    }
    expect(checked).toBeGreaterThan(5900);
    expect(wrong).toEqual([]);
  }, 180_000);

  it('reading the decoder heap gives the same samples as the package public decodeFrames', async () => {
    const heap = new FlacFrameDecoder();
    const copies = new FlacFrameDecoder(false);
    await Promise.all([heap.ready, copies.ready]);
    expect(heap.readsHeap).toBe(true);
    expect(copies.readsHeap).toBe(false);
    const flacs = names.filter((name) => name.startsWith('Actor_07/'));
    expect(flacs.length).toBeGreaterThan(50);
    for (const name of flacs) {
      const bytes = new Uint8Array(await readFile(join(ravdessDir, name)));
      const source = bufferSource(bytes);
      const frames: Uint8Array[] = [];
      for await (const frame of scanFlacFrames(source, await flacAudioStart(source, name), name)) frames.push(frame.data);
      const outputs = await Promise.all(
        [heap, copies].map(async (decoder) => {
          const parts: Float32Array[] = [];
          const result = await decoder.decodeFrames(frames, (channels, samples) => parts.push(channels[0].slice(0, samples)));
          const joined = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
          parts.reduce((at, part) => (joined.set(part, at), at + part.length), 0);
          return { result, joined };
        }),
      );
      expect(outputs[0].result).toEqual(outputs[1].result);
      expect(sameSamples(outputs[0].joined, outputs[1].joined), name).toBe(true);
      await Promise.all([heap.reset(), copies.reset()]);
    }
  }, 60_000);
});

describe('16-bit PCM conversion', () => {
  it('gives the same samples from a view at an odd byte offset (DataView path) as from an aligned one (Int16Array path)', () => {
    for (const channels of [1, 2, 3]) {
      const frames = 1001;
      const raw = new Uint8Array(1 + frames * channels * 2);
      for (let i = 1; i < raw.length; i++) raw[i] = (i * 97 + 13) & 0xff;
      const header: WavHeader = { sampleFormat: 'int', bitsPerSample: 16, channels, sampleRate: 48_000, blockAlign: 2 * channels, dataOffset: 44, dataBytes: frames * channels * 2, frames, rf64: false };
      const odd = raw.subarray(1);
      const aligned = Uint8Array.from(odd);
      const fromOdd = pcmToFloat(odd, header, frames);
      const fromAligned = pcmToFloat(aligned, header, frames);
      const view = new DataView(aligned.buffer);
      for (let c = 0; c < channels; c++) {
        expect(sameSamples(fromOdd[c], fromAligned[c])).toBe(true);
        for (const i of [0, 1, 500, frames - 1]) expect(fromAligned[c][i]).toBe(view.getInt16((i * channels + c) * 2, true) / 32768);
      }
    }
  });
});

describe('SyncByteFinder', () => {
  it('finds the first 0xff in any range of bytes at any alignment, as a byte-by-byte search does', () => {
    let state = 12345;
    const random = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 8) & 0xff;
    const memory = new Uint8Array(203);
    for (const density of [2, 16, 300]) {
      for (let i = 0; i < memory.length; i++) memory[i] = random() % density === 0 ? 0xff : random() & 0xfe;
      for (let offset = 0; offset < 4; offset++) {
        const bytes = memory.subarray(offset, memory.length - (offset & 1));
        const finder = new SyncByteFinder(bytes);
        for (let from = 0; from <= bytes.length; from += 3) {
          for (let stop = from; stop <= bytes.length; stop += 5) {
            let naive = from;
            while (naive < stop && bytes[naive] !== 0xff) naive++;
            if (finder.next(from, stop) !== naive) expect(finder.next(from, stop), `offset ${offset}, [${from}, ${stop})`).toBe(naive);
          }
        }
      }
    }
  });
});
