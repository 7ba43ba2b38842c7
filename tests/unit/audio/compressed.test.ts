import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFile } from '../../../src-main/audio/decode.js';
import { probeAudio } from '../../../src-main/audio/probe.js';
import { amplitudeAt, expectStudioError, tempDir } from './helpers.js';

/**
 * Fixtures written by libsndfile (python soundfile): 0.5 s of 440 Hz (0.5) left / 660 Hz (0.3)
 * right at 22050 Hz for MP3 and Vorbis; 440 Hz on both channels at 48 kHz for Opus.
 */
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

let dir = '';
let remove: () => Promise<void> = async () => {};
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

describe('compressed formats', () => {
  for (const [file, format, sampleRate] of [
    ['tone-stereo.mp3', 'mp3', 22_050],
    ['tone-stereo.ogg', 'ogg', 22_050],
  ] as const) {
    it(`${file} decodes to the tones that were encoded`, async () => {
      const decoded = await decodeFile(join(fixtures, file));
      expect(decoded).toMatchObject({ format, sampleRate, channels: 2 });
      expect(decoded.frames).toBeGreaterThan(0.45 * sampleRate);
      expect(amplitudeAt(decoded.data[0], sampleRate, 440)).toBeCloseTo(0.5, 1);
      expect(amplitudeAt(decoded.data[1], sampleRate, 660)).toBeCloseTo(0.3, 1);
      const info = await probeAudio(join(fixtures, file));
      expect(info).toMatchObject({ format, sampleRate, channels: 2 });
    });
  }

  it('tone-stereo.opus decodes at 48 kHz', async () => {
    const decoded = await decodeFile(join(fixtures, 'tone-stereo.opus'), { mono: true });
    expect(decoded).toMatchObject({ format: 'ogg', sampleRate: 48_000, channels: 2 });
    expect(decoded.data).toHaveLength(1);
    expect(amplitudeAt(decoded.data[0], 48_000, 440)).toBeCloseTo(0.5, 1);
  });

  it('an Ogg Vorbis file cut inside its headers is DECODE_FAILED', async () => {
    const bytes = await readFile(join(fixtures, 'tone-stereo.ogg'));
    const path = join(dir, 'cut.ogg');
    await writeFile(path, bytes.subarray(0, 200));
    await expectStudioError(probeAudio(path), 'DECODE_FAILED', path);
  });
});
