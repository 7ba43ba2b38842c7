import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile } from '../../../src-main/audio/decode.js';
import { loadAudio } from '../../../src-main/audio/load.js';
import { probeAudio } from '../../../src-main/audio/probe.js';
import { StudioError } from '../../../src-shared/contract/result.js';
import { buildWav, expectStudioError, missing, ravdessDir, tempDir, testSignal, type WavSpec } from './helpers.js';

/**
 * A corpus of malformed files: every one must give a StudioError (DECODE_FAILED or
 * UNSUPPORTED_FORMAT) naming the file, quickly, from probeAudio, decodeFile and loadAudio alike.
 */

let dir = '';
let remove: () => Promise<void> = async () => {};
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const SR = 16_000;
const good: WavSpec = { formatTag: 1, bits: 16, channels: 1, sampleRate: SR };
const noise = (length: number, seed = 1) => Uint8Array.from({ length }, (_, i) => (i * 7919 + seed * 104_729 + 13) % 251);
const MB = 1024 * 1024;

type BadCode = 'DECODE_FAILED' | 'UNSUPPORTED_FORMAT';
interface BadFile {
  name: string;
  bytes: () => Uint8Array | Promise<Uint8Array>;
  code: BadCode | BadCode[];
  reason?: RegExp;
}

/** A valid 0.1 s WAV, and its bytes with `edit` applied. */
function wavWith(edit: (bytes: Uint8Array, view: DataView) => void, spec: WavSpec = good): Uint8Array {
  const bytes = buildWav(spec, testSignal(spec.channels, SR / 10, SR));
  edit(bytes, new DataView(bytes.buffer));
  return bytes;
}

const wavCorpus: BadFile[] = [
  { name: 'empty.wav', bytes: () => new Uint8Array(0), code: 'DECODE_FAILED', reason: /empty file/ },
  { name: 'random.wav', bytes: () => noise(4096), code: 'UNSUPPORTED_FORMAT', reason: /unknown first bytes/ },
  // A header cut at every length up to the first sample.
  ...[1, 4, 8, 11, 12, 16, 20, 24, 28, 35, 36, 40, 43, 44].map(
    (length): BadFile => ({ name: `header-cut-${length}.wav`, bytes: () => buildWav(good, testSignal(1, 100, SR)).subarray(0, length), code: ['DECODE_FAILED', 'UNSUPPORTED_FORMAT'] }),
  ),
  { name: 'cut-mid-sample.wav', bytes: () => buildWav(good, testSignal(1, 100, SR)).subarray(0, 44 + 101), code: 'DECODE_FAILED', reason: /truncated/ },
  { name: 'cut-half.wav', bytes: () => buildWav(good, testSignal(1, 1000, SR)).subarray(0, 1044), code: 'DECODE_FAILED', reason: /truncated/ },
  { name: 'data-size-huge.wav', bytes: () => wavWith((_, v) => v.setUint32(40, 0xfffffff0, true)), code: 'DECODE_FAILED', reason: /truncated: header declares 4294967280 bytes/ },
  { name: 'fmt-size-huge.wav', bytes: () => wavWith((_, v) => v.setUint32(16, 0x7ffffff0, true)), code: 'DECODE_FAILED', reason: /no fmt chunk|truncated|fmt chunk/ },
  { name: 'fmt-size-small.wav', bytes: () => wavWith((_, v) => v.setUint32(16, 8, true)), code: 'DECODE_FAILED', reason: /fmt chunk is 8 bytes/ },
  { name: 'fmt-size-odd.wav', bytes: () => wavWith((_, v) => v.setUint32(16, 17, true)), code: 'DECODE_FAILED' },
  { name: 'zero-channels.wav', bytes: () => wavWith((_, v) => v.setUint16(22, 0, true)), code: 'DECODE_FAILED', reason: /zero channels/ },
  { name: 'zero-rate.wav', bytes: () => wavWith((_, v) => v.setUint32(24, 0, true)), code: 'DECODE_FAILED', reason: /zero sample rate/ },
  { name: 'zero-bits.wav', bytes: () => wavWith((_, v) => v.setUint16(34, 0, true)), code: 'UNSUPPORTED_FORMAT', reason: /0 bits per sample/ },
  { name: 'twelve-bits.wav', bytes: () => wavWith((_, v) => v.setUint16(34, 12, true)), code: 'UNSUPPORTED_FORMAT', reason: /12 bits/ },
  { name: 'block-align-zero.wav', bytes: () => wavWith((_, v) => v.setUint16(32, 0, true)), code: 'DECODE_FAILED', reason: /block align mismatch/ },
  { name: 'float-16-bits.wav', bytes: () => wavWith((_, v) => v.setUint16(20, 3, true)), code: 'UNSUPPORTED_FORMAT', reason: /codec 0x3 with 16 bits/ },
  { name: 'no-data-chunk.wav', bytes: () => wavWith((b) => b.set([0x64, 0x61, 0x74, 0x41], 36)).subarray(0, 44), code: 'DECODE_FAILED', reason: /no data chunk/ },
  { name: 'binary-chunk-id.wav', bytes: () => wavWith((b) => b.set([0, 1, 2, 3], 36)), code: 'DECODE_FAILED', reason: /corrupt chunk header at byte 36/ },
  { name: 'zero-frames.wav', bytes: () => buildWav(good, [new Float64Array(0)]), code: 'DECODE_FAILED', reason: /no audio frames/ },
  { name: 'less-than-one-frame.wav', bytes: () => buildWav({ ...good, channels: 2 }, testSignal(2, 1, SR)).subarray(0, 46), code: 'DECODE_FAILED', reason: /no audio frames|truncated/ },
  {
    name: 'riff-then-zeros.wav',
    bytes: () => {
      const bytes = new Uint8Array(1 * MB);
      bytes.set(buildWav(good, testSignal(1, 1, SR)).subarray(0, 12));
      return bytes;
    },
    code: 'DECODE_FAILED',
    reason: /corrupt chunk header at byte 12/,
  },
  {
    name: 'many-tiny-chunks.wav',
    bytes: () => {
      const bytes = new Uint8Array(12 + 8 * 5000);
      bytes.set(buildWav(good, testSignal(1, 1, SR)).subarray(0, 12));
      for (let at = 12; at < bytes.length; at += 8) bytes.set([0x4a, 0x55, 0x4e, 0x4b], at); // "JUNK", size 0
      return bytes;
    },
    code: 'DECODE_FAILED',
    reason: /no data chunk among the first 1024 chunks/,
  },
];

