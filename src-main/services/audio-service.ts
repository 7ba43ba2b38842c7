import { z } from 'zod';
import { audioArgs, type AudioApi, type ClipAudio, type MelSpectrogram } from '../../src-shared/contract/index.js';
import { bytesToBase64, float32ToBase64 } from '../../src-shared/contract/bytes.js';
import type { CatalogService } from '../catalog/service.js';
import type { AudioWorkers } from '../workers/pool.js';
import type { PathPolicy } from './path-policy.js';

interface AudioServiceDeps {
  catalog: CatalogService;
  workers: AudioWorkers;
  /** Refuses a clip whose file lies outside its dataset's folder. */
  paths: PathPolicy;
}

/** Audio for the clip view: playable WAV and the mel spectrogram, decoded in worker threads. */
export class AudioService implements AudioApi {
  private readonly catalog: CatalogService;
  private readonly workers: AudioWorkers;
  private readonly paths: PathPolicy;

  constructor(deps: AudioServiceDeps) {
    this.catalog = deps.catalog;
    this.workers = deps.workers;
    this.paths = deps.paths;
  }

  async clipAudio(args: z.input<typeof audioArgs.clipAudio>): Promise<ClipAudio> {
    const clip = await this.catalog.getClip({ clipId: args.clipId });
    await this.paths.checkClip(clip);
    const audio = await this.workers.clipAudio(clip.path);
    return { wavBase64: bytesToBase64(audio.wav), sampleRate: audio.sampleRate, durationSec: audio.durationSec };
  }

  async melSpectrogram(args: z.input<typeof audioArgs.melSpectrogram>): Promise<MelSpectrogram> {
    // Parsed again here so callers inside the main process get the same defaults as the transports.
    const params = audioArgs.melSpectrogram.parse(args);
    const clip = await this.catalog.getClip({ clipId: params.clipId });
    await this.paths.checkClip(clip);
    const mel = await this.workers.mel(clip.path, params);
    return {
      sampleRate: params.sampleRate,
      nFft: params.nFft,
      hopLength: params.hopLength,
      nMels: mel.nMels,
      nFrames: mel.nFrames,
      fmin: 0,
      fmax: params.sampleRate / 2,
      dbBase64: float32ToBase64(mel.db),
      dbMin: mel.dbMin,
      dbMax: mel.dbMax,
    };
  }
}
