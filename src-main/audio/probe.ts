import type { AudioFormat } from '../../src-shared/contract/catalog.js';
import { measureCompressed, noAudioFrames, sniffSource } from './decode.js';
import { bufferSource, openSourceSync, parseWavHeader, type ByteSource } from './wav.js';

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
 * header and size alone (every frame of a well-formed WAV is readable), so a long WAV probes in
 * constant time. Compressed files are decoded in full, since only decoding finds a damaged frame,
 * but in chunks whose samples are counted and dropped: memory does not grow with the length.
 * There is no length limit (an hour is a valid clip); a file with no audio frames is
 * DECODE_FAILED, whatever its format.
 */
export async function probeAudio(path: string): Promise<AudioInfo> {
  const { source, close } = openSourceSync(path);
  try {
    return await probeSource(source, path);
  } finally {
    close();
  }
}

/** probeAudio for bytes already in memory (the worker reads once to hash and probe). */
export async function probeBytes(bytes: Uint8Array, path: string): Promise<AudioInfo> {
  return probeSource(bufferSource(bytes), path);
}

export async function probeSource(source: ByteSource, path: string): Promise<AudioInfo> {
  const codec = await sniffSource(source, path);
  if (codec === 'wav') {
    const header = await parseWavHeader(source, path);
    if (header.frames === 0) throw noAudioFrames(path, 'the WAV data chunk is empty');
    return info('wav', header.sampleRate, header.channels, header.frames);
  }
  const facts = await measureCompressed(codec, source, path);
  return info(facts.format, facts.sampleRate, facts.channels, facts.frames);
}

function info(format: AudioFormat, sampleRate: number, channels: number, frames: number): AudioInfo {
  return { format, sampleRate, channels, frames, durationSec: frames / sampleRate };
}
