import { bytesToBase64 } from '../../../src-shared/contract/bytes.js';
import {
  float32ToPcm16Base64,
  MAX_AUDIO_BASE64,
  MAX_FILE_BYTES,
  type Client,
  type FilePrediction,
  type LiveModel,
  type LoadedModel,
  type SavedRecording,
  type Transport,
  type WindowPrediction,
} from '../../../src-shared/contract/index.js';
import { LiveSpectrum } from './live-spectrum.js';
import { decodeInPage, openMicrophone, type MicCapture } from './mic-capture.js';
import { LatestOnly, RollingWindow } from './rolling-window.js';

export interface FileResult {
  id: number;
  name: string;
  status: 'pending' | 'done' | 'failed';
  prediction: FilePrediction | null;
  error: string | null;
}

/** Bounds of the window and hop inputs, seconds. The window's upper bound keeps one window under the message limit. */
export const WINDOW_RANGE = { min: 0.5, max: 5 } as const;
export const HOP_RANGE = { min: 0.1, max: 2 } as const;
/** How a failed window's message starts (so the next success can clear it, and only it). */
const CLASSIFY_ERROR = 'Could not classify the live audio:';
/** Updates per second are measured over this many recent ones. */
const RATE_SPAN = 6;

/**
 * Live classification: a model chosen among finished runs, the microphone cut into rolling
 * windows that the main process classifies (through the model's own pipeline), the scrolling
 * spectrogram's columns, dropped files, and saving the last window as a clip.
 */
export class LiveSession {
  models = $state.raw<LiveModel[]>([]);
  modelsLoaded = $state(false);
  model = $state.raw<LoadedModel | null>(null);
  loadingModel = $state(false);
  windowSec = $state(2.5);
  hopSec = $state(0.5);
  running = $state(false);
  starting = $state(false);
  deviceLabel = $state('');
  prediction = $state.raw<WindowPrediction | null>(null);
  /** Predictions shown since Start: the bars' update count. */
  updates = $state(0);
  /** Measured over the last few updates. */
  updatesPerSec = $state(0);
  /** Input level of the newest audio, dBFS. */
  levelDb = $state(-120);
  /** Seconds of audio captured so far. */
  capturedSec = $state(0);
  error = $state<string | null>(null);
  files = $state.raw<FileResult[]>([]);
  saving = $state(false);
  saved = $state.raw<SavedRecording | null>(null);

  private readonly client: Client;
  private readonly transport: Transport;
  private capture: MicCapture | null = null;
  private rolling: RollingWindow | null = null;
  private spectrum: LiveSpectrum | null = null;
  private readonly queue: LatestOnly<Float32Array>;
  private lastWindow: Float32Array | null = null;
  /** Rate of `lastWindow`, kept after the capture closes so a stopped session can still save it. */
  private lastRate = 0;
  /** Dropped files by result id, to classify again when another model is picked. */
  private readonly fileBlobs = new Map<number, File>();
  private updateTimes: number[] = [];
  private readonly columnListeners = new Set<(columns: Float32Array[]) => void>();
  private nextFileId = 1;
  /** Bumped by stop(), so an answer to a window sent before it is dropped. */
  private generation = 0;

  constructor(client: Client, transport: Transport) {
    this.client = client;
    this.transport = transport;
    this.queue = new LatestOnly((samples) => this.classify(samples));
  }

  get sampleRate(): number {
    return this.capture?.sampleRate ?? 0;
  }

  /** True once a window has been captured that can be saved. */
  get hasWindow(): boolean {
    return this.capturedSec >= this.windowSec || (!this.running && this.capturedSec > 0);
  }

  /** Refreshes the list when a run finishes or is deleted; returns the unsubscribe. */
  listen(): () => void {
    return this.transport.on('run.changed', () => void this.loadModels());
  }

  async loadModels(): Promise<void> {
    const result = await this.client.live.models({});
    this.modelsLoaded = true;
    if (!result.ok) {
      this.error = `Could not list the trained models: ${result.error.message}`;
      return;
    }
    this.models = result.value;
    if (this.model !== null && !result.value.some((model) => model.runId === this.model?.runId)) this.model = null;
  }

  async pick(runId: number): Promise<void> {
    this.loadingModel = true;
    this.error = null;
    try {
      const result = await this.client.live.load({ runId });
      if (result.ok) {
        this.model = result.value;
        this.prediction = null;
        for (const file of this.files) void this.classifyFile(file.name, null, file.id);
      } else {
        this.error = `Could not load the model of run ${runId}: ${result.error.message}`;
      }
    } finally {
      this.loadingModel = false;
    }
  }

