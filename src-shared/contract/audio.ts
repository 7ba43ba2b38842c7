import { z } from 'zod';

export interface ClipAudio {
  /** A 16-bit PCM WAV of the whole clip (all channels mixed to mono, original rate), base64. */
  wavBase64: string;
  sampleRate: number;
  durationSec: number;
}

export interface MelSpectrogram {
  sampleRate: number;
  nFft: number;
  hopLength: number;
  nMels: number;
  nFrames: number;
  fmin: number;
  fmax: number;
  /** power_to_db(mel, ref=max) values, float32 little-endian, shape [nMels][nFrames], base64. */
  dbBase64: string;
  /** Range of the dB values (dbMax is 0 with ref=max; dbMin ≥ dbMax - topDb). */
  dbMin: number;
  dbMax: number;
}

const idSchema = z.number().int().positive();

export const audioArgs = {
  clipAudio: z.strictObject({ clipId: idSchema }),
  melSpectrogram: z.strictObject({
    clipId: idSchema,
    sampleRate: z.number().int().min(4000).max(192_000).default(22_050),
    nFft: z.union([z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]).default(2048),
    hopLength: z.number().int().min(32).max(4096).default(256),
    nMels: z.number().int().min(16).max(256).default(128),
    topDb: z.number().min(10).max(200).default(80),
  }),
};

export interface AudioApi {
  clipAudio(args: z.input<typeof audioArgs.clipAudio>): Promise<ClipAudio>;
  /** Mel spectrogram computed in the main process from the decoded audio. */
  melSpectrogram(args: z.input<typeof audioArgs.melSpectrogram>): Promise<MelSpectrogram>;
}
