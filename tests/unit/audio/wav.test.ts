import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile } from '../../../src-main/audio/decode.js';
import { loadAudio } from '../../../src-main/audio/load.js';
import { probeAudio } from '../../../src-main/audio/probe.js';
import { encodeWav16 } from '../../../src-main/audio/wav-encode.js';
import { buildWav, expectStudioError, quantise, tempDir, testSignal, type WavSpec } from './helpers.js';

let dir = '';
let remove: () => Promise<void> = async () => {};
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

const SR = 16_000;
const FRAMES = 1601; // odd, so 8-bit mono data has an odd size and needs the pad rule

/** What soundfile returns for a stored sample: q / 2^(b-1) for integers, the value for floats. */
function expected(v: number, spec: WavSpec): number {
  if (spec.formatTag === 3) return Math.fround(v);
  return Math.fround(quantise(v, spec.bits) / 2 ** (spec.bits - 1)) + 0; // + 0: soundfile has no -0
}

const variants: WavSpec[] = [];
for (const bits of [8, 16, 24, 32] as const) for (const channels of [1, 2]) variants.push({ formatTag: 1, bits, channels, sampleRate: SR });
for (const bits of [32, 64] as const) for (const channels of [1, 2]) variants.push({ formatTag: 3, bits, channels, sampleRate: SR });
for (const channels of [1, 3, 4, 5, 6, 7, 8]) variants.push({ formatTag: 1, bits: 16, channels, sampleRate: 44_100, extensible: true });
variants.push({ formatTag: 1, bits: 24, channels: 6, sampleRate: 48_000, extensible: true });
variants.push({ formatTag: 3, bits: 32, channels: 2, sampleRate: 48_000, extensible: true });
variants.push({ formatTag: 1, bits: 8, channels: 1, sampleRate: 8_000, extraChunks: [{ id: 'LIST', size: 27 }, { id: 'junk', size: 3 }] });

describe('WAV decoding of every PCM variant', () => {
  for (const spec of variants) {
    const name = `${spec.formatTag === 3 ? 'float' : 'int'}${spec.bits}-${spec.channels}ch${spec.extensible ? '-extensible' : ''}${spec.extraChunks ? '-chunks' : ''}`;
    it(name, async () => {
      const signal = testSignal(spec.channels, FRAMES, spec.sampleRate);
      const path = join(dir, `${name}.wav`);
      await writeFile(path, buildWav(spec, signal));

      const info = await probeAudio(path);
      expect(info).toEqual({ format: 'wav', sampleRate: spec.sampleRate, channels: spec.channels, frames: FRAMES, durationSec: FRAMES / spec.sampleRate });

      const decoded = await decodeFile(path);
      expect(decoded.channels).toBe(spec.channels);
      expect(decoded.data).toHaveLength(spec.channels);
      for (let c = 0; c < spec.channels; c++) {
        expect(decoded.data[c]).toHaveLength(FRAMES);
        for (let i = 0; i < FRAMES; i += 7) expect(decoded.data[c][i]).toBe(expected(signal[c][i], spec));
      }

      // A range read returns exactly the same samples as the whole-file read.
      const part = await decodeFile(path, { startFrame: 400, frameCount: 333 });
      expect(part.frames).toBe(333);
      for (let c = 0; c < spec.channels; c++) expect(Array.from(part.data[c])).toEqual(Array.from(decoded.data[c].subarray(400, 733)));

      // Mono is the mean of the channels.
      const mono = await decodeFile(path, { mono: true });
      const i = 123;
      const mean = decoded.data.reduce((s, ch) => s + ch[i], 0) / spec.channels;
      expect(mono.data[0][i]).toBeCloseTo(mean, 6);
    });
  }

  it('reads a range past the end as a shorter clip, and a range at the end as empty', async () => {
    const path = join(dir, 'range.wav');
    await writeFile(path, buildWav({ formatTag: 1, bits: 16, channels: 1, sampleRate: SR }, testSignal(1, 1000, SR)));
    expect((await decodeFile(path, { startFrame: 900, frameCount: 500 })).frames).toBe(100);
    expect((await decodeFile(path, { startFrame: 1000 })).frames).toBe(0);
    expect((await decodeFile(path, { offsetSec: 0.05, durationSec: 0.01 })).frames).toBe(160);
  });

  it('loads at the file rate with sampleRate null, like librosa sr=None', async () => {
    const path = join(dir, 'native.wav');
    await writeFile(path, buildWav({ formatTag: 1, bits: 16, channels: 2, sampleRate: SR }, testSignal(2, 1000, SR)));
    const loaded = await loadAudio(path, { sampleRate: null });
    expect(loaded.sampleRate).toBe(SR);
    expect(loaded.y).toHaveLength(1000);
  });
});

