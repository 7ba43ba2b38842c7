import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StudioError } from '../../src-shared/contract/result.js';

/**
 * RIFF/WAVE (and RF64) reading: PCM 8/16/24/32-bit integer, IEEE float 32/64, plain or
 * WAVE_FORMAT_EXTENSIBLE, any channel count. The header is read by walking chunks with positioned
 * reads, so a clip can be cut out of a long file without reading the rest of it.
 *
 * Policy on damaged files: a data chunk that declares more bytes than the file holds is reported
 * as DECODE_FAILED "truncated" rather than decoded partially; the catalog would otherwise record
 * a duration the file cannot deliver. A trailing partial frame (data size not a multiple of the
 * block size) is ignored, as libsndfile does. The RIFF size field is not checked: many writers
 * leave it wrong, and the chunk walk does not need it.
 */

export type WavSampleFormat = 'int' | 'float';

export interface WavHeader {
  sampleFormat: WavSampleFormat;
  /** Bits per sample in the container (8, 16, 24, 32 or 64). */
  bitsPerSample: number;
  channels: number;
  /** Frames per second. */
  sampleRate: number;
  /** Bytes per frame: channels * bitsPerSample / 8. */
  blockAlign: number;
  /** Byte offset of the first sample in the file. */
  dataOffset: number;
  /** Bytes of sample data, whole frames only. */
  dataBytes: number;
  frames: number;
  /** True for an RF64 file (64-bit sizes in a ds64 chunk). */
  rf64: boolean;
}

/** Random access to the bytes of a file (or of a buffer, in tests and for in-memory decoding). */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** The KSDATAFORMAT_SUBTYPE GUID tail shared by PCM and IEEE float: 00000010-8000-00aa00389b71. */
const SUBFORMAT_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** Most sample data one call may ask for (a whole long file should be read as ranges). */
const MAX_READ_BYTES = 1 << 30;
/** Sample bytes read and converted at a time, so a long range never holds its raw bytes whole. */
const READ_PIECE_BYTES = 4 * 1024 * 1024;
/** Chunks walked before the data chunk at most: real files have a handful; garbage can have millions. */
const MAX_CHUNKS = 1024;

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => Promise.resolve(bytes.subarray(offset, Math.min(bytes.length, offset + length))),
  };
}

/**
 * Bytes read from the start of a file when it is opened. The decoders' first reads (the WAV
 * chunk walk, FLAC metadata blocks, the first frames) and the whole of a clip-sized file are then
 * served from memory: a short clip used to make ten positioned reads.
 */
const HEAD_BYTES = 1024 * 1024;

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

function fail(path: string, reason: string): StudioError {
  return new StudioError('DECODE_FAILED', `${path}: ${reason}`);
}

/**
 * Walks the chunks of a WAVE file and validates the format. `path` is only used in messages.
 * Throws StudioError DECODE_FAILED (damaged) or UNSUPPORTED_FORMAT (a codec we do not read).
 */
export async function parseWavHeader(source: ByteSource, path: string): Promise<WavHeader> {
  if (source.size === 0) throw fail(path, 'empty file');
  const head = await source.read(0, 12);
  if (head.length < 12) throw fail(path, `not a WAV file: only ${source.size} bytes`);
  const riff = fourcc(head, 0);
  if ((riff !== 'RIFF' && riff !== 'RF64') || fourcc(head, 8) !== 'WAVE') {
    throw fail(path, 'not a WAV file: no RIFF/WAVE header');
  }
  const rf64 = riff === 'RF64';
  let ds64DataBytes: number | null = null;
  let fmt: Uint8Array | null = null;
  let offset = 12;
  for (let walked = 0; offset + 8 <= source.size; walked++) {
    if (walked === MAX_CHUNKS) throw fail(path, `no data chunk among the first ${MAX_CHUNKS} chunks`);
    const chunkHead = await source.read(offset, 8);
    // Chunk ids are printable ASCII; anything else means the walk left the chunk structure.
    if (!chunkHead.subarray(0, 4).every((byte) => byte >= 0x20 && byte <= 0x7e)) {
      throw fail(path, `corrupt chunk header at byte ${offset} (its id is not text)${fmt === null ? '' : '; no data chunk before it'}`);
    }
    const id = fourcc(chunkHead, 0);
    const view = new DataView(chunkHead.buffer, chunkHead.byteOffset, 8);
    let size = view.getUint32(4, true);
    const body = offset + 8;
    if (id === 'ds64') {
      const ds = await source.read(body, Math.min(size, 28));
      if (ds.length < 24) throw fail(path, 'ds64 chunk shorter than 24 bytes');
      const dv = new DataView(ds.buffer, ds.byteOffset, ds.length);
      ds64DataBytes = dv.getUint32(16, true) + dv.getUint32(20, true) * 2 ** 32;
    } else if (id === 'fmt ') {
      if (size < 16) throw fail(path, `fmt chunk is ${size} bytes, needs at least 16`);
      if (body + size > source.size) throw fail(path, `truncated: the ${size}-byte fmt chunk runs past the end of the file`);
      fmt = await source.read(body, Math.min(size, 40));
    } else if (id === 'data') {
      if (fmt === null) throw fail(path, 'no fmt chunk before the data chunk');
      if (rf64 && size === 0xffffffff) {
        if (ds64DataBytes === null) throw fail(path, 'RF64 file without a ds64 chunk');
        size = ds64DataBytes;
      }
      return describe(fmt, body, size, source.size, rf64, path);
    }
    // Chunks are padded to an even length; the pad byte is not counted in the size.
    offset = body + size + (size & 1);
  }
  throw fail(path, fmt === null ? 'no fmt chunk' : 'no data chunk');
}

