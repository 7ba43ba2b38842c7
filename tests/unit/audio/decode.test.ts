import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeFile, parseFlacStreamInfo, sniffCodec, splitAtFlacHeaders } from '../../../src-main/audio/decode.js';
import { probeAudio } from '../../../src-main/audio/probe.js';
import runWorker from '../../../src-main/workers/audio-worker.js';
import { expectStudioError, missing, ravdessDir, tempDir } from './helpers.js';

let dir = '';
let remove: () => Promise<void> = async () => {};
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

describe('sniffCodec', () => {
  const bytes = (text: string, at = 0, length = 64) => {
    const b = new Uint8Array(length);
    [...text].forEach((ch, i) => (b[at + i] = ch.charCodeAt(0)));
    return b;
  };
  it('tells containers from their first bytes', () => {
    const wav = bytes('RIFF');
    wav.set(bytes('WAVE').subarray(0, 4), 8);
    expect(sniffCodec(wav)).toBe('wav');
    expect(sniffCodec(bytes('fLaC'))).toBe('flac');
    expect(sniffCodec(bytes('ID3\x04'))).toBe('mp3');
    expect(sniffCodec(Uint8Array.from([0xff, 0xfb, 0x90, 0x64, 0, 0]))).toBe('mp3');
    const ogg = (codecHeader: string) => {
      const b = bytes('OggS');
      b[26] = 1; // one segment
      b.set(bytes(codecHeader).subarray(0, codecHeader.length), 28);
      return b;
    };
    expect(sniffCodec(ogg('\x01vorbis'))).toBe('vorbis');
    expect(sniffCodec(ogg('OpusHead'))).toBe('opus');
    expect(sniffCodec(bytes('MThd'))).toBeNull();
    expect(sniffCodec(new Uint8Array(0))).toBeNull();
  });
});

const skipRavdess = missing(join(ravdessDir, 'Actor_07'));

describe.skipIf(skipRavdess !== null)(`real FLAC files (${skipRavdess ?? ravdessDir})`, () => {
  const flacPath = join(ravdessDir, 'Actor_07/03-01-08-02-01-01-07.flac');

  it('decodes RAVDESS FLAC with libsndfile scaling (integers / 32768)', async () => {
    const decoded = await decodeFile(flacPath);
    expect(decoded).toMatchObject({ format: 'flac', sampleRate: 48_000, channels: 1, frames: 185_786 });
    // Every sample is an exact multiple of 1/32768, as soundfile returns it.
    for (let i = 0; i < decoded.frames; i += 97) expect(Number.isInteger(decoded.data[0][i] * 32768)).toBe(true);
    expect(decoded.data[0][30_000] * 32768).toBe(-23);
    expect(await probeAudio(flacPath)).toEqual({ format: 'flac', sampleRate: 48_000, channels: 1, frames: 185_786, durationSec: 185_786 / 48_000 });
  });

  it('keeps decoded arrays intact when the shared decoder moves on to another file', async () => {
    const first = await decodeFile(flacPath);
    const copy = first.data[0].slice();
    const files = (await readdir(join(ravdessDir, 'Actor_08'))).filter((f) => f.endsWith('.flac')).slice(0, 3);
    await Promise.all(files.map((f) => decodeFile(join(ravdessDir, 'Actor_08', f))));
    expect(first.data[0]).toEqual(copy);
  });

  it('decodes ranges exactly in any file order, though one decoder serves them all', async () => {
    // A range decode skips frames, so the reused decoder sees frames that start past the last
    // one it decoded (from another file): it must not take that as a missing frame.
    const complaints: unknown[][] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void complaints.push(args));
    try {
      const files = (await readdir(join(ravdessDir, 'Actor_08'))).filter((f) => f.endsWith('.flac')).slice(0, 4).map((f) => join(ravdessDir, 'Actor_08', f));
      const whole = [];
      for (const file of files) whole.push((await decodeFile(file)).data[0]);
      const ranges: [number, number][] = [[28_800, 120_000], [0, 4_800], [96_000, 24_000], [4_096, 4_096], [28_800, 120_000]];
      for (let round = 0; round < 3; round++) {
        for (let k = 0; k < files.length; k++) {
          const i = (k * (round + 1)) % files.length;
          const [startFrame, frameCount] = ranges[(k + round) % ranges.length];
          const part = await decodeFile(files[i], { startFrame, frameCount });
          expect(part.data[0]).toEqual(whole[i].subarray(startFrame, startFrame + frameCount));
        }
      }
    } finally {
      spy.mockRestore();
    }
    expect(complaints).toEqual([]);
  });

  it('rejects a truncated FLAC and a FLAC with damaged frames, naming the file', async () => {
    const bytes = await readFile(flacPath);
    const cut = join(dir, 'cut.flac');
    await writeFile(cut, bytes.subarray(0, bytes.length >> 1));
    await expectStudioError(probeAudio(cut), 'DECODE_FAILED', cut, /truncated or corrupt: STREAMINFO declares 185786 samples/);

    const damaged = join(dir, 'damaged.flac');
    const flipped = Uint8Array.from(bytes);
    for (let i = 20_000; i < 20_400; i++) flipped[i] ^= 0x5a;
    await writeFile(damaged, flipped);
    await expectStudioError(decodeFile(damaged), 'DECODE_FAILED', damaged, /truncated or corrupt|corrupt FLAC/);

    const headerOnly = join(dir, 'header-only.flac');
    await writeFile(headerOnly, bytes.subarray(0, 30));
    await expectStudioError(probeAudio(headerOnly), 'DECODE_FAILED', headerOnly, /too short/);
  });

  it('the worker task returns the probe facts and the SHA-256 of the bytes', async () => {
    const result = await runWorker({ kind: 'probe', path: flacPath });
    const sha256 = createHash('sha256').update(await readFile(flacPath)).digest('hex');
    expect(result).toEqual({ ok: true, value: { format: 'flac', sampleRate: 48_000, channels: 1, frames: 185_786, durationSec: 185_786 / 48_000, sha256 } });
  });

  it('the worker reports failures as typed data naming the file, since thrown errors lose their code across threads', async () => {
    const missing = join(tmpdir(), 'es-no-such-file.flac');
    const result = await runWorker({ kind: 'probe', path: missing });
    expect(result).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    if (!result.ok) expect(result.message).toContain(missing);
  });

  it('probes a whole actor folder (FLAC) with no failures', async () => {
    const folder = join(ravdessDir, 'Actor_03');
    const files = (await readdir(folder)).filter((f) => f.endsWith('.flac'));
    expect(files.length).toBeGreaterThan(0);
    const started = performance.now();
    const infos = await Promise.all(files.map((f) => probeAudio(join(folder, f))));
    const msPerFile = (performance.now() - started) / files.length;
    console.info(`probe: ${files.length} FLAC files, ${msPerFile.toFixed(2)} ms per file`);
    for (const info of infos) expect(info).toMatchObject({ format: 'flac', sampleRate: 48_000, channels: 1 });
  });
});

