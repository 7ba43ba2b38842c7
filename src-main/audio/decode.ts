import { readFile } from 'node:fs/promises';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import CodecParser from 'codec-parser';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import type { AudioFormat } from '../../src-shared/contract/catalog.js';
import { StudioError } from '../../src-shared/contract/result.js';
import { bufferSource, ioError, openSource, parseWavHeader, readWavFrames } from './wav.js';

/**
 * Decoding of every format the catalog accepts. The container is chosen from the first bytes,
 * not the extension. WAV is read by our parser (ranges without reading the whole file); FLAC,
 * MP3, Ogg Vorbis and Ogg Opus by the wasm decoders, one instance per format and per thread,
 * reused across files (instantiating the wasm module is the slow part) and used one file at a
 * time.
 */

export type Codec = 'wav' | 'flac' | 'mp3' | 'vorbis' | 'opus';

export interface DecodedAudio {
  format: AudioFormat;
  /** Frames per second of the file. */
  sampleRate: number;
  /** Channels in the file (data holds one mixed channel instead when `mono` was asked for). */
  channels: number;
  /** Frames in `data` (after any range cut). */
  frames: number;
  /** [channel][frame] samples in [-1, 1]; a single mean-of-channels array with `mono`. */
  data: Float32Array[];
}

export interface DecodeOptions {
  /** First frame to return (default 0). */
  startFrame?: number;
  /** Frames to return from startFrame (default: to the end); clipped to the file. */
  frameCount?: number;
  /** Start in seconds, used when startFrame is absent: frame int(offsetSec * sampleRate), as soundfile's seek. */
  offsetSec?: number;
  /** Length in seconds, used when frameCount is absent: int(durationSec * sampleRate) frames. */
  durationSec?: number;
  /** Mix all channels to their mean (default false). */
  mono?: boolean;
}

const CODEC_FORMAT: Record<Codec, AudioFormat> = { wav: 'wav', flac: 'flac', mp3: 'mp3', vorbis: 'ogg', opus: 'ogg' };

/** Identifies the codec from the file's first bytes (64 are enough); null when unknown. */
export function sniffCodec(head: Uint8Array): Codec | null {
  const tag = (at: number, text: string) => head.length >= at + text.length && [...text].every((ch, i) => head[at + i] === ch.charCodeAt(0));
  if ((tag(0, 'RIFF') || tag(0, 'RF64')) && tag(8, 'WAVE')) return 'wav';
  if (tag(0, 'fLaC')) return 'flac';
  if (tag(0, 'OggS')) {
    // The first page carries the codec's identification header right after the segment table.
    const segments = head[26] ?? 0;
    const packet = 27 + segments;
    if (tag(packet, '\x01vorbis')) return 'vorbis';
    if (tag(packet, 'OpusHead')) return 'opus';
    if (tag(packet, '\x7fFLAC')) return null;
    return null;
  }
  if (tag(0, 'ID3')) return head.length >= 10 ? 'mp3' : null;
  // MPEG audio frame sync: 11 set bits, layer not 00, bitrate index not 1111.
  if (head.length >= 4 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0 && (head[1] & 0x06) !== 0 && (head[2] & 0xf0) !== 0xf0) return 'mp3';
  return null;
}

/** Mean of the channels, as librosa.to_mono. */
export function mixToMono(data: Float32Array[]): Float32Array {
  if (data.length === 1) return data[0];
  const frames = data[0]?.length ?? 0;
  const out = new Float32Array(frames);
  const scale = 1 / data.length;
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (const channel of data) sum += channel[i];
    out[i] = sum * scale;
  }
  return out;
}

function fail(path: string, reason: string): StudioError {
  return new StudioError('DECODE_FAILED', `${path}: ${reason}`);
}

