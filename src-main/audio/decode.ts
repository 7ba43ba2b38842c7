import { readFile } from 'node:fs/promises';
import { OggVorbisDecoder } from '@wasm-audio-decoders/ogg-vorbis';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import type { AudioFormat } from '../../src-shared/contract/catalog.js';
import { StudioError } from '../../src-shared/contract/result.js';
import { flacAudioStart, parseFlacStreamInfo, scanFlacFrames, type FlacFrame } from './flac-frames.js';
import { FlacFrameDecoder, type FrameSink } from './flac-wasm.js';
import { bufferSource, ioError, openSourceSync, parseWavHeader, readWavFrames, type ByteSource } from './wav.js';

/**
 * Decoding of every format the catalog accepts. The container is chosen from the first bytes,
 * not the extension. WAV is read by our parser (ranges without reading the whole file); FLAC,
 * MP3, Ogg Vorbis and Ogg Opus by the wasm decoders, one instance per format and per thread,
 * reused across files (instantiating the wasm module is the slow part) and used one file at a
 * time.
 *
 * Memory is bounded by the range asked for, not by the file: compressed files are read and
 * decoded in chunks of READ_BYTES, samples outside the range are dropped as they come out of the
 * decoder, and reading stops once the range is complete. FLAC frames are located by our own
 * scanner (each frame header carries its block size), so frames before the range are skipped
 * without being decoded. A range decode therefore does not notice damage after the range; the
 * import's probe, which decodes every frame (keeping only counts), is what rejects such files.
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

/** The error for a file whose container is valid but holds no samples: an empty clip cannot be a training example. */
export function noAudioFrames(path: string, detail: string): StudioError {
  return fail(path, `no audio frames (${detail})`);
}

/** Bytes read (and fed to a decoder) at a time for compressed files. */
const READ_BYTES = 256 * 1024;
/** A compressed file that yields no sample within this many bytes is rejected instead of scanned to its end. */
const NO_AUDIO_LIMIT_BYTES = 16 * 1024 * 1024;

/** Decodes `path` (a range of it with startFrame/frameCount). Throws StudioError with the path. */
export async function decodeFile(path: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  // Blocking reads: decodeFile runs in the audio worker threads (see openSourceSync).
  const { source, close } = openSourceSync(path);
  try {
    return await decodeSource(source, path, options);
  } finally {
    close();
  }
}

/** Decodes a file held in memory (any supported codec); a range is cut as decodeFile does. */
export async function decodeBytes(bytes: Uint8Array, path: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  return decodeSource(bufferSource(bytes), path, options);
}

/** The codec of `source` from its first bytes; StudioError for an empty or unrecognised file. */
export async function sniffSource(source: ByteSource, path: string): Promise<Codec> {
  if (source.size === 0) throw fail(path, 'empty file');
  const codec = sniffCodec(await source.read(0, 64));
  if (codec === null) throw new StudioError('UNSUPPORTED_FORMAT', `${path}: not a WAV, FLAC, MP3 or Ogg Vorbis/Opus file (unknown first bytes)`);
  return codec;
}

export async function decodeSource(source: ByteSource, path: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const codec = await sniffSource(source, path);
  const mono = options.mono ?? false;
  if (codec === 'wav') {
    const header = await parseWavHeader(source, path);
    if (header.frames === 0) throw noAudioFrames(path, 'the WAV data chunk is empty');
    const range = frameRange(header.sampleRate, options);
    const data = await readWavFrames(source, header, range.startFrame, range.frameCount ?? header.frames, path);
    return finish('wav', header.sampleRate, header.channels, data, mono);
  }
  // The range is in frames of the file's rate, which only the stream itself tells.
  const streamed = await streamCompressed(codec, source, path, (sampleRate) => {
    const range = frameRange(sampleRate, options);
    const start = Math.max(0, Math.floor(range.startFrame));
    const end = range.frameCount === undefined ? Infinity : start + Math.max(0, Math.floor(range.frameCount));
    return { start, end, scanAll: false };
  });
  return finish(CODEC_FORMAT[codec], streamed.sampleRate, streamed.channels, streamed.data, mono);
}

/** Facts about a compressed stream, found by decoding every frame and keeping only counts. */
export interface StreamFacts {
  format: AudioFormat;
  sampleRate: number;
  channels: number;
  frames: number;
}

/**
 * Decodes all of a compressed file in chunks, discarding the samples: what a probe needs to
 * know the file decodes, in memory bounded by one chunk rather than by the file's length.
 */
