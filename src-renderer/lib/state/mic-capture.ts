/** An open microphone: samples flow to the callback until `close`. */
export interface MicCapture {
  /** Rate of the samples delivered, Hz. */
  sampleRate: number;
  /** The input device's name, when the browser tells it. */
  deviceLabel: string;
  close(): Promise<void>;
}

/**
 * Rate the capture runs at. Fixed, so a window's size is known in advance (a 5 s window of
 * 16-bit samples stays under the browser-mode message limit) and the main process resamples
 * from one known rate with the same resampler the training pipeline uses.
 */
export const CAPTURE_SAMPLE_RATE = 48_000;
/** Samples per callback: about 85 ms at 48 kHz, well under any hop. */
const BLOCK_SIZE = 4096;

/** getUserMedia's errors in plain words. */
export function microphoneErrorMessage(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'The microphone is blocked: allow it for this page (the browser’s site settings, or the system’s privacy settings) and press Start again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found: connect one and press Start again, or drop audio files below.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The microphone is in use by another program or could not be opened: close that program and press Start again.';
    default:
      return `Could not open the microphone: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Opens the default microphone, raw (no echo cancellation, noise suppression or gain control,
 * which would change what the model hears), and delivers mono blocks at CAPTURE_SAMPLE_RATE.
 * A ScriptProcessorNode rather than an AudioWorklet: the worklet would need a module URL the
 * page's CSP and both transports serve alike, for no gain at this block size.
 */
export async function openMicrophone(onSamples: (samples: Float32Array) => void): Promise<MicCapture> {
  if (navigator.mediaDevices?.getUserMedia === undefined) {
    throw new Error('This page cannot use the microphone: open the studio from 127.0.0.1 or localhost, or in the desktop app.');
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  } catch (error) {
    throw new Error(microphoneErrorMessage(error));
  }
  const context = new AudioContext({ sampleRate: CAPTURE_SAMPLE_RATE });
  const source = context.createMediaStreamSource(stream);
  const processor = context.createScriptProcessor(BLOCK_SIZE, 1, 1);
  // The processor only runs when connected to the output; a zero gain keeps it silent.
  const mute = context.createGain();
  mute.gain.value = 0;
  processor.onaudioprocess = (event) => onSamples(event.inputBuffer.getChannelData(0).slice());
  source.connect(processor);
  processor.connect(mute);
  mute.connect(context.destination);
  if (context.state === 'suspended') await context.resume();
  const track = stream.getAudioTracks()[0];
  return {
    sampleRate: context.sampleRate,
    deviceLabel: track?.label ?? '',
    close: async () => {
      processor.onaudioprocess = null;
      source.disconnect();
      processor.disconnect();
      mute.disconnect();
      for (const t of stream.getTracks()) t.stop();
      await context.close();
    },
  };
}

/**
 * Decodes a dropped file in the page (for files too large to send as they are): mono at `sampleRate`,
 * the first `maxSec` seconds only.
 */
export async function decodeInPage(file: File, sampleRate: number, maxSec: number): Promise<Float32Array> {
  const context = new OfflineAudioContext(1, 1, sampleRate);
  let buffer: AudioBuffer;
  try {
    buffer = await context.decodeAudioData(await file.arrayBuffer());
  } catch {
    throw new Error(`${file.name}: not audio this browser can decode`);
  }
  const length = Math.min(buffer.length, Math.ceil(maxSec * sampleRate));
  const mono = new Float32Array(length);
  for (let channel = 0; channel < buffer.numberOfChannels; channel++) {
    const data = buffer.getChannelData(channel);
    for (let i = 0; i < length; i++) mono[i] += data[i] / buffer.numberOfChannels;
  }
  return mono;
}