/** Decodes `path` (a range of it with startFrame/frameCount). Throws StudioError with the path. */
export async function decodeFile(path: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const { source, close } = await openSource(path);
  try {
    if (source.size === 0) throw fail(path, 'empty file');
    const codec = sniffCodec(await source.read(0, 64));
    if (codec === null) throw new StudioError('UNSUPPORTED_FORMAT', `${path}: not a WAV, FLAC, MP3 or Ogg Vorbis/Opus file (unknown first bytes)`);
    if (codec === 'wav') {
      const header = await parseWavHeader(source, path);
      const range = frameRange(header.sampleRate, options);
      const data = await readWavFrames(source, header, range.startFrame, range.frameCount ?? header.frames, path);
      return finish('wav', header.sampleRate, header.channels, data, {}, options.mono ?? false);
    }
    const bytes = await source.read(0, source.size);
    const decoded = await decodeCompressed(codec, bytes, path);
    return finish(CODEC_FORMAT[codec], decoded.sampleRate, decoded.data.length, decoded.data, frameRange(decoded.sampleRate, options), options.mono ?? false);
  } finally {
    await close();
  }
}

/** Decodes a whole file held in memory (any supported codec). */
export async function decodeBytes(bytes: Uint8Array, path: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  if (bytes.length === 0) throw fail(path, 'empty file');
  const codec = sniffCodec(bytes.subarray(0, 64));
  if (codec === null) throw new StudioError('UNSUPPORTED_FORMAT', `${path}: not a WAV, FLAC, MP3 or Ogg Vorbis/Opus file (unknown first bytes)`);
  if (codec === 'wav') {
    const source = bufferSource(bytes);
    const header = await parseWavHeader(source, path);
    const range = frameRange(header.sampleRate, options);
    const data = await readWavFrames(source, header, range.startFrame, range.frameCount ?? header.frames, path);
    return finish('wav', header.sampleRate, header.channels, data, {}, options.mono ?? false);
  }
  const decoded = await decodeCompressed(codec, bytes, path);
  return finish(CODEC_FORMAT[codec], decoded.sampleRate, decoded.data.length, decoded.data, frameRange(decoded.sampleRate, options), options.mono ?? false);
}

/** Reads a whole file, mapping fs errors to StudioError. */
export async function readAll(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw ioError(path, error);
  }
}

/** The frame range asked for, in frames of the file's rate (truncating seconds as soundfile does). */
function frameRange(sampleRate: number, options: DecodeOptions): { startFrame: number; frameCount: number | undefined } {
  const startFrame = options.startFrame ?? (options.offsetSec === undefined ? 0 : Math.trunc(options.offsetSec * sampleRate));
  const frameCount = options.frameCount ?? (options.durationSec === undefined ? undefined : Math.trunc(options.durationSec * sampleRate));
  return { startFrame, frameCount };
}

function finish(format: AudioFormat, sampleRate: number, channels: number, data: Float32Array[], range: { startFrame?: number; frameCount?: number }, mono: boolean): DecodedAudio {
  let cut = data;
  if ((range.startFrame ?? 0) !== 0 || range.frameCount !== undefined) {
    const total = data[0]?.length ?? 0;
    const start = Math.max(0, Math.min(total, Math.floor(range.startFrame ?? 0)));
    const end = range.frameCount === undefined ? total : Math.min(total, start + Math.max(0, Math.floor(range.frameCount)));
    cut = data.map((channel) => channel.subarray(start, end));
  }
  const out = mono ? [mixToMono(cut)] : cut;
  return { format, sampleRate, channels, frames: out[0]?.length ?? 0, data: out };
}

interface Compressed {
  sampleRate: number;
  data: Float32Array[];
}

/** Serialises use of the shared decoder instances (they keep state between calls). */
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

let flac: FLACDecoder | null = null;
let mpeg: MPEGDecoder | null = null;
let vorbis: OggVorbisDecoder | null = null;
let opus: OggOpusDecoder | null = null;