function describe(fmt: Uint8Array, dataOffset: number, declaredBytes: number, fileSize: number, rf64: boolean, path: string): WavHeader {
  const dv = new DataView(fmt.buffer, fmt.byteOffset, fmt.length);
  let formatTag = dv.getUint16(0, true);
  const channels = dv.getUint16(2, true);
  const sampleRate = dv.getUint32(4, true);
  const blockAlign = dv.getUint16(12, true);
  const bitsPerSample = dv.getUint16(14, true);
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.length < 40) throw fail(path, 'WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes');
    for (let i = 0; i < SUBFORMAT_TAIL.length; i++) {
      if (fmt[26 + i] !== SUBFORMAT_TAIL[i]) throw new StudioError('UNSUPPORTED_FORMAT', `${path}: unknown WAVE_FORMAT_EXTENSIBLE sub-format`);
    }
    formatTag = dv.getUint16(24, true);
  }
  let sampleFormat: WavSampleFormat;
  if (formatTag === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) sampleFormat = 'int';
  else if (formatTag === WAVE_FORMAT_IEEE_FLOAT && (bitsPerSample === 32 || bitsPerSample === 64)) sampleFormat = 'float';
  else {
    throw new StudioError('UNSUPPORTED_FORMAT', `${path}: WAV codec 0x${formatTag.toString(16)} with ${bitsPerSample} bits per sample is not supported`);
  }
  if (channels === 0) throw fail(path, 'zero channels');
  if (sampleRate === 0) throw fail(path, 'zero sample rate');
  const expectedAlign = channels * (bitsPerSample / 8);
  if (blockAlign !== expectedAlign) {
    throw fail(path, `block align mismatch: header says ${blockAlign}, ${channels} channels of ${bitsPerSample} bits need ${expectedAlign}`);
  }
  const available = fileSize - dataOffset;
  if (declaredBytes > available) {
    throw fail(path, `truncated: header declares ${declaredBytes} bytes of data, file has ${Math.max(0, available)}`);
  }
  const frames = Math.floor(declaredBytes / blockAlign);
  return { sampleFormat, bitsPerSample, channels, sampleRate, blockAlign, dataOffset, dataBytes: frames * blockAlign, frames, rf64 };
}

/** Typed-array views read in the host's byte order (WAV samples are little-endian). */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Converts interleaved sample bytes to one Float32Array per channel, with soundfile's scaling:
 * a signed integer q of b bits becomes q / 2^(b-1); 8-bit data is unsigned, centred on 128.
 */
export function pcmToFloat(bytes: Uint8Array, header: WavHeader, frames: number): Float32Array[] {
  const { channels, bitsPerSample, sampleFormat, blockAlign } = header;
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bytesPerSample = bitsPerSample / 8;
  for (let c = 0; c < channels; c++) {
    const y = out[c];
    let at = c * bytesPerSample;
    if (sampleFormat === 'float') {
      if (bitsPerSample === 32) for (let i = 0; i < frames; i++, at += blockAlign) y[i] = dv.getFloat32(at, true);
      else for (let i = 0; i < frames; i++, at += blockAlign) y[i] = dv.getFloat64(at, true);
    } else if (bitsPerSample === 16 && LITTLE_ENDIAN_HOST && bytes.byteOffset % 2 === 0) {
      // An Int16Array view reads the samples directly: 1.3-2x faster than DataView calls (measured).
      const q = new Int16Array(bytes.buffer, bytes.byteOffset, frames * channels);
      if (channels === 1) for (let i = 0; i < frames; i++) y[i] = q[i] / 32768;
      else for (let i = 0; i < frames; i++) y[i] = q[i * channels + c] / 32768;
    } else if (bitsPerSample === 16) {
      for (let i = 0; i < frames; i++, at += blockAlign) y[i] = dv.getInt16(at, true) / 32768;
    } else if (bitsPerSample === 24) {
      for (let i = 0; i < frames; i++, at += blockAlign) {
        const q = (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) << 8;
        y[i] = (q >> 8) / 8388608;
      }
    } else if (bitsPerSample === 32) {
      for (let i = 0; i < frames; i++, at += blockAlign) y[i] = dv.getInt32(at, true) / 2147483648;
    } else {
      for (let i = 0; i < frames; i++, at += blockAlign) y[i] = (bytes[at] - 128) / 128;
    }
  }
  return out;
}

