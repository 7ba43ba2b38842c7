import { StudioError } from '../../src-shared/contract/result.js';
import { LITTLE_ENDIAN_HOST, type ByteSource } from './wav.js';

/**
 * FLAC container reading: STREAMINFO, the metadata blocks, and the audio frames located by their
 * headers (CRC-8 checked, frame numbers in sequence). libFLAC (wasm) decodes the frames; finding
 * them ourselves lets a range decode skip frames and recovers short final blocks that
 * codec-parser leaves glued to the frame before.
 */

/** Bytes read from the file at a time while scanning frames. */
const READ_BYTES = 256 * 1024;

function fail(path: string, reason: string): StudioError {
  return new StudioError('DECODE_FAILED', `${path}: ${reason}`);
}

/** Byte offset of the first audio frame: after "fLaC" and every metadata block. */
export async function flacAudioStart(source: ByteSource, path: string): Promise<number> {
  let at = 4;
  for (;;) {
    const block = await source.read(at, 4);
    if (block.length < 4) throw fail(path, 'truncated: the FLAC metadata blocks run past the end of the file');
    const isLast = (block[0] & 0x80) !== 0;
    const length = (block[1] << 16) | (block[2] << 8) | block[3];
    at += 4 + length;
    if (isLast) return at;
  }
}

/** The fields of a FLAC frame header that locate the frame in the stream. */
export interface FlacFrameHeader {
  /** Bytes of the header, CRC-8 included. */
  length: number;
  /** Samples per channel in this frame. */
  blockSize: number;
  /** Frame number (fixed block size) or number of the first sample (variable block size). */
  number: number;
  variableBlockSize: boolean;
}

/** CRC-8 (polynomial x^8 + x^2 + x + 1, as FLAC frame headers use) of every byte value. */
const CRC8_TABLE = Uint8Array.from({ length: 256 }, (_, byte) => {
  let crc = byte;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  return crc;
});

/** The FLAC frame header at `at` if its fields are legal and its CRC-8 matches, else null. */
export function parseFlacFrameHeader(bytes: Uint8Array, at: number): FlacFrameHeader | null {
  if (at + 6 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1] & 0xfe) !== 0xf8) return null;
  const blockSizeCode = bytes[at + 2] >> 4;
  const sampleRateCode = bytes[at + 2] & 0x0f;
  const channelCode = bytes[at + 3] >> 4;
  const sampleSizeCode = (bytes[at + 3] >> 1) & 0x07;
  if (blockSizeCode === 0 || sampleRateCode === 15 || channelCode > 10 || sampleSizeCode === 3 || (bytes[at + 3] & 1) !== 0) return null;
  let end = at + 4;
  // The frame or sample number, UTF-8 coded: the lead byte says how many continuation bytes follow.
  const lead = bytes[end];
  let extra = 0;
  let number = lead;
  if (lead >= 0x80) {
    if (lead < 0xc0 || lead === 0xff) return null;
    extra = lead >= 0xfe ? 6 : lead >= 0xfc ? 5 : lead >= 0xf8 ? 4 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
    number = lead & (0x3f >> extra);
  }
  if (end + 1 + extra > bytes.length) return null;
  for (let k = 1; k <= extra; k++) {
    const byte = bytes[end + k];
    if ((byte & 0xc0) !== 0x80) return null;
    number = number * 64 + (byte & 0x3f);
  }
  end += 1 + extra;
  let blockSize: number;
  if (blockSizeCode === 1) blockSize = 192;
  else if (blockSizeCode <= 5) blockSize = 576 << (blockSizeCode - 2);
  else if (blockSizeCode === 6) blockSize = (end < bytes.length ? bytes[end] : 0) + 1;
  else if (blockSizeCode === 7) blockSize = (end + 1 < bytes.length ? (bytes[end] << 8) | bytes[end + 1] : 0) + 1;
  else blockSize = 256 << (blockSizeCode - 8);
  if (blockSizeCode === 6) end += 1;
  else if (blockSizeCode === 7) end += 2;
  if (sampleRateCode === 12) end += 1;
  else if (sampleRateCode === 13 || sampleRateCode === 14) end += 2;
  if (end >= bytes.length) return null;
  let crc = 0;
  for (let i = at; i < end; i++) crc = CRC8_TABLE[crc ^ bytes[i]];
  if (crc !== bytes[end]) return null;
  return { length: end + 1 - at, blockSize, number, variableBlockSize: (bytes[at + 1] & 1) === 1 };
}

