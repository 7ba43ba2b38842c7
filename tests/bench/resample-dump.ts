// Writes loadAudio(offset 0.6 s, 2.5 s, 22050 Hz) of the three librosa reference clips as float32
// LE into the folder given as argv[2], and prints the time per load; tools/resample_parity.py
// then compares librosa features of these against the references.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAudio } from '../../src-main/audio/load.js';

const out = process.argv[2] ?? '/tmp/es-resample';
const ravdess = resolve(import.meta.dirname, '../../../shared/data/ravdess-speech');
const clips = ['Actor_01/03-01-05-02-01-01-01.wav', 'Actor_02/03-01-04-01-02-02-02.wav', 'Actor_07/03-01-08-02-01-01-07.flac'];
for (const clip of clips) {
  const path = join(ravdess, clip);
  const options = { sampleRate: 22_050, offsetSec: 0.6, durationSec: 2.5 };
  await loadAudio(path, options);
  const t = performance.now();
  const { y } = await loadAudio(path, options);
  const name = clip.split('/')[1].replace(/\.(wav|flac)$/, '');
  writeFileSync(join(out, `ours-${name}.f32le`), new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
  console.log(`${clip}: ${(performance.now() - t).toFixed(1)} ms`);
}
