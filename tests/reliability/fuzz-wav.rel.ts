import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSource } from '../../src-main/audio/decode.js';
import { bufferSource, parseWavHeader, readWavFrames } from '../../src-main/audio/wav.js';
import { StudioError } from '../../src-shared/contract/result.js';
import { envNumber, runSeed } from './helpers.js';
import { chunk, concat, encodeWavCase, expectedChannels, extraChunkArb, fmtBody, wavCaseArb } from './wav-gen.js';

/**
 * Property-based fuzzing of the WAV parser (src-main/audio/wav.ts) and of the decode entry that
 * uses it. Properties: on ANY bytes the parser either returns a header that is consistent with
 * the file, or throws StudioError DECODE_FAILED / UNSUPPORTED_FORMAT (never another error, never
 * a hang); valid generated WAVs of every supported format read back exactly. Case counts are
 * RELIABILITY_FUZZ_SCALE (default 1) times the figures below.
 */

const SCALE = envNumber('RELIABILITY_FUZZ_SCALE', 1);
const SEED = runSeed();
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const ALLOWED = new Set(['DECODE_FAILED', 'UNSUPPORTED_FORMAT']);
/** A case slower than this is a hang for our purposes (they take microseconds). */
const CASE_LIMIT_MS = 2000;

const stats = { cases: 0, ok: 0, codes: new Map<string, number>(), slowestMs: 0, timeMs: new Map<string, { cases: number; ms: number }>() };

/** Parses (and reads and decodes) `bytes`; returns 'ok' or the StudioError code, failing on anything else. */
async function outcome(bytes: Uint8Array): Promise<string> {
  const started = performance.now();
  const source = bufferSource(bytes);
  let result: string;
  try {
    const header = await parseWavHeader(source, 'fuzz.wav');
    // A header that parsed describes bytes that are really there.
    expect(header.channels).toBeGreaterThan(0);
    expect(header.sampleRate).toBeGreaterThan(0);
    expect(header.blockAlign).toBe((header.channels * header.bitsPerSample) / 8);
    expect(header.dataBytes).toBe(header.frames * header.blockAlign);
    expect(header.dataOffset + header.dataBytes).toBeLessThanOrEqual(bytes.length);
    const data = await readWavFrames(source, header, 0, header.frames, 'fuzz.wav');
    expect(data.length).toBe(header.channels);
    for (const channel of data) expect(channel.length).toBe(header.frames);
    if (header.sampleFormat === 'int') for (const channel of data) for (const v of channel) if (!(v >= -1 && v <= 1)) throw new Error(`int sample ${v} outside [-1, 1]`);
    const decoded = await decodeSource(source, 'fuzz.wav', { mono: true });
    expect(decoded.data[0].length).toBe(header.frames);
    result = 'ok';
  } catch (error) {
    if (!(error instanceof StudioError) || !ALLOWED.has(error.code)) throw error;
    result = error.code;
  }
  const ms = performance.now() - started;
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  if (ms > CASE_LIMIT_MS) throw new Error(`one case took ${ms.toFixed(0)} ms`);
  stats.cases += 1;
  stats.codes.set(result, (stats.codes.get(result) ?? 0) + 1);
  return result;
}

async function timed(name: string, cases: number, body: () => Promise<void>): Promise<void> {
  const started = performance.now();
  await body();
  stats.timeMs.set(name, { cases, ms: performance.now() - started });
}

const magicArb = fc.constantFrom('RIFF', 'RF64', 'RIFX', 'riff', 'WAVE').map((text) => Uint8Array.from(text, (ch) => ch.charCodeAt(0)));
const sizeArb = fc.oneof(
  fc.integer({ min: 0, max: 64 }),
  fc.constantFrom(0, 1, 2, 15, 16, 17, 18, 24, 27, 28, 39, 40, 41, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const fmtArb = fc
  .record({
    formatTag: fc.oneof(fc.constantFrom(0, 1, 2, 3, 6, 7, 0x55, 0xfffe), fc.integer({ min: 0, max: 0xffff })),
    channels: fc.oneof(fc.constantFrom(0, 1, 2, 6, 8, 0xffff), fc.integer({ min: 0, max: 0xffff })),
    sampleRate: fc.oneof(fc.constantFrom(0, 1, 8000, 44100, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff })),
    bits: fc.oneof(fc.constantFrom(0, 4, 8, 12, 16, 20, 24, 32, 48, 64, 0xffff), fc.integer({ min: 0, max: 0xffff })),
    alignRight: fc.boolean(),
    blockAlign: fc.integer({ min: 0, max: 0xffff }),
    extensible: fc.option(fc.record({ subTag: fc.constantFrom(1, 3, 0, 0xfffe), goodTail: fc.boolean() }), { nil: undefined }),
    cut: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  })
  .map((f) => {
    const blockAlign = f.alignRight ? (f.channels * f.bits) / 8 : f.blockAlign;
    const body = fmtBody({
      formatTag: f.formatTag,
      channels: f.channels,
      sampleRate: f.sampleRate,
      blockAlign: Number.isInteger(blockAlign) ? blockAlign & 0xffff : f.blockAlign,
      bits: f.bits,
      extensible: f.extensible && { subTag: f.extensible.subTag, tail: f.extensible.goodTail ? undefined : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] },
    });
    return f.cut === undefined ? body : body.subarray(0, f.cut);
  });