const compressedCorpus: BadFile[] = [
  ...['flac', 'mp3', 'ogg', 'opus'].flatMap((ext): BadFile[] => [
    { name: `empty.${ext}`, bytes: () => new Uint8Array(0), code: 'DECODE_FAILED', reason: /empty file/ },
    { name: `random.${ext}`, bytes: () => noise(8192, ext.length), code: 'UNSUPPORTED_FORMAT', reason: /unknown first bytes/ },
  ]),
  { name: 'flac-magic-only.flac', bytes: () => new TextEncoder().encode('fLaC'), code: 'DECODE_FAILED', reason: /too short/ },
  {
    name: 'flac-header-then-garbage.flac',
    bytes: () => {
      const bytes = noise(64 * 1024);
      bytes.set([0x66, 0x4c, 0x61, 0x43, 0x80, 0x00, 0x00, 0x22], 0);
      bytes.set([0x10, 0x00, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0x0b, 0xb8, 0x00, 0xf0], 8); // 48 kHz mono 16-bit
      return bytes;
    },
    code: 'DECODE_FAILED',
    reason: /no frame header at byte 42/,
  },
  {
    name: 'id3-then-garbage.mp3',
    bytes: () => {
      const bytes = noise(64 * 1024, 3).map((b) => b & 0x7f); // no byte can start an MPEG sync
      bytes.set([0x49, 0x44, 0x33, 0x04, 0, 0, 0, 0, 0, 10], 0);
      return bytes;
    },
    code: 'DECODE_FAILED',
  },
  {
    name: 'ogg-vorbis-then-garbage.ogg',
    bytes: () => {
      const bytes = noise(64 * 1024, 5);
      bytes.set([0x4f, 0x67, 0x67, 0x53], 0);
      bytes[26] = 1;
      bytes.set([0x01, 0x76, 0x6f, 0x72, 0x62, 0x69, 0x73], 28);
      return bytes;
    },
    code: 'DECODE_FAILED',
  },
  ...[0.1, 0.3, 0.5, 0.8].map(
    (fraction): BadFile => ({
      name: `mp3-cut-${fraction}.mp3`,
      bytes: async () => (await readFile(join(fixtures, 'tone-stereo.mp3'))).subarray(0, Math.floor(fraction * 300)),
      code: 'DECODE_FAILED',
    }),
  ),
  ...[0.05, 0.2].map(
    (fraction): BadFile => ({
      name: `ogg-cut-${fraction}.ogg`,
      bytes: async () => {
        const bytes = await readFile(join(fixtures, 'tone-stereo.ogg'));
        return bytes.subarray(0, Math.floor(fraction * bytes.length));
      },
      code: 'DECODE_FAILED',
    }),
  ),
];