  /** Subscribes to the spectrogram's new columns; returns the unsubscribe. */
  onColumns(listener: (columns: Float32Array[]) => void): () => void {
    this.columnListeners.add(listener);
    return () => this.columnListeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.running || this.starting) return;
    this.starting = true;
    this.error = null;
    this.saved = null;
    try {
      this.capture = await openMicrophone((samples) => this.onSamples(samples));
      this.deviceLabel = this.capture.deviceLabel;
      this.rolling = new RollingWindow({ sampleRate: this.capture.sampleRate, windowSec: this.windowSec, hopSec: this.hopSec });
      this.spectrum = new LiveSpectrum({ sampleRate: this.capture.sampleRate });
      this.updates = 0;
      this.updateTimes = [];
      this.updatesPerSec = 0;
      this.capturedSec = 0;
      this.running = true;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.starting = false;
    }
  }

  async stop(): Promise<void> {
    if (this.rolling !== null && this.rolling.position > 0) this.lastWindow = this.rolling.latest();
    this.generation += 1;
    this.queue.clear();
    this.running = false;
    const capture = this.capture;
    this.capture = null;
    this.rolling = null;
    await capture?.close();
  }

  /** New window or hop length; a running capture restarts its windows (keeping the device open). */
  setTiming(windowSec: number, hopSec: number): void {
    const window = Math.min(WINDOW_RANGE.max, Math.max(WINDOW_RANGE.min, windowSec));
    const hop = Math.min(HOP_RANGE.max, Math.max(HOP_RANGE.min, hopSec));
    if (window === this.windowSec && hop === this.hopSec) return;
    this.windowSec = window;
    this.hopSec = hop;
    const previous = this.rolling;
    if (this.capture !== null && previous !== null) {
      // The audio heard so far stays: the new windows start from it rather than from silence.
      const rolling = new RollingWindow({ sampleRate: this.capture.sampleRate, windowSec: window, hopSec: hop });
      rolling.push(previous.latest());
      this.rolling = rolling;
      this.capturedSec = rolling.position / rolling.sampleRate;
    }
  }

  private onSamples(samples: Float32Array): void {
    const rolling = this.rolling;
    if (rolling === null) return;
    this.lastRate = rolling.sampleRate;
    let energy = 0;
    for (const value of samples) energy += value * value;
    this.levelDb = 10 * Math.log10(Math.max(1e-12, energy / Math.max(1, samples.length)));
    const columns = this.spectrum?.push(samples) ?? [];
    if (columns.length > 0) for (const listener of this.columnListeners) listener(columns);
    for (const window of rolling.push(samples)) {
      this.lastWindow = window.samples;
      if (this.model !== null) this.queue.offer(window.samples);
    }
    this.capturedSec = rolling.position / rolling.sampleRate;
  }

  private async classify(samples: Float32Array): Promise<void> {
    const model = this.model;
    const sampleRate = this.sampleRate;
    if (model === null || sampleRate === 0) return;
    const generation = this.generation;
    const result = await this.client.live.classifyWindow({ runId: model.runId, audio: { sampleRate, pcm16Base64: float32ToPcm16Base64(samples) } });
    if (generation !== this.generation || this.model?.runId !== model.runId) return;
    if (!result.ok) {
      this.error = `${CLASSIFY_ERROR} ${result.error.message}`;
      return;
    }
    // A success clears a classification error, not one from saving or loading.
    if (this.error?.startsWith(CLASSIFY_ERROR)) this.error = null;
    this.prediction = result.value;
    this.updates += 1;
    const now = performance.now();
    this.updateTimes = [...this.updateTimes.slice(-(RATE_SPAN - 1)), now];
    if (this.updateTimes.length >= 2) {
      this.updatesPerSec = (this.updateTimes.length - 1) / ((now - this.updateTimes[0]) / 1000);
    }
  }

  /** Classifies dropped files one after another, each listed with its result. */
  async classifyFiles(files: readonly File[]): Promise<void> {
    const entries = files.map((file) => ({ file, id: this.nextFileId++ }));
    this.files = [...entries.map(({ file, id }): FileResult => ({ id, name: file.name, status: 'pending', prediction: null, error: null })), ...this.files];
    for (const { file, id } of entries) await this.classifyFile(file.name, file, id);
  }

  private async classifyFile(name: string, given: File | null, id: number): Promise<void> {
    const file = given ?? this.fileBlobs.get(id);
    if (file === undefined) return;
    this.fileBlobs.set(id, file);
    const update = (patch: Partial<FileResult>) => (this.files = this.files.map((entry) => (entry.id === id ? { ...entry, ...patch } : entry)));
    const model = this.model;
    if (model === null) {
      update({ status: 'failed', error: 'Pick a model first, then drop the file again.' });
      return;
    }
    update({ status: 'pending', error: null });
    try {
      let audio: { kind: 'file'; bytesBase64: string } | { kind: 'pcm'; sampleRate: number; pcm16Base64: string };
      if (file.size <= MAX_FILE_BYTES) {
        audio = { kind: 'file', bytesBase64: bytesToBase64(new Uint8Array(await file.arrayBuffer())) };
      } else {
        // Too large to send as is: decode here, and send only what the pipeline reads (offset + duration).
        const { sampleRate, offsetSec, durationSec } = model.pipeline.load;
        const samples = await decodeInPage(file, sampleRate, offsetSec + durationSec);
        const pcm16Base64 = float32ToPcm16Base64(samples);
        if (pcm16Base64.length > MAX_AUDIO_BASE64) throw new Error(`${name}: too long to classify here`);
        audio = { kind: 'pcm', sampleRate, pcm16Base64 };
      }
      const result = await this.client.live.classifyFile({ runId: model.runId, name, audio });
      if (result.ok) update({ status: 'done', prediction: result.value, error: null });
      else update({ status: 'failed', error: result.error.message });
    } catch (error) {
      update({ status: 'failed', error: error instanceof Error ? error.message : String(error) });
    }
  }

  clearFiles(): void {
    this.files = [];
    this.fileBlobs.clear();
  }

  /** Saves the newest window as a clip with `label` (imported into the catalog). */
  async saveLastWindow(label: string): Promise<void> {
    const samples = this.running && this.rolling !== null ? this.rolling.latest() : this.lastWindow;
    const sampleRate = this.lastRate;
    if (samples === null || samples.length === 0 || sampleRate === 0) {
      this.error = 'Nothing recorded yet: press Start and speak, then save.';
      return;
    }
    this.saving = true;
    this.saved = null;
    try {
      const result = await this.client.live.saveRecording({ audio: { sampleRate, pcm16Base64: float32ToPcm16Base64(samples) }, label });
      if (result.ok) {
        this.saved = result.value;
        this.error = null;
      } else {
        this.error = `Could not save the recording: ${result.error.message}`;
      }
    } finally {
      this.saving = false;
    }
  }
}