/** A chunk as a damaged or hostile file might hold it: any id, a declared size that may lie, any body. */
const hostileChunkArb = fc.oneof(
  fc.tuple(fmtArb, fc.option(sizeArb, { nil: undefined })).map(([body, size]) => chunk('fmt ', body, size ?? body.length)),
  fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.option(sizeArb, { nil: undefined })).map(([body, size]) => chunk('data', body, size ?? body.length)),
  fc.tuple(fc.uint8Array({ maxLength: 32 }), fc.option(sizeArb, { nil: undefined })).map(([body, size]) => chunk('ds64', body, size ?? body.length)),
  fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 32 }), sizeArb).map(([id, body, size]) => chunk(id, body, size)),
  extraChunkArb,
);

describe('WAV parser fuzzing', () => {
  afterAll(() => {
    const lines = [...stats.timeMs].map(([name, t]) => `  ${name}: ${t.cases} cases in ${(t.ms / 1000).toFixed(1)} s`);
    console.log(
      `fuzz-wav: seed ${SEED}, ${stats.cases} parses (${[...stats.codes].map(([code, n]) => `${code} ${n}`).join(', ')}), slowest case ${stats.slowestMs.toFixed(1)} ms\n${lines.join('\n')}`,
    );
  });

  it('random bytes, bare or behind a RIFF/RF64 header: a typed error or a consistent header', async () => {
    const n = runs(25_000);
    await timed('random bytes', n, () =>
      fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.uint8Array({ maxLength: 600 }),
            fc.tuple(magicArb, fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 600 })).map(([magic, size, rest]) => {
              const head = new Uint8Array(12);
              head.set(magic, 0);
              new DataView(head.buffer).setUint32(4, size, true);
              head.set([0x57, 0x41, 0x56, 0x45], 8);
              return concat([head, rest]);
            }),
          ),
          async (bytes) => {
            await outcome(bytes);
          },
        ),
        { numRuns: n, seed: SEED },
      ),
    );
  });

  it('structured hostile files: lying chunk sizes, bad fmt fields, binary ids, RF64 without ds64, cuts', async () => {
    const n = runs(30_000);
    await timed('hostile chunks', n, () =>
      fc.assert(
        fc.asyncProperty(
          magicArb,
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.array(hostileChunkArb, { maxLength: 6 }),
          fc.option(fc.nat(), { nil: undefined }),
          async (magic, riffSize, chunks, cut) => {
            const head = new Uint8Array(12);
            head.set(magic, 0);
            new DataView(head.buffer).setUint32(4, riffSize, true);
            head.set([0x57, 0x41, 0x56, 0x45], 8);
            const file = concat([head, ...chunks]);
            await outcome(cut === undefined ? file : file.subarray(0, cut % (file.length + 1)));
          },
        ),
        { numRuns: n, seed: SEED + 1 },
      ),
    );
  });

  it('valid WAVs with random damage (flipped bytes, overwritten header fields, truncation)', async () => {
    const n = runs(20_000);
    const damageArb = fc.oneof(
      fc.record({ kind: fc.constant('bytes' as const), at: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('field' as const), offset: fc.integer({ min: 0, max: 80 }), value: sizeArb, wide: fc.boolean() }),
      fc.record({ kind: fc.constant('cut' as const), length: fc.nat() }),
    );
    await timed('damaged valid WAVs', n, () =>
      fc.assert(
        fc.asyncProperty(wavCaseArb, damageArb, async (wav, damage) => {
          const bytes = encodeWavCase(wav).slice();
          let damaged = bytes;
          if (damage.kind === 'bytes') for (const [at, value] of damage.at) bytes[at % bytes.length] = value;
          else if (damage.kind === 'field') {
            const view = new DataView(bytes.buffer);
            if (damage.wide && damage.offset + 4 <= bytes.length) view.setUint32(damage.offset, damage.value, true);
            else if (damage.offset + 2 <= bytes.length) view.setUint16(damage.offset, damage.value & 0xffff, true);
          } else damaged = bytes.subarray(0, damage.length % (bytes.length + 1));
          await outcome(damaged);
        }),
        { numRuns: n, seed: SEED + 2 },
      ),
    );
  });

  it('valid WAVs of every supported format round-trip exactly, whole and by random ranges', async () => {
    const n = runs(15_000);
    await timed('valid round-trip', n, () =>
      fc.assert(
        fc.asyncProperty(wavCaseArb, fc.nat(), fc.nat(), async (wav, startSeed, countSeed) => {
          const bytes = encodeWavCase(wav);
          const source = bufferSource(bytes);
          const header = await parseWavHeader(source, 'valid.wav');
          expect(header).toMatchObject({
            sampleFormat: wav.sampleFormat,
            bitsPerSample: wav.bits,
            channels: wav.channels,
            sampleRate: wav.sampleRate,
            frames: wav.frames,
            rf64: wav.rf64,
          });
          const expected = expectedChannels(wav);
          const whole = await readWavFrames(source, header, 0, wav.frames, 'valid.wav');
          expect(whole).toEqual(expected);
          const start = startSeed % (wav.frames + 1);
          const count = countSeed % (wav.frames - start + 2);
          const range = await readWavFrames(source, header, start, count, 'valid.wav');
          expect(range).toEqual(expected.map((channel) => channel.subarray(start, Math.min(wav.frames, start + count))));
          stats.cases += 1;
          stats.ok += 1;
        }),
        { numRuns: n, seed: SEED + 3 },
      ),
    );
  });
});