async function expectRejected(path: string, code: BadCode | BadCode[], reason?: RegExp): Promise<void> {
  const codes = Array.isArray(code) ? code : [code];
  for (const call of [() => probeAudio(path), () => decodeFile(path), () => loadAudio(path, { offsetSec: 0.6, durationSec: 2.5 })]) {
    const started = performance.now();
    const error = await call().then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - started, `${path} took too long`).toBeLessThan(2000);
    expect(error, `expected ${codes.join(' or ')} for ${path}`).toBeInstanceOf(StudioError);
    const studioError = error as StudioError;
    expect(codes, `${path}: ${studioError.message}`).toContain(studioError.code);
    expect(studioError.message).toContain(path);
    if (reason) expect(studioError.message).toMatch(reason);
  }
}

describe('malformed WAV files', () => {
  it.each(wavCorpus.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const path = join(dir, c.name);
    await writeFile(path, await c.bytes());
    await expectRejected(path, c.code, c.reason);
  });
});

describe('malformed compressed files', () => {
  it.each(compressedCorpus.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const path = join(dir, c.name);
    await writeFile(path, await c.bytes());
    await expectRejected(path, c.code, c.reason);
  });
});

const skipRavdess = missing(join(ravdessDir, 'Actor_07'));

describe.skipIf(skipRavdess !== null)(`a real FLAC cut at every tenth of its length (${skipRavdess ?? ravdessDir})`, () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9])('cut at %i/10', async (tenths) => {
    const bytes = await readFile(join(ravdessDir, 'Actor_07/03-01-08-02-01-01-07.flac'));
    const path = join(dir, `cut-${tenths}.flac`);
    await writeFile(path, bytes.subarray(0, Math.floor((tenths * bytes.length) / 10)));
    // A range inside the intact part may still decode (as a seek would); the whole file must not.
    await expectStudioError(probeAudio(path), 'DECODE_FAILED', path, /truncated or corrupt: STREAMINFO declares 185786 samples/);
    await expectStudioError(decodeFile(path), 'DECODE_FAILED', path, /truncated or corrupt/);
    await expectStudioError(loadAudio(path, { offsetSec: 3.8 }), 'DECODE_FAILED', path, /truncated or corrupt/);
  });
});

