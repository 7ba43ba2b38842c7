import fc from 'fast-check';

/**
 * A second WAV writer for the fuzz tests, independent of src-main/audio: a valid file of any
 * format the parser claims to read, with extra chunks (odd sizes, so pad bytes) around fmt and
 * data, optionally RF64, and the sample values it should read back.
 */
export interface WavCase {
  sampleFormat: 'int' | 'float';
  bits: 8 | 16 | 24 | 32 | 64;
  channels: number;
  sampleRate: number;
  extensible: boolean;
  rf64: boolean;
  /** Integer codes (int) or values (float), interleaved [frame][channel]. */
  samples: number[];
  frames: number;
  chunksBeforeFmt: Uint8Array[];
  chunksBeforeData: Uint8Array[];
  chunksAfterData: Uint8Array[];
}

const SUBFORMAT_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

/** A chunk other than fmt/data/ds64: a printable id, a body of any (often odd) length. */
export const extraChunkArb: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.constantFrom('LIST', 'JUNK', 'fact', 'bext', 'cue ', 'id3 ', 'PAD ', 'smpl'), fc.uint8Array({ maxLength: 37 }))
  .map(([id, body]) => chunk(id, body));

export const wavCaseArb: fc.Arbitrary<WavCase> = fc
  .record({
    format: fc.constantFrom<['int' | 'float', WavCase['bits']]>(['int', 8], ['int', 16], ['int', 24], ['int', 32], ['float', 32], ['float', 64]),
    channels: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 1, arbitrary: fc.integer({ min: 9, max: 64 }) }),
    sampleRate: fc.oneof(fc.constantFrom(8000, 16000, 22050, 44100, 48000, 96000), fc.integer({ min: 1, max: 0xffffffff })),
    frames: fc.integer({ min: 0, max: 48 }),
    extensible: fc.boolean(),
    rf64: fc.boolean(),
    seed: fc.integer(),
    chunksBeforeFmt: fc.array(extraChunkArb, { maxLength: 2 }),
    chunksBeforeData: fc.array(extraChunkArb, { maxLength: 3 }),
    chunksAfterData: fc.array(extraChunkArb, { maxLength: 2 }),
  })
  .chain((spec) => {
    const [sampleFormat, bits] = spec.format;
    const count = spec.frames * spec.channels;
    const sampleArb: fc.Arbitrary<number> =
      sampleFormat === 'float'
        ? bits === 32
          ? fc.float()
          : fc.double()
        : bits === 8
          ? fc.integer({ min: 0, max: 255 })
          : fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 });
    return fc.array(sampleArb, { minLength: count, maxLength: count }).map(
      (samples): WavCase => ({
        sampleFormat,
        bits,
        channels: spec.channels,
        sampleRate: spec.sampleRate,
        extensible: spec.extensible,
        rf64: spec.rf64,
        samples,
        frames: spec.frames,
        chunksBeforeFmt: spec.chunksBeforeFmt,
        chunksBeforeData: spec.chunksBeforeData,
        chunksAfterData: spec.chunksAfterData,
      }),
    );
  });

export function chunk(id: string | Uint8Array, body: Uint8Array, declaredSize = body.length): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  if (typeof id === 'string') for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  else out.set(id.subarray(0, 4));
  new DataView(out.buffer).setUint32(4, declaredSize >>> 0, true);
  out.set(body, 8);
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export function fmtBody(c: { formatTag: number; channels: number; sampleRate: number; blockAlign: number; bits: number; extensible?: { subTag: number; tail?: number[] } }): Uint8Array {
  const body = new Uint8Array(c.extensible ? 40 : 16);
  const view = new DataView(body.buffer);
  view.setUint16(0, c.extensible ? 0xfffe : c.formatTag, true);
  view.setUint16(2, c.channels, true);
  view.setUint32(4, c.sampleRate >>> 0, true);
  view.setUint32(8, (c.sampleRate * c.blockAlign) >>> 0, true);
  view.setUint16(12, c.blockAlign, true);
  view.setUint16(14, c.bits, true);
  if (c.extensible) {
    view.setUint16(16, 22, true);
    view.setUint16(18, c.bits, true);
    view.setUint16(24, c.extensible.subTag, true);
    body.set(c.extensible.tail ?? SUBFORMAT_TAIL, 26);
  }
  return body;
}

export function encodeWavCase(c: WavCase): Uint8Array {
  const bytesPerSample = c.bits / 8;
  const data = new Uint8Array(c.samples.length * bytesPerSample);
  const view = new DataView(data.buffer);
  c.samples.forEach((value, i) => {
    const at = i * bytesPerSample;
    if (c.sampleFormat === 'float') {
      if (c.bits === 32) view.setFloat32(at, value, true);
      else view.setFloat64(at, value, true);
    } else if (c.bits === 8) view.setUint8(at, value);
    else if (c.bits === 16) view.setInt16(at, value, true);
    else if (c.bits === 24) {
      view.setUint8(at, value & 0xff);
      view.setUint8(at + 1, (value >> 8) & 0xff);
      view.setUint8(at + 2, (value >> 16) & 0xff);
    } else view.setInt32(at, value, true);
  });
  const formatTag = c.sampleFormat === 'float' ? 3 : 1;
  const fmt = chunk('fmt ', fmtBody({ formatTag, channels: c.channels, sampleRate: c.sampleRate, blockAlign: c.channels * bytesPerSample, bits: c.bits, extensible: c.extensible ? { subTag: formatTag } : undefined }));
  const parts: Uint8Array[] = [];
  if (c.rf64) {
    const ds64 = new Uint8Array(28);
    const dv = new DataView(ds64.buffer);
    dv.setUint32(16, data.length, true);
    parts.push(chunk('ds64', ds64));
  }
  parts.push(...c.chunksBeforeFmt, fmt, ...c.chunksBeforeData, chunk('data', data, c.rf64 ? 0xffffffff : data.length), ...c.chunksAfterData);
  const body = concat(parts);
  const head = new Uint8Array(12);
  head.set([...(c.rf64 ? 'RF64' : 'RIFF')].map((ch) => ch.charCodeAt(0)), 0);
  new DataView(head.buffer).setUint32(4, c.rf64 ? 0xffffffff : 4 + body.length, true);
  head.set([...'WAVE'].map((ch) => ch.charCodeAt(0)), 8);
  return concat([head, body]);
}

/** What the parser must read back: soundfile's scaling, stored as float32. */
export function expectedChannels(c: WavCase): Float32Array[] {
  const out = Array.from({ length: c.channels }, () => new Float32Array(c.frames));
  const full = 2 ** (c.bits - 1);
  c.samples.forEach((value, i) => {
    const v = c.sampleFormat === 'float' ? value : c.bits === 8 ? (value - 128) / 128 : value / full;
    out[i % c.channels][Math.floor(i / c.channels)] = v;
  });
  return out;
}