describe.skipIf(skipRavdess !== null)(`every frame of real FLAC files (${skipRavdess ?? ravdessDir})`, () => {
  // These actors hold files whose final short block codec-parser leaves glued to the block before
  // or unparsed; each must still decode to exactly the sample count its STREAMINFO declares.
  it.each(['Actor_04', 'Actor_09', 'Actor_18'])('%s: decoded length equals STREAMINFO for every file', async (actor) => {
    const folder = join(ravdessDir, actor);
    for (const name of (await readdir(folder)).filter((f) => f.endsWith('.flac'))) {
      const bytes = await readFile(join(folder, name));
      const declared = parseFlacStreamInfo(bytes, name).totalFrames;
      const decoded = await decodeFile(join(folder, name));
      expect(decoded.frames, name).toBe(declared);
      expect(decoded.data[0].length, name).toBe(declared);
    }
  });

  it('finds frame headers by their CRC-8, not by the sync code alone', () => {
    // Two minimal frame headers (sync, block size code 7 = 16-bit size, 48 kHz, mono 16-bit,
    // frame number, size-1, CRC-8) and a fake sync inside the payload that fails its CRC.
    const header = (frameNumber: number, sizeMinusOne: number) => {
      const bytes = [0xff, 0xf8, 0x7a, 0x08, frameNumber, sizeMinusOne >> 8, sizeMinusOne & 0xff];
      let crc = 0;
      for (const byte of bytes) {
        crc ^= byte;
        for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
      }
      return [...bytes, crc];
    };
    const first = [...header(0, 4095), 1, 2, 0xff, 0xf8, 0x7a, 0x08, 0, 0, 0, 0x55, 3, 4];
    const second = [...header(1, 3748), 5, 6, 7, 8];
    const parts = splitAtFlacHeaders(Uint8Array.from([...first, ...second]));
    expect(parts.map((part) => Array.from(part))).toEqual([first, second]);
  });
});

describe('foreign bytes under audio names', () => {
  for (const name of ['noise.flac', 'noise.mp3', 'noise.ogg']) {
    it(`${name} is UNSUPPORTED_FORMAT`, async () => {
      const path = join(dir, name);
      await writeFile(path, Uint8Array.from({ length: 2048 }, (_, i) => (i * 31 + 7) % 253));
      await expectStudioError(probeAudio(path), 'UNSUPPORTED_FORMAT', path);
      await expectStudioError(decodeFile(path), 'UNSUPPORTED_FORMAT', path);
    });
  }

  it('a FLAC magic followed by garbage is DECODE_FAILED', async () => {
    const path = join(dir, 'fake.flac');
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 253);
    bytes.set([0x66, 0x4c, 0x61, 0x43, 0x00, 0x00, 0x00, 0x22], 0);
    await writeFile(path, bytes);
    await expectStudioError(probeAudio(path), 'DECODE_FAILED', path);
  });

  it('an Ogg page claiming Vorbis with garbage after it is DECODE_FAILED', async () => {
    const path = join(dir, 'fake.ogg');
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 253);
    bytes.set([0x4f, 0x67, 0x67, 0x53], 0);
    bytes[26] = 1;
    bytes.set([0x01, 0x76, 0x6f, 0x72, 0x62, 0x69, 0x73], 28);
    await writeFile(path, bytes);
    await expectStudioError(probeAudio(path), 'DECODE_FAILED', path);
  });
});