describe('a 2 GB sparse file named .wav', () => {
  const size = 2 * 1024 * MB;
  const paths: string[] = [];
  afterAll(() => Promise.all(paths.map((p) => rm(p, { force: true }))));

  /** A sparse file of `size` bytes that starts with `head`: no disk blocks for the rest. */
  async function sparse(name: string, head: Uint8Array): Promise<string> {
    const path = join(dir, name);
    paths.push(path);
    await writeFile(path, head);
    await truncate(path, size);
    return path;
  }

  function wavHeader(dataBytes: number): Uint8Array {
    const head = buildWav(good, [new Float64Array(0)]);
    const view = new DataView(head.buffer);
    view.setUint32(4, Math.min(0xffffffff, 36 + dataBytes), true);
    view.setUint32(40, dataBytes, true);
    return head;
  }

  it('with garbage for a header: UNSUPPORTED_FORMAT, without reading it', async () => {
    const path = await sparse('garbage-2g.wav', noise(4096));
    const before = process.memoryUsage().rss;
    await expectRejected(path, 'UNSUPPORTED_FORMAT', /unknown first bytes/);
    expect((process.memoryUsage().rss - before) / MB).toBeLessThan(100);
  });

  it('with a RIFF header and zeros after it: DECODE_FAILED at once, the zeros are not walked', async () => {
    const path = await sparse('riff-zeros-2g.wav', wavHeader(0).subarray(0, 12));
    const before = process.memoryUsage().rss;
    await expectRejected(path, 'DECODE_FAILED', /corrupt chunk header at byte 12/);
    expect((process.memoryUsage().rss - before) / MB).toBeLessThan(100);
  });

  it('with a header declaring more data than the 2 GB it has: DECODE_FAILED truncated', async () => {
    const path = await sparse('short-2g.wav', wavHeader(0xfffffff0));
    await expectRejected(path, 'DECODE_FAILED', /truncated: header declares 4294967280 bytes of data, file has 2147483604/);
  });

  it('with a valid header for its 2 GB: a valid (silent) 6-hour clip, probed and cut without reading it whole', async () => {
    const path = await sparse('valid-2g.wav', wavHeader(size - 44));
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const info = await probeAudio(path);
    expect(info).toEqual({ format: 'wav', sampleRate: SR, channels: 1, frames: (size - 44) / 2, durationSec: (size - 44) / 2 / SR });
    const { y, nonFiniteSamples } = await loadAudio(path, { sampleRate: null, offsetSec: 20_000, durationSec: 2.5 });
    expect(y).toHaveLength(2.5 * SR);
    expect(y.every((v) => v === 0)).toBe(true);
    expect(nonFiniteSamples).toBe(0);
    // Asking for all of it at once is refused rather than attempted.
    await expectStudioError(decodeFile(path), 'INVALID_ARGUMENT', path, /read a shorter range/);
    expect(performance.now() - started).toBeLessThan(2000);
    const grownMb = (process.memoryUsage().rss - before) / MB;
    console.info(`2 GB sparse WAV: probe + loadAudio(offset 20000 s, 2.5 s) + refused whole decode, RSS +${grownMb.toFixed(1)} MB`);
    expect(grownMb).toBeLessThan(100);
  });
});

describe('NaN and infinities in a float WAV', () => {
  it('loadAudio replaces them by 0 and counts them; decodeFile returns the file as it is', async () => {
    const frames = 4000;
    const signal = testSignal(2, frames, SR);
    const bad = [10, 11, 500, 3999];
    for (const i of bad) signal[0][i] = Number.NaN;
    signal[1][20] = Number.POSITIVE_INFINITY;
    signal[1][21] = Number.NEGATIVE_INFINITY;
    signal[1][22] = 1e300; // finite in float64, infinite once stored as float32
    const path = join(dir, 'nan.wav');
    await writeFile(path, buildWav({ formatTag: 3, bits: 64, channels: 2, sampleRate: SR }, signal));

    const raw = await decodeFile(path);
    expect(Number.isNaN(raw.data[0][10])).toBe(true);

    const loaded = await loadAudio(path, { sampleRate: null });
    expect(loaded.nonFiniteSamples).toBe(bad.length + 3);
    expect(loaded.y.every(Number.isFinite)).toBe(true);
    // A bad sample counts as 0 in the mean of the channels, the other channel's half survives.
    expect(loaded.y[10]).toBeCloseTo(signal[1][10] / 2, 6);
    expect(loaded.y[20]).toBeCloseTo(signal[0][20] / 2, 6);

    const resampled = await loadAudio(path, { sampleRate: 22_050 });
    expect(resampled.nonFiniteSamples).toBe(bad.length + 3);
    expect(resampled.y.every(Number.isFinite)).toBe(true);

    const clean = join(dir, 'clean-float.wav');
    await writeFile(clean, buildWav({ formatTag: 3, bits: 32, channels: 1, sampleRate: SR }, testSignal(1, 100, SR)));
    expect((await loadAudio(clean)).nonFiniteSamples).toBe(0);
  });
});

describe('corpus size', () => {
  it('holds at least 30 malformed files', () => {
    expect(wavCorpus.length + compressedCorpus.length).toBeGreaterThanOrEqual(50);
  });
});
