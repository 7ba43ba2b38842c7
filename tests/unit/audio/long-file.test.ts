import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import CodecParser from 'codec-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeFile, parseFlacFrameHeader, scanFlacFrames, type FlacFrame } from '../../../src-main/audio/decode.js';
import { FlacFrameDecoder } from '../../../src-main/audio/flac-wasm.js';
import { loadAudio } from '../../../src-main/audio/load.js';
import { probeAudio } from '../../../src-main/audio/probe.js';
import { bufferSource } from '../../../src-main/audio/wav.js';
import { buildWav, missing, ravdessDir, tempDir } from './helpers.js';

/**
 * Long files are processed in memory bounded by the range asked for: a 1-hour WAV and a
 * 15-minute FLAC (built from real FLAC frames) are probed and cut without holding the file's
 * samples. Memory is measured as growth of RSS (and of ArrayBuffer memory) around the call.
 */

let dir = '';
let remove: () => Promise<void> = async () => {};
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());
afterEach(() => vi.restoreAllMocks());

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

/** Runs `task`, returning its value and how much RSS and ArrayBuffer memory grew (MB) from before to the peak seen after. */
async function measured<T>(task: () => Promise<T>): Promise<{ value: T; rssMb: number; arrayBuffersMb: number; ms: number }> {
  gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakBuffers = before.arrayBuffers;
  const sample = () => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakBuffers = Math.max(peakBuffers, now.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  try {
    const value = await task();
    sample();
    return { value, rssMb: (peakRss - before.rss) / MB, arrayBuffersMb: (peakBuffers - before.arrayBuffers) / MB, ms: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}

/**
 * The 1-hour test signal, as 16-bit integers: a 480 Hz tone (period 100 samples at 48 kHz) plus a
 * staircase that steps every 100 samples, so every sample's position in the file can be checked.
 */
const TONE = Array.from({ length: 100 }, (_, k) => Math.round(12_000 * Math.sin((2 * Math.PI * k) / 100)));
function hourSample(i: number): number {
  return TONE[i % 100] + (Math.floor(i / 100) % 2000) - 1000;
}

describe('a 1-hour 48 kHz 16-bit mono WAV (345 MB)', () => {
  const sampleRate = 48_000;
  const frames = 3600 * sampleRate;
  let path = '';

  beforeAll(async () => {
    path = join(dir, 'hour.wav');
    const header = buildWav({ formatTag: 1, bits: 16, channels: 1, sampleRate }, [new Float64Array(0)]);
    new DataView(header.buffer).setUint32(40, frames * 2, true);
    new DataView(header.buffer).setUint32(4, 36 + frames * 2, true);
    const file = await open(path, 'w');
    try {
      await file.write(header);
      const piece = new Int16Array(4 * sampleRate * 10);
      for (let start = 0; start < frames; start += piece.length) {
        const n = Math.min(piece.length, frames - start);
        for (let j = 0; j < n; j++) piece[j] = hourSample(start + j);
        await file.write(new Uint8Array(piece.buffer, 0, n * 2));
      }
    } finally {
      await file.close();
    }
  }, 60_000);

  afterAll(async () => {
    if (path) await writeFile(path, new Uint8Array(0)); // give the disk space back before the folder goes
  });

  it('probes from the header alone: fast, with the right duration', async () => {
    const { value: info, ms, rssMb } = await measured(() => probeAudio(path));
    console.info(`1-hour WAV probe: ${ms.toFixed(1)} ms, RSS +${rssMb.toFixed(1)} MB`);
    expect(info).toEqual({ format: 'wav', sampleRate, channels: 1, frames, durationSec: 3600 });
    expect(ms).toBeLessThan(200);
  });

  it('loads offset 1800 s, duration 2.5 s exactly as written, in bounded memory', async () => {
    const { value, rssMb, arrayBuffersMb } = await measured(() => loadAudio(path, { sampleRate: null, offsetSec: 1800, durationSec: 2.5 }));
    console.info(`1-hour WAV loadAudio(offset 1800, duration 2.5): RSS +${rssMb.toFixed(1)} MB, ArrayBuffers +${arrayBuffersMb.toFixed(1)} MB`);
    expect(value.sampleRate).toBe(sampleRate);
    expect(value.y).toHaveLength(2.5 * sampleRate);
    expect(value.nonFiniteSamples).toBe(0);
    const first = 1800 * sampleRate;
    for (let i = 0; i < value.y.length; i++) {
      if (value.y[i] !== hourSample(first + i) / 32768) expect(value.y[i], `sample ${first + i}`).toBe(hourSample(first + i) / 32768);
    }
    expect(rssMb).toBeLessThan(50);
    expect(arrayBuffersMb).toBeLessThan(50);
  });

  it('loads the same range resampled to 22050 Hz: 55125 samples', async () => {
    const { value, rssMb } = await measured(() => loadAudio(path, { sampleRate: 22_050, offsetSec: 1800, durationSec: 2.5 }));
    expect(value.y).toHaveLength(55_125);
    expect(rssMb).toBeLessThan(50);
  });
});

// ---- FLAC -------------------------------------------------------------------------------------

function crc8(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** FLAC's UTF-8-like coding of a frame number (up to 31 bits). */
function utf8Number(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  let rest = n;
  while (rest >= 1 << (6 - out.length)) {
    out.unshift(0x80 | (rest & 0x3f));
    rest = Math.floor(rest / 64);
  }
  const lead = (0xff00 >> (out.length + 1)) & 0xff;
  return [lead | rest, ...out];
}

/** `frame` (a fixed-block-size FLAC frame) renumbered as frame `number`, with both CRCs redone. */
function renumber(frame: Uint8Array, number: number): Uint8Array {
  const header = parseFlacFrameHeader(frame, 0);
  if (header === null) throw new Error('not a frame');
  const oldNumberBytes = utf8Number(header.number).length;
  const tail = frame.subarray(4 + oldNumberBytes, header.length - 1); // block size / rate extras
  const newHeader = Uint8Array.from([...frame.subarray(0, 4), ...utf8Number(number), ...tail, 0]);
  newHeader[newHeader.length - 1] = crc8(newHeader.subarray(0, newHeader.length - 1));
  const body = frame.subarray(header.length, frame.length - 2);
  const out = new Uint8Array(newHeader.length + body.length + 2);
  out.set(newHeader);
  out.set(body, newHeader.length);
  const crc = crc16(out.subarray(0, out.length - 2));
  out[out.length - 2] = crc >> 8;
  out[out.length - 1] = crc & 0xff;
  return out;
}

const skipRavdess = missing(join(ravdessDir, 'Actor_07'));
const realFlac = join(ravdessDir, 'Actor_07/03-01-08-02-01-01-07.flac');

/** The frames of a FLAC file in memory, found by our scanner after the metadata blocks. */
async function framesOf(bytes: Uint8Array): Promise<FlacFrame[]> {
  let audioStart = 4;
  for (let last = false; !last; ) {
    last = (bytes[audioStart] & 0x80) !== 0;
    audioStart += 4 + ((bytes[audioStart + 1] << 16) | (bytes[audioStart + 2] << 8) | bytes[audioStart + 3]);
  }
  const frames: FlacFrame[] = [];
  for await (const frame of scanFlacFrames(bufferSource(bytes), audioStart, 'test.flac')) frames.push(frame);
  return frames;
}

describe.skipIf(skipRavdess !== null)(`FLAC ranges decode only the frames that cover them (${skipRavdess ?? realFlac})`, () => {
  it('the frame scanner finds the frames codec-parser finds, and the short final block it misses', async () => {
    const bytes = await readFile(realFlac);
    const ours = await framesOf(bytes);
    const theirs = new CodecParser('audio/flac').parseAll(bytes);
    expect(ours.length).toBeGreaterThanOrEqual(theirs.length);
    // codec-parser may glue the final short block to the one before; every other frame matches.
    theirs.slice(0, -1).forEach((frame, i) => expect(ours[i].data.length, `frame ${i}`).toBe(frame.data.length));
    expect(ours.reduce((sum, f) => sum + f.blockSize, 0)).toBe(185_786);
    ours.forEach((f, i) => expect(f.firstSample).toBe(i * 4096));
  });

  it('offset 2.0 s, duration 0.5 s equals the whole decode sliced, and the decoder sees only covering frames', async () => {
    const whole = await decodeFile(realFlac);
    const spy = vi.spyOn(FlacFrameDecoder.prototype, 'decodeFrames');
    const part = await decodeFile(realFlac, { offsetSec: 2.0, durationSec: 0.5 });
    const start = 96_000;
    const count = 24_000;
    expect(part.frames).toBe(count);
    expect(Array.from(part.data[0])).toEqual(Array.from(whole.data[0].subarray(start, start + count)));
    // Samples 96000..119999 lie in frames 23 (from 94208) to 29 (to 122880): 7 frames of 4096.
    const given = spy.mock.calls.flatMap(([frames]) => frames);
    expect(given).toHaveLength(7);
    const headers = given.map((frame) => parseFlacFrameHeader(frame, 0)?.number);
    expect(headers).toEqual([23, 24, 25, 26, 27, 28, 29]);
  });

  describe('a 15-minute FLAC built by renumbering real frames', () => {
    const sampleRate = 48_000;
    let path = '';
    let loop: FlacFrame[] = [];
    let loopSamples: Float32Array = new Float32Array(0);
    const frameCount = Math.ceil((900 * sampleRate) / 4096);

    beforeAll(async () => {
      const bytes = await readFile(realFlac);
      const frames = await framesOf(bytes);
      // Full 4096-sample frames from the speech (the first ones are near silence).
      loop = frames.slice(5, 40);
      const whole = await decodeFile(realFlac);
      loopSamples = whole.data[0].slice(5 * 4096, 40 * 4096);
      const total = frameCount * 4096;
      const head = Uint8Array.from(bytes.subarray(0, 42));
      head[4] = 0x80; // STREAMINFO is the last metadata block
      // Total samples: 36 bits from the low nibble of byte 21 to byte 25.
      head[21] = (head[21] & 0xf0) | Math.floor(total / 2 ** 32);
      new DataView(head.buffer).setUint32(22, total % 2 ** 32);
      head.fill(0, 26, 42); // MD5 unknown
      path = join(dir, 'quarter-hour.flac');
      const file = await open(path, 'w');
      try {
        await file.write(head);
        const pieces: Uint8Array[] = [];
        for (let k = 0; k < frameCount; k++) {
          pieces.push(renumber(loop[k % loop.length].data, k));
          if (pieces.length === 512 || k === frameCount - 1) {
            await file.write(Buffer.concat(pieces));
            pieces.length = 0;
          }
        }
      } finally {
        await file.close();
      }
    }, 60_000);

    it('probes by decoding every frame, keeping only counts: bounded memory, right duration', async () => {
      const { value: info, rssMb, arrayBuffersMb, ms } = await measured(() => probeAudio(path));
      console.info(`15-minute FLAC probe: ${ms.toFixed(0)} ms, RSS +${rssMb.toFixed(1)} MB, ArrayBuffers +${arrayBuffersMb.toFixed(1)} MB (the samples alone are ${((frameCount * 4096 * 4) / MB).toFixed(0)} MB)`);
      expect(info).toEqual({ format: 'flac', sampleRate, channels: 1, frames: frameCount * 4096, durationSec: (frameCount * 4096) / sampleRate });
      expect(rssMb).toBeLessThan(50);
      expect(arrayBuffersMb).toBeLessThan(50);
    }, 30_000);

    it('loads offset 450 s, duration 2.5 s: the frames that were written there', async () => {
      const { value, rssMb } = await measured(() => loadAudio(path, { sampleRate: null, offsetSec: 450, durationSec: 2.5 }));
      console.info(`15-minute FLAC loadAudio(offset 450, duration 2.5): RSS +${rssMb.toFixed(1)} MB`);
      expect(value.y).toHaveLength(120_000);
      const first = 450 * sampleRate;
      for (let i = 0; i < value.y.length; i++) {
        const expected = loopSamples[(first + i) % loopSamples.length];
        if (value.y[i] !== expected) expect(value.y[i], `sample ${first + i}`).toBe(expected);
      }
      expect(rssMb).toBeLessThan(50);
    });
  });
});