async function decodeCompressed(codec: Exclude<Codec, 'wav'>, bytes: Uint8Array, path: string): Promise<Compressed> {
  return serial(async () => {
    try {
      switch (codec) {
        case 'flac':
          return await decodeFlac(bytes, path);
        case 'mp3': {
          mpeg ??= new MPEGDecoder();
          await mpeg.ready;
          await mpeg.reset();
          const result = mpeg.decode(bytes);
          return checked(path, 'MP3', result.sampleRate, result.channelData, result.samplesDecoded, result.errors);
        }
        case 'vorbis': {
          vorbis ??= new OggVorbisDecoder();
          await vorbis.ready;
          const result = await vorbis.decodeFile(bytes);
          return checked(path, 'Ogg Vorbis', result.sampleRate, result.channelData, result.samplesDecoded, result.errors);
        }
        case 'opus': {
          opus ??= new OggOpusDecoder();
          await opus.ready;
          const result = await opus.decodeFile(bytes);
          return checked(path, 'Ogg Opus', result.sampleRate, result.channelData, result.samplesDecoded, result.errors);
        }
      }
    } catch (error) {
      if (error instanceof StudioError) throw error;
      // A decoder that throws leaves its state unknown: drop it, the next file gets a fresh one.
      flac = mpeg = vorbis = opus = null;
      throw fail(path, `corrupt ${codec.toUpperCase()} data: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

interface DecodeErrorLike {
  message: string;
  frameNumber: number;
}

function checked(path: string, codecName: string, sampleRate: number, channelData: Float32Array[], samples: number, errors: DecodeErrorLike[]): Compressed {
  if (errors.length > 0) {
    const first = errors[0];
    throw fail(path, `corrupt ${codecName} data: ${errors.length} frame error(s), first at frame ${first.frameNumber}: ${first.message}`);
  }
  if (samples === 0 || channelData.length === 0) throw fail(path, `no ${codecName} audio frames could be decoded`);
  if (!(sampleRate > 0)) throw fail(path, `${codecName} stream without a sample rate`);
  return { sampleRate, data: channelData.map((channel) => (channel.length === samples ? channel : channel.subarray(0, samples))) };
}

/** Byte offset of the first audio frame: after "fLaC" and every metadata block. */
function flacAudioStart(bytes: Uint8Array, path: string): number {
  let at = 4;
  for (;;) {
    if (at + 4 > bytes.length) throw fail(path, 'truncated: the FLAC metadata blocks run past the end of the file');
    const isLast = (bytes[at] & 0x80) !== 0;
    const length = (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
    at += 4 + length;
    if (isLast) return at;
  }
}

/** Splits a chunk of FLAC frame bytes at every offset (after the first) where a valid frame header starts. */
export function splitAtFlacHeaders(chunk: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let start = 0;
  for (let at = 2; at < chunk.length - 5; at++) {
    if (chunk[at] === 0xff && (chunk[at + 1] & 0xfe) === 0xf8 && flacHeaderLength(chunk, at) > 0) {
      parts.push(chunk.subarray(start, at));
      start = at;
    }
  }
  parts.push(chunk.subarray(start));
  return parts;
}

/** Length of the FLAC frame header at `at` if its fields are legal and its CRC-8 matches, else 0. */
function flacHeaderLength(bytes: Uint8Array, at: number): number {
  const blockSizeCode = bytes[at + 2] >> 4;
  const sampleRateCode = bytes[at + 2] & 0x0f;
  const channelCode = bytes[at + 3] >> 4;
  const sampleSizeCode = (bytes[at + 3] >> 1) & 0x07;
  if (blockSizeCode === 0 || sampleRateCode === 15 || channelCode > 10 || sampleSizeCode === 3 || (bytes[at + 3] & 1) !== 0) return 0;
  let end = at + 4;
  // The frame or sample number, UTF-8 coded: the lead byte says how many continuation bytes follow.
  const lead = bytes[end];
  let extra = 0;
  if (lead >= 0xc0) extra = lead >= 0xfe ? 6 : lead >= 0xfc ? 5 : lead >= 0xf8 ? 4 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
  else if (lead >= 0x80) return 0;
  end += 1 + extra;
  if (blockSizeCode === 6) end += 1;
  else if (blockSizeCode === 7) end += 2;
  if (sampleRateCode === 12) end += 1;
  else if (sampleRateCode === 13 || sampleRateCode === 14) end += 2;
  if (end >= bytes.length) return 0;
  let crc = 0;
  for (let i = at; i < end; i++) {
    crc ^= bytes[i];
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc === bytes[end] ? end + 1 - at : 0;
}

/** STREAMINFO: the first metadata block of every FLAC file; total samples may be 0 (unknown). */
export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  totalFrames: number;
}

export function parseFlacStreamInfo(bytes: Uint8Array, path: string): FlacStreamInfo {
  // "fLaC", then a metadata block header (type 0 = STREAMINFO, 34 bytes long).
  if (bytes.length < 42) throw fail(path, `truncated: ${bytes.length} bytes is too short for a FLAC header`);
  if ((bytes[4] & 0x7f) !== 0) throw fail(path, 'FLAC file does not start with a STREAMINFO block');
  const si = bytes.subarray(8, 42);
  const sampleRate = (si[10] << 12) | (si[11] << 4) | (si[12] >> 4);
  const channels = ((si[12] >> 1) & 0x07) + 1;
  const bitsPerSample = (((si[12] & 0x01) << 4) | (si[13] >> 4)) + 1;
  const totalFrames = (si[13] & 0x0f) * 2 ** 32 + ((si[14] << 24) >>> 0) + (si[15] << 16) + (si[16] << 8) + si[17];
  if (sampleRate === 0) throw fail(path, 'zero sample rate in FLAC STREAMINFO');
  return { sampleRate, channels, bitsPerSample, totalFrames };
}

async function decodeFlac(bytes: Uint8Array, path: string): Promise<Compressed> {
  const info = parseFlacStreamInfo(bytes, path);
  flac ??= new FLACDecoder();
  await flac.ready;
  // codec-parser splits frames at the next frame's sync code, but it does not recognise every
  // valid header (a final short block whose size is stored in 16 bits is one): such a frame stays
  // glued to the one before and the decoder, reading one frame per chunk, drops it. When the count
  // comes out short, split the chunks again at every header that passes its CRC-8 and retry.
  // It can also leave the last frame unparsed; the frames are contiguous after the metadata, so
  // whatever follows the last parsed one, if it starts with a frame header, is that last frame.
  const frames = new CodecParser('audio/flac').parseAll(bytes).map((frame) => frame.data);
  const parsedEnd = flacAudioStart(bytes, path) + frames.reduce((sum, frame) => sum + frame.length, 0);
  if (parsedEnd < bytes.length - 5 && bytes[parsedEnd] === 0xff && (bytes[parsedEnd + 1] & 0xfe) === 0xf8) {
    frames.push(bytes.subarray(parsedEnd));
  }
  let result = await flac.decodeFrames(frames);
  await flac.reset();
  if (info.totalFrames > 0 && result.samplesDecoded < info.totalFrames) {
    const resplit = frames.flatMap(splitAtFlacHeaders);
    if (resplit.length > frames.length) {
      const retry = await flac.decodeFrames(resplit);
      await flac.reset();
      if (retry.samplesDecoded > result.samplesDecoded) result = retry;
    }
  }
  // A cut or damaged file decodes short; STREAMINFO says how much there is.
  if (info.totalFrames > 0 && result.samplesDecoded < info.totalFrames) {
    const decoderSays = result.errors.length > 0 ? ` (decoder: ${result.errors[0].message.split(';')[0]})` : '';
    throw fail(path, `truncated or corrupt: STREAMINFO declares ${info.totalFrames} samples, ${result.samplesDecoded} decoded${decoderSays}`);
  }
  const decoded = checked(path, 'FLAC', result.sampleRate, result.channelData, result.samplesDecoded, result.errors);
  if (info.totalFrames > 0 && result.samplesDecoded > info.totalFrames) {
    for (let c = 0; c < decoded.data.length; c++) decoded.data[c] = decoded.data[c].subarray(0, info.totalFrames);
  }
  // The decoder scales integers by 2^(b-1) - 1; libsndfile (and so librosa) by 2^(b-1).
  // Recover the integer and rescale so that both agree bit for bit.
  const bits = result.bitDepth > 0 ? result.bitDepth : info.bitsPerSample;
  if (bits >= 2 && bits <= 24) {
    const full = 2 ** (bits - 1);
    const decoderScale = full - 1;
    for (const channel of decoded.data) {
      for (let i = 0; i < channel.length; i++) channel[i] = Math.round(channel[i] * decoderScale) / full;
    }
  }
  return decoded;
}