export async function measureCompressed(codec: Exclude<Codec, 'wav'>, source: ByteSource, path: string): Promise<StreamFacts> {
  const streamed = await streamCompressed(codec, source, path, () => ({ start: 0, end: 0, scanAll: true }));
  return { format: CODEC_FORMAT[codec], sampleRate: streamed.sampleRate, channels: streamed.channels, frames: streamed.totalFrames };
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

function finish(format: AudioFormat, sampleRate: number, channels: number, data: Float32Array[], mono: boolean): DecodedAudio {
  const out = mono ? [mixToMono(data)] : data;
  return { format, sampleRate, channels, frames: out[0]?.length ?? 0, data: out };
}

/**
 * Which stream samples to keep: [start, end). With scanAll the whole stream is decoded (to
 * validate it and count its samples) whatever the range; without it, reading stops at `end`.
 */
interface Want {
  start: number;
  end: number;
  scanAll: boolean;
}

/**
 * Keeps the part of a decoded stream that falls in [start, end) as it is offered block by block;
 * everything else is dropped at once, so memory follows the range, not the stream.
 */
export class RangeCollector {
  private parts: Float32Array[][] = [];
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  /**
   * Offers `samples` decoded samples per channel whose first is stream sample `at`.
   * @param owned the arrays are the caller's to give away: keep views of them instead of copies
   */
  offer(at: number, channelData: Float32Array[], samples: number, owned = false): void {
    const from = Math.max(0, this.start - at);
    const to = Math.min(samples, this.end - at);
    if (to <= from) return;
    this.parts.push(channelData.map((channel) => (from === 0 && to === channel.length ? channel : owned ? channel.subarray(from, to) : channel.slice(from, to))));
  }

  /** The kept samples, [channel][frame]; `channels` empty arrays when nothing was kept. */
  data(channels: number): Float32Array[] {
    if (this.parts.length === 1) return this.parts[0];
    return Array.from({ length: channels }, (_, c) => {
      const length = this.parts.reduce((sum, part) => sum + (part[c]?.length ?? 0), 0);
      const out = new Float32Array(length);
      let at = 0;
      for (const part of this.parts) {
        const piece = part[c];
        if (piece === undefined) continue;
        out.set(piece, at);
        at += piece.length;
      }
      return out;
    });
  }
}

interface Streamed {
  sampleRate: number;
  channels: number;
  /** Samples per channel in the whole stream; exact only when it was read to its end. */
  totalFrames: number;
  /** The wanted range, [channel][frame]. */
  data: Float32Array[];
}

/** Serialises use of the shared decoder instances (they keep state between calls). */
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

let flac: FlacFrameDecoder | null = null;
/**
 * The FLAC decoder is reused across files, and reset (which instantiates its wasm module again,
 * with a fresh heap: about a millisecond plus collecting the old heap) only when needed. Reset
 * after every file, that was the largest single cost of decoding a short clip.
 *
 * Two things carry over between files. One is the wasm heap: it is fixed in size, and each frame
 * is copied in and freed once libFLAC has read it (a 15-minute FLAC decodes without a reset), but
 * a reset after FLAC_RESET_BYTES of input bounds whatever a damaged stream might leave queued, at
 * about a millisecond per 200 clips. The other is libFLAC's memory of the last frame, which makes
 * it report MISSING_FRAME when a frame starts after the end of the previous one. A range decode
 * starts mid-file by design, so reset first when the new file's first frame would start past
 * where libFLAC believes the last one ended. Should the decoder still complain about a file, that
 * file is decoded again on a fresh decoder before it is called damaged.
 */
const flacState = {
  /** Frame bytes fed since the decoder was created or reset; reset at FLAC_RESET_BYTES, mid-file too. */
  fedBytes: 0,
  /** End (in samples, as libFLAC numbers them) of the last frame fed; 0 when unknown. */
  lastEnd: 0,
};
const FLAC_RESET_BYTES = 16 * 1024 * 1024;

let mpeg: MPEGDecoder | null = null;
let vorbis: OggVorbisDecoder | null = null;
let opus: OggOpusDecoder | null = null;

const CODEC_NAME: Record<Exclude<Codec, 'wav'>, string> = { flac: 'FLAC', mp3: 'MP3', vorbis: 'Ogg Vorbis', opus: 'Ogg Opus' };

/** `want` is called once the stream's sample rate is known, to turn seconds into frames. */
async function streamCompressed(codec: Exclude<Codec, 'wav'>, source: ByteSource, path: string, want: (sampleRate: number) => Want): Promise<Streamed> {
  return serial(async () => {
    try {
      return codec === 'flac' ? await streamFlac(source, path, want) : await streamFramed(codec, source, path, want);
    } catch (error) {
      if (error instanceof StudioError) throw error;
      // A decoder that throws leaves its state unknown: drop it, the next file gets a fresh one.
      flac = mpeg = vorbis = opus = null;
      flacState.fedBytes = 0;
      flacState.lastEnd = 0;
      throw fail(path, `corrupt ${CODEC_NAME[codec]} data: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

/**
 * The decoded side of one streaming pass: learns the rate and channel count from the first
 * block, then hands every block to a RangeCollector at its position in the stream.
 */
class StreamState {
  sampleRate = 0;
  channels = 0;
  private want: Want | null = null;
  private collector: RangeCollector | null = null;
  constructor(private readonly wantFor: (sampleRate: number) => Want) {}

  /** The range, once the first block has told the rate; null before. */
  get range(): Want | null {
    return this.want;
  }

  /** Fixes the stream's rate and channels (from a header or the first block). */
  begin(sampleRate: number, channels: number): Want {
    if (this.want === null) {
      this.sampleRate = sampleRate;
      this.channels = channels;
      this.want = this.wantFor(sampleRate);
      this.collector = new RangeCollector(this.want.start, this.want.end);
    }
    return this.want;
  }

  offer(at: number, channelData: Float32Array[], samples: number, owned = false): void {
    this.begin(this.sampleRate, channelData.length);
    this.collector?.offer(at, channelData, samples, owned);
  }

  /** True once a range decode has every sample it wants. */
  complete(decodedTo: number): boolean {
    return this.want !== null && !this.want.scanAll && decodedTo >= this.want.end;
  }

  data(): Float32Array[] {
    return this.collector?.data(this.channels) ?? [];
  }
}

interface DecodedBlock {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  errors: { message: string; frameNumber: number }[];
}

/** MP3, Ogg Vorbis and Ogg Opus: the decoders take the file in arbitrary chunks and keep their own framing. */
async function streamFramed(codec: 'mp3' | 'vorbis' | 'opus', source: ByteSource, path: string, wantFor: (sampleRate: number) => Want): Promise<Streamed> {
  const name = CODEC_NAME[codec];
  let feed: (chunk: Uint8Array) => Promise<DecodedBlock>;
  let flush: (() => Promise<DecodedBlock>) | null = null;
  let reset: () => Promise<void>;
  if (codec === 'mp3') {
    const decoder = (mpeg ??= new MPEGDecoder());
    await decoder.ready;
    await decoder.reset();
    feed = async (chunk) => decoder.decode(chunk);
    reset = () => decoder.reset();
  } else if (codec === 'vorbis') {
    const decoder = (vorbis ??= new OggVorbisDecoder());
    await decoder.ready;
    feed = (chunk) => decoder.decode(chunk);
    flush = () => decoder.flush();
    reset = () => decoder.reset();
  } else {
    const decoder = (opus ??= new OggOpusDecoder());
    await decoder.ready;
    feed = async (chunk) => decoder.decode(chunk);
    flush = () => decoder.flush();
    reset = () => decoder.reset();
  }
  const state = new StreamState(wantFor);
  let total = 0;
  const errors: DecodedBlock['errors'] = [];
  const absorb = (block: DecodedBlock) => {
    errors.push(...block.errors);
    if (block.samplesDecoded === 0) return;
    if (!(block.sampleRate > 0)) throw fail(path, `${name} stream without a sample rate`);
    state.begin(block.sampleRate, block.channelData.length);
    state.offer(total, block.channelData, block.samplesDecoded);
    total += block.samplesDecoded;
  };
  let flushed = false;
  try {
    for (let offset = 0; offset < source.size && errors.length === 0 && !state.complete(total); offset += READ_BYTES) {
      absorb(await feed(await source.read(offset, READ_BYTES)));
      if (total === 0 && offset + READ_BYTES >= NO_AUDIO_LIMIT_BYTES) {
        throw noAudioFrames(path, `no ${name} frame decoded in the first ${NO_AUDIO_LIMIT_BYTES / (1024 * 1024)} MiB`);
      }
    }
    if (errors.length === 0 && !state.complete(total) && flush !== null) {
      flushed = true;
      absorb(await flush());
    }
  } finally {
    // flush() resets the Ogg decoders itself; every other way out leaves state to clear.
    if (!flushed) await reset();
  }
  if (errors.length > 0) {
    const first = errors[0];
    throw fail(path, `corrupt ${name} data: ${errors.length} frame error(s), first at frame ${first.frameNumber}: ${first.message}`);
  }
  if (total === 0) throw noAudioFrames(path, `no ${name} audio frames could be decoded`);
  return { sampleRate: state.sampleRate, channels: state.channels, totalFrames: total, data: state.data() };
}

/** The frames of a batch worth decoding in one decoder call: about this many bytes. */
const FLAC_BATCH_BYTES = 256 * 1024;

async function resetFlac(decoder: FlacFrameDecoder): Promise<void> {
  await decoder.reset();
  flacState.fedBytes = 0;
  flacState.lastEnd = 0;
}

async function streamFlac(source: ByteSource, path: string, wantFor: (sampleRate: number) => Want): Promise<Streamed> {
  const decoder = (flac ??= new FlacFrameDecoder());
  await decoder.ready;
  const fresh = flacState.fedBytes === 0;
  try {
    return await streamFlacWith(decoder, source, path, wantFor);
  } catch (error) {
    if (fresh || !(error instanceof StudioError)) throw error;
    await resetFlac(decoder);
    return streamFlacWith(decoder, source, path, wantFor);
  }
}

async function streamFlacWith(decoder: FlacFrameDecoder, source: ByteSource, path: string, wantFor: (sampleRate: number) => Want): Promise<Streamed> {
  const info = parseFlacStreamInfo(await source.read(0, 42), path);
  const audioStart = await flacAudioStart(source, path);
  const state = new StreamState(wantFor);
  const want = state.begin(info.sampleRate, info.channels);
  // Samples past the count STREAMINFO declares are padding some encoders leave; drop them.
  const declaredEnd = info.totalFrames > 0 ? info.totalFrames : Infinity;
  let batch: FlacFrame[] = [];
  let batchBytes = 0;
  let decoded = 0;
  let scannedTo = 0;
  /** The scan ran to the end of the file (not stopped at the range's end or by a bad frame). */
  let reachedEnd = true;
  let problem: string | null = null;
  /** Block size of the file's first frame: every frame's but the last in a fixed-block-size stream. */
  let nominalBlockSize = 0;
  const decodeBatch = async () => {
    const expected = batch.reduce((sum, frame) => sum + frame.blockSize, 0);
    const batchStart = batch[0].firstSample;
    if (flacState.fedBytes > 0 && batchStart > flacState.lastEnd && decoded === 0) await resetFlac(decoder);
    // The samples of this batch that the range keeps, rescaled into their own arrays as each
    // frame comes out of the decoder (no intermediate copies of the frames).
    const keepFrom = Math.max(want.start, batchStart);
    const keep = Math.max(0, Math.min(want.end, declaredEnd, batchStart + expected) - keepFrom);
    let kept: Float32Array[] | null = null;
    let at = batchStart;
    const sink: FrameSink = (channels, samples, bitsPerSample) => {
      const from = Math.max(keepFrom, at);
      const to = Math.min(keepFrom + keep, at + samples);
      if (to > from) {
        kept ??= channels.map(() => new Float32Array(keep));
        if (kept.length === channels.length) {
          const bits = bitsPerSample > 0 ? bitsPerSample : info.bitsPerSample;
          for (let c = 0; c < channels.length; c++) copyRescaled(channels[c], from - at, to - at, kept[c], from - keepFrom, bits);
        } else problem ??= `frame at sample ${at} has ${channels.length} channels, the stream ${kept.length}`;
      }
      at += samples;
    };
    const result = await decoder.decodeFrames(batch.map((frame) => frame.data), sink);
    flacState.fedBytes += batchBytes;
    // libFLAC numbers a fixed-size frame's samples as frame number x its own block size, which
    // for a short last block is not where it starts: its end is then unknown.
    const last = batch[batch.length - 1];
    flacState.lastEnd = last.blockSize === nominalBlockSize ? last.firstSample + last.blockSize : 0;
    decoded += result.samplesDecoded;
    if (result.errors.length > 0 || result.samplesDecoded !== expected) {
      const first = result.errors[0];
      const decoderSays = first === undefined ? '' : ` (decoder: ${first.split(';')[0]})`;
      problem = `frames from sample ${batchStart} decoded to ${result.samplesDecoded} of ${expected} samples${decoderSays}`;
    } else if (kept !== null && problem === null) {
      state.offer(keepFrom, kept, keep, true);
    }
    batch = [];
    batchBytes = 0;
    // A long file would otherwise hold all of its frames in the decoder's heap until it ends.
    if (problem === null && flacState.fedBytes >= FLAC_RESET_BYTES) await resetFlac(decoder);
  };
  let finished = false;
  try {
    for await (const frame of scanFlacFrames(source, audioStart, path)) {
      scannedTo = frame.firstSample + frame.blockSize;
      if (nominalBlockSize === 0) nominalBlockSize = frame.blockSize;
      if (!want.scanAll) {
        if (frame.firstSample >= Math.min(want.end, declaredEnd)) {
          reachedEnd = false;
          break;
        }
        if (scannedTo <= want.start) continue;
      }
      batch.push(frame);
      batchBytes += frame.data.length;
      if (batchBytes >= FLAC_BATCH_BYTES) await decodeBatch();
      if (problem !== null) {
        reachedEnd = false;
        break;
      }
    }
    if (batch.length > 0 && problem === null) await decodeBatch();
    finished = problem === null;
  } finally {
    if (!finished) await resetFlac(decoder);
  }
  // A cut or damaged file decodes short; STREAMINFO says how much there is.
  const declares = `truncated or corrupt: STREAMINFO declares ${info.totalFrames} samples`;
  if (problem !== null) {
    if (want.scanAll && info.totalFrames > 0 && decoded < info.totalFrames) throw fail(path, `${declares}, ${decoded} decoded; ${problem}`);
    // A bad last frame, short of what STREAMINFO declares, is a file cut inside that frame.
    if (reachedEnd && info.totalFrames > 0 && scannedTo < info.totalFrames) throw fail(path, `${declares}, the frames end at sample ${scannedTo}; ${problem}`);
    throw fail(path, `corrupt FLAC data: ${problem}`);
  }
  if (reachedEnd && info.totalFrames > 0) {
    if (want.scanAll && decoded < info.totalFrames) throw fail(path, `${declares}, ${decoded} decoded`);
    if (!want.scanAll && scannedTo < Math.min(info.totalFrames, want.end)) throw fail(path, `${declares}, the frames end at sample ${scannedTo}`);
  }
  const totalFrames = Math.min(decoded, declaredEnd);
  if (scannedTo === 0 || (want.scanAll && totalFrames === 0)) throw noAudioFrames(path, 'no FLAC frame follows the metadata');
  const data = state.data();
  return { sampleRate: state.sampleRate, channels: data.length > 0 ? data.length : info.channels, totalFrames, data };
}

/**
 * Adding and subtracting 1.5 * 2^52 rounds a double below 2^51 in magnitude to the nearest integer
 * (ties to even) in two additions; Math.round costs several times more per sample in V8.
 */
const ROUND_MAGIC = 6_755_399_441_055_744;

/**
 * Copies source[from, to) into target from `at`, undoing the decoder's scaling: it divides a
 * b-bit integer by 2^(b-1) - 1, libsndfile (and so librosa) by 2^(b-1). x * (2^(b-1) - 1) is
 * within float32 rounding of the integer, so rounding it recovers the integer exactly (never a
 * tie), and 1/2^(b-1) is a power of two, so the product is exact as a division. Samples of more
 * than 24 bits are copied as they are.
 */
function copyRescaled(source: Float32Array, from: number, to: number, target: Float32Array, at: number, bits: number): void {
  if (!(bits >= 2 && bits <= 24)) {
    target.set(source.subarray(from, to), at);
    return;
  }
  // Both sides as subarrays indexed from 0: the same loop over target[at..] with a variable
  // start ran about 30 times slower in V8 (measured on the clips).
  const input = source.subarray(from, to);
  const output = target.subarray(at, at + (to - from));
  const full = 2 ** (bits - 1);
  const decoderScale = full - 1;
  const inverseFull = 1 / full;
  for (let i = 0; i < input.length; i++) output[i] = (input[i] * decoderScale + ROUND_MAGIC - ROUND_MAGIC) * inverseFull;
}

export { parseFlacFrameHeader, parseFlacStreamInfo, scanFlacFrames, splitAtFlacHeaders } from './flac-frames.js';
export type { FlacFrame, FlacFrameHeader, FlacStreamInfo } from './flac-frames.js';