/**
 * Reads frames [startFrame, startFrame + frameCount) clipped to the file, one array per channel.
 * The bytes are read and converted READ_PIECE_BYTES at a time into the output arrays.
 */
export async function readWavFrames(source: ByteSource, header: WavHeader, startFrame: number, frameCount: number, path: string): Promise<Float32Array[]> {
  const start = Math.max(0, Math.min(header.frames, Math.floor(startFrame)));
  const count = Math.max(0, Math.min(header.frames - start, Math.floor(frameCount)));
  const byteCount = count * header.blockAlign;
  if (byteCount > MAX_READ_BYTES) throw new StudioError('INVALID_ARGUMENT', `${path}: ${byteCount} bytes of samples asked for at once; read a shorter range`);
  const piece = Math.max(1, Math.floor(READ_PIECE_BYTES / header.blockAlign));
  if (count <= piece) return pcmToFloat(await readExactly(source, header.dataOffset + start * header.blockAlign, byteCount, path), header, count);
  const out = Array.from({ length: header.channels }, () => new Float32Array(count));
  for (let done = 0; done < count; done += piece) {
    const frames = Math.min(piece, count - done);
    const bytes = await readExactly(source, header.dataOffset + (start + done) * header.blockAlign, frames * header.blockAlign, path);
    pcmToFloat(bytes, header, frames).forEach((channel, c) => out[c].set(channel, done));
  }
  return out;
}

async function readExactly(source: ByteSource, offset: number, length: number, path: string): Promise<Uint8Array> {
  const bytes = await source.read(offset, length);
  if (bytes.length < length) throw fail(path, `truncated: file ended while reading ${length} bytes of samples at byte ${offset}`);
  return bytes;
}

/** Reads up to `length` bytes at `offset` of an open descriptor (fewer only at the end of the file). */
function readAtSync(fd: number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, length));
  let done = 0;
  while (done < out.length) {
    const bytesRead = readSync(fd, out, done, out.length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === out.length ? out : out.subarray(0, done);
}

/**
 * Opens `path` for positioned reads, with blocking calls: decoding and probing run in the audio
 * worker threads (and the CLI), never on the studio's main thread. A clip-sized file is read whole
 * by open, fstat, read and close, and closed before decoding starts; async calls would make the
 * same four trips through libuv's thread pool, each with its promise and wake-up, and for a
 * 70-350 kB clip in the page cache those cost more than the reads (measured: about 0.3 ms of
 * 0.9 ms for a WAV clip). A longer file keeps its descriptor and serves later reads until close().
 * ENOENT and friends become StudioError.
 */
export function openSourceSync(path: string): { source: ByteSource; close(): void } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw ioError(path, error);
  }
  let isOpen = true;
  const close = () => {
    if (isOpen) closeSync(fd);
    isOpen = false;
  };
  try {
    const { size } = fstatSync(fd);
    const head = readAtSync(fd, 0, Math.min(size, HEAD_BYTES));
    if (head.length >= size) {
      close();
      return { source: bufferSource(head), close };
    }
    const source: ByteSource = {
      size,
      read(offset, length) {
        const n = Math.max(0, Math.min(length, size - offset));
        if (offset >= 0 && offset + n <= head.length) return Promise.resolve(head.subarray(offset, offset + n));
        try {
          return Promise.resolve(readAtSync(fd, offset, n));
        } catch (error) {
          return Promise.reject(ioError(path, error));
        }
      },
    };
    return { source, close };
  } catch (error) {
    close();
    throw ioError(path, error);
  }
}

export function ioError(path: string, error: unknown): StudioError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new StudioError('NOT_FOUND', `${path}: no such file`);
  if (code === 'EISDIR') return new StudioError('INVALID_ARGUMENT', `${path}: is a folder, not an audio file`);
  const reason = error instanceof Error ? error.message : String(error);
  return new StudioError('IO_ERROR', `${path}: ${reason}`);
}