describe('damaged and foreign WAV files', () => {
  const good: WavSpec = { formatTag: 1, bits: 16, channels: 1, sampleRate: SR };
  const cases: { name: string; bytes: () => Uint8Array; code: 'DECODE_FAILED' | 'UNSUPPORTED_FORMAT'; reason: RegExp }[] = [
    { name: 'empty.wav', bytes: () => new Uint8Array(0), code: 'DECODE_FAILED', reason: /empty file/ },
    { name: 'random.wav', bytes: () => Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251), code: 'UNSUPPORTED_FORMAT', reason: /unknown first bytes/ },
    { name: 'header-cut.wav', bytes: () => buildWav(good, testSignal(1, 100, SR)).subarray(0, 30), code: 'DECODE_FAILED', reason: /fmt chunk|truncated|no data/ },
    {
      name: 'data-too-long.wav',
      bytes: () => buildWav({ ...good, declaredDataBytes: 120_000 }, testSignal(1, 256, SR)),
      code: 'DECODE_FAILED',
      reason: /truncated: header declares 120000 bytes of data, file has 512/,
    },
    { name: 'zero-channels.wav', bytes: () => buildWav({ ...good, channels: 0, blockAlign: 0 }, []), code: 'DECODE_FAILED', reason: /zero channels/ },
    { name: 'zero-rate.wav', bytes: () => buildWav({ ...good, sampleRate: 0 }, testSignal(1, 10, SR)), code: 'DECODE_FAILED', reason: /zero sample rate/ },
    { name: 'block-align.wav', bytes: () => buildWav({ ...good, blockAlign: 3 }, testSignal(1, 10, SR)), code: 'DECODE_FAILED', reason: /block align mismatch/ },
    {
      name: 'no-fmt.wav',
      bytes: () => {
        const b = buildWav(good, testSignal(1, 10, SR));
        b.set([0x78, 0x78, 0x78, 0x78], 12); // rename "fmt " so it is an unknown chunk
        return b;
      },
      code: 'DECODE_FAILED',
      reason: /no fmt chunk/,
    },
    {
      name: 'alaw.wav',
      bytes: () => {
        const b = buildWav({ ...good, bits: 8 }, testSignal(1, 10, SR));
        b[20] = 6; // WAVE_FORMAT_ALAW
        return b;
      },
      code: 'UNSUPPORTED_FORMAT',
      reason: /codec 0x6/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.code}`, async () => {
      const path = join(dir, c.name);
      await writeFile(path, c.bytes());
      await expectStudioError(probeAudio(path), c.code, path, c.reason);
      await expectStudioError(decodeFile(path), c.code, path, c.reason);
      await expectStudioError(loadAudio(path), c.code, path, c.reason);
    });
  }

  it('a missing file is NOT_FOUND', async () => {
    const path = join(dir, 'nope.wav');
    await expectStudioError(probeAudio(path), 'NOT_FOUND', path);
    await expectStudioError(decodeFile(path), 'NOT_FOUND', path);
  });
});

describe('encodeWav16', () => {
  it('round-trips through our reader to within half a quantisation step, clipping out-of-range values', async () => {
    const n = 3001;
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = 0.9 * Math.sin(i / 10);
    y[5] = 1.5;
    y[6] = -1.5;
    const path = join(dir, 'encoded.wav');
    await writeFile(path, encodeWav16(y, 22_050));
    const back = await decodeFile(path);
    expect(back).toMatchObject({ format: 'wav', sampleRate: 22_050, channels: 1, frames: n });
    expect(back.data[0][5]).toBe(32767 / 32768);
    expect(back.data[0][6]).toBe(-1);
    for (let i = 7; i < n; i++) expect(Math.abs(back.data[0][i] - y[i])).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
  });
});
