import type { AudioFormat } from '../../src-shared/contract/catalog.js';
import { StudioError } from '../../src-shared/contract/result.js';
import { decodeBytes, readAll, sniffCodec } from './decode.js';
import { bufferSource, openSource, parseWavHeader } from './wav.js';

export interface AudioInfo {
  format: AudioFormat;
  /** Frames per second. */
  sampleRate: number;
  channels: number;
  frames: number;
  durationSec: number;
}

/**
 * Facts about an audio file, after checking that it really decodes; the catalog import uses it
 * to reject bad files with the path and the reason (StudioError). A WAV file is checked from its
 * header and size alone (every frame of a well-formed WAV is readable); compressed files are
 * decoded in full, since only decoding finds a damaged frame.
 */
export async function probeAudio(path: string): Promise<AudioInfo> {
  const { source, close } = await openSource(path);
  try {
    if (source.size === 0) throw new StudioError('DECODE_FAILED', `${path}: empty file`);
    const codec = sniffCodec(await source.read(0, 64));
    if (codec === 'wav') return wavInfo(await parseWavHeader(source, path));
  } finally {
    await close();
  }
  return probeBytes(await readAll(path), path);
}

/** probeAudio for bytes already in memory (the worker reads once to hash and probe). */
export async function probeBytes(bytes: Uint8Array, path: string): Promise<AudioInfo> {
  if (sniffCodec(bytes.subarray(0, 64)) === 'wav') return wavInfo(await parseWavHeader(bufferSource(bytes), path));
  const decoded = await decodeBytes(bytes, path);
  return {
    format: decoded.format,
    sampleRate: decoded.sampleRate,
    channels: decoded.channels,
    frames: decoded.frames,
    durationSec: decoded.frames / decoded.sampleRate,
  };
}

function wavInfo(header: { sampleRate: number; channels: number; frames: number }): AudioInfo {
  return {
    format: 'wav',
    sampleRate: header.sampleRate,
    channels: header.channels,
    frames: header.frames,
    durationSec: header.frames / header.sampleRate,
  };
}