/** Splits a chunk of FLAC frame bytes at every offset (after the first) where a valid frame header starts. */
export function splitAtFlacHeaders(chunk: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let start = 0;
  for (let at = 2; at < chunk.length - 5; at++) {
    at = chunk.indexOf(0xff, at);
    if (at < 0 || at >= chunk.length - 5) break;
    if ((chunk[at + 1] & 0xfe) === 0xf8 && parseFlacFrameHeader(chunk, at) !== null) {
      parts.push(chunk.subarray(start, at));
      start = at;
    }
  }
  parts.push(chunk.subarray(start));
  return parts;
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

/** One FLAC frame as found in the file: its bytes and the stream samples it holds. */
export interface FlacFrame {
  data: Uint8Array;
  /** Stream position of the frame's first sample (per channel). */
  firstSample: number;
  blockSize: number;
}

/** The longest frame we accept while looking for the next header (the format's own limit is about 2 MiB). */
const FLAC_MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Bytes a frame header can take (sync to CRC-8). */
const FLAC_MAX_HEADER_BYTES = 16;

/**
 * Finds 0xff bytes (where a frame sync code can start) four at a time, through a Uint32Array view
 * of the same memory. Uint8Array.indexOf costs a runtime call for each 0xff it stops at, which
 * compressed audio holds every few hundred bytes: that was most of the time spent finding frames.
 */
export class SyncByteFinder {
  private readonly words: Uint32Array;
  /** Index in `bytes` of words[0] (the first 4-byte-aligned address). */
  private readonly base: number;
  constructor(private readonly bytes: Uint8Array) {
    this.base = Math.min(bytes.length, (4 - (bytes.byteOffset & 3)) & 3);
    this.words = new Uint32Array(bytes.buffer, bytes.byteOffset + this.base, (bytes.length - this.base) >> 2);
  }

  /** Index of the first 0xff in bytes[from, stop), or stop when there is none. */
  next(from: number, stop: number): number {
    const { bytes, words, base } = this;
    let i = from;
    if (!LITTLE_ENDIAN_HOST) {
      // The zero-byte test below is exact only for the least significant flag: the first byte in memory on little-endian hosts alone.
      for (; i < stop; i++) if (bytes[i] === 0xff) return i;
      return stop;
    }
    for (; i < stop && (i < base || ((i - base) & 3) !== 0); i++) if (bytes[i] === 0xff) return i;
    const lastWord = Math.min(words.length, (stop - base) >> 2);
    for (let k = (i - base) >> 2; k < lastWord; k++) {
      const w = words[k];
      // A byte of ~w is zero where w's byte is 0xff; the lowest flag of the zero-byte test is exact.
      const flags = ((~w - 0x01010101) & w & 0x80808080) >>> 0;
      if (flags !== 0) {
        return Math.min(stop, base + 4 * k + ((31 - Math.clz32(flags & -flags)) >> 3));
      }
      i = base + 4 * (k + 1);
    }
    for (; i < stop; i++) if (bytes[i] === 0xff) return i;
    return stop;
  }
}

/**
 * The frames of a FLAC stream, read `READ_BYTES` at a time. Frames follow each other from the
 * end of the metadata; a frame ends where the next header starts, recognised by its sync code,
 * legal fields, CRC-8 and the frame (or sample) number that must come next, so a sync pattern
 * inside compressed data cannot split a frame, and a short final block whose size is stored in
 * the header (which codec-parser misses) is found like any other.
 */
export async function* scanFlacFrames(source: ByteSource, audioStart: number, path: string): AsyncGenerator<FlacFrame> {
  let buffer: Uint8Array = new Uint8Array(0);
  /** File offset of buffer[0]. */
  let bufferStart = audioStart;
  let atEnd = audioStart >= source.size;
  let syncBytes = new SyncByteFinder(buffer);
  /** Appends the next chunk, dropping the bytes before `keepFrom` (a file offset); false at the end of the file. */
  const readMore = async (keepFrom: number): Promise<boolean> => {
    if (atEnd) return false;
    const readAt = bufferStart + buffer.length;
    const chunk = await source.read(readAt, READ_BYTES);
    if (chunk.length === 0 || readAt + chunk.length >= source.size) atEnd = true;
    const kept = buffer.subarray(keepFrom - bufferStart);
    if (kept.length === 0) buffer = chunk;
    else {
      const merged = new Uint8Array(kept.length + chunk.length);
      merged.set(kept);
      merged.set(chunk, kept.length);
      buffer = merged;
    }
    bufferStart = keepFrom;
    syncBytes = new SyncByteFinder(buffer);
    return chunk.length > 0;
  };
  while (buffer.length < FLAC_MAX_HEADER_BYTES && (await readMore(bufferStart)));
  if (buffer.length === 0) return;
  let header = parseFlacFrameHeader(buffer, 0);
  if (header === null) throw fail(path, `corrupt FLAC data: no frame header at byte ${audioStart}, where the metadata ends`);
  let frameStart = audioStart;
  let firstSample = 0;
  let searchFrom = frameStart + header.length;
  for (;;) {
    const expected: number = header.variableBlockSize ? header.number + header.blockSize : header.number + 1;
    const stop = atEnd ? buffer.length - 1 : buffer.length - FLAC_MAX_HEADER_BYTES;
    let i = searchFrom - bufferStart;
    let next: FlacFrameHeader | null = null;
    for (; i < stop; i++) {
      i = syncBytes.next(i, stop);
      if (i >= stop) break;
      if ((buffer[i + 1] & 0xfe) !== 0xf8) continue;
      const candidate = parseFlacFrameHeader(buffer, i);
      if (candidate !== null && candidate.number === expected && candidate.variableBlockSize === header.variableBlockSize) {
        next = candidate;
        break;
      }
    }
    if (next !== null) {
      yield { data: buffer.subarray(frameStart - bufferStart, i), firstSample, blockSize: header.blockSize };
      firstSample += header.blockSize;
      frameStart = bufferStart + i;
      header = next;
      searchFrom = frameStart + next.length;
      continue;
    }
    searchFrom = bufferStart + Math.max(i, searchFrom - bufferStart);
    if (searchFrom - frameStart > FLAC_MAX_FRAME_BYTES) {
      throw fail(path, `corrupt FLAC data: no header for frame ${expected} within ${FLAC_MAX_FRAME_BYTES} bytes after byte ${frameStart}`);
    }
    if (!(await readMore(frameStart))) {
      yield { data: buffer.subarray(frameStart - bufferStart), firstSample, blockSize: header.blockSize };
      return;
    }
  }
}
