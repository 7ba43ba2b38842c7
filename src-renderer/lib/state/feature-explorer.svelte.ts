import { base64ToFloat32 } from '../../../src-shared/contract/bytes.js';
import type { Client, Clip, ClipFeatureDetail, EmotionAverages, Transport } from '../../../src-shared/contract/index.js';
import { SEED_HOP_LENGTH, splitSeedVector, type SeedParts } from '../../../src-shared/model/seed-layout.js';

/** Centre of frame t in the file, seconds: centered frames sit at t·hop in the excerpt, which starts at the pipeline's offset. */
export function seedFrameTimeSec(frame: number, offsetSec: number, sampleRate: number): number {
  return offsetSec + (frame * SEED_HOP_LENGTH) / sampleRate;
}

/** One clip's seed features, split by the layout map so every chart shows what the model reads. */
export class FeatureExplorer {
  clip = $state.raw<Clip | null>(null);
  detail = $state.raw<ClipFeatureDetail | null>(null);
  vector = $state.raw<Float32Array | null>(null);
  parts = $state.raw<SeedParts | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  private readonly client: Client;
  private request = 0;

  constructor(client: Client) {
    this.client = client;
  }

  async pick(clip: Clip): Promise<void> {
    this.clip = clip;
    const id = ++this.request;
    this.loading = true;
    const result = await this.client.explore.clipFeatureDetail({ clipId: clip.id });
    if (id !== this.request) return;
    this.loading = false;
    if (!result.ok) {
      this.error = `Could not compute the features of ${clip.relPath}: ${result.error.message}`;
      return;
    }
    const vector = base64ToFloat32(result.value.valuesBase64);
    this.error = null;
    this.detail = result.value;
    this.vector = vector;
    this.parts = splitSeedVector(vector, result.value.nFrames);
  }

  frameTimeSec(frame: number): number {
    const load = this.detail?.pipeline.load;
    return load === undefined ? 0 : seedFrameTimeSec(frame, load.offsetSec, load.sampleRate);
  }
}

/** The per-emotion averages job: progress from `job.progress`, cancel through explore.cancel. */
export class EmotionAveragesJob {
  running = $state(false);
  done = $state(0);
  total = $state(0);
  detail = $state('');
  result = $state.raw<EmotionAverages | null>(null);
  error = $state<string | null>(null);
  private readonly client: Client;
  private readonly transport: Transport;
  private jobId: string | null = null;

  constructor(client: Client, transport: Transport) {
    this.client = client;
    this.transport = transport;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const jobId = `emotion-averages-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    this.jobId = jobId;
    this.running = true;
    this.error = null;
    this.done = 0;
    this.total = 0;
    this.detail = 'starting';
    const off = this.transport.on('job.progress', (progress) => {
      if (progress.jobId !== jobId) return;
      this.done = progress.done;
      this.total = progress.total;
      this.detail = progress.detail;
    });
    try {
      const result = await this.client.explore.emotionAverages({ jobId });
      if (!result.ok) {
        this.error = `Could not average the catalog's features: ${result.error.message}`;
        return;
      }
      const { extract } = result.value;
      // A cancelled job still returns what it had: show it, and say it is partial.
      this.result = result.value;
      if (extract.cancelled) this.error = `Cancelled after ${extract.cached + extract.computed} of ${extract.total} clips: the averages below cover those only.`;
      else if (extract.failed.length > 0) {
        const first = extract.failed[0];
        this.error = `${extract.failed.length} clip${extract.failed.length === 1 ? '' : 's'} could not be read and ${extract.failed.length === 1 ? 'is' : 'are'} left out, e.g. ${first.path}: ${first.reason}`;
      }
    } finally {
      off();
      this.running = false;
      this.jobId = null;
    }
  }

  async cancel(): Promise<void> {
    if (this.jobId !== null) await this.client.explore.cancel({ jobId: this.jobId });
  }
}
