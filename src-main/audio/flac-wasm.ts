import { FLACDecoder } from '@wasm-audio-decoders/flac';

/**
 * libFLAC (the wasm build of @wasm-audio-decoders/flac) driven one frame at a time, with each
 * frame's samples handed to the caller as views of the decoder's own heap.
 *
 * The package's public decodeFrames copies every frame out of the heap (a slice per channel),
 * then concatenates the copies into new arrays; the caller then rescales and crops them. For a
 * 2.5 s clip those three passes and the garbage they leave cost about a third as much as libFLAC
 * itself. Here the caller reads the heap once, writing the rescaled, cropped samples straight
 * into its output. This relies on the package's internal fields (the wasm exports and the
 * pointers its decoder writes to): they are checked when the decoder is created, and if they are
 * not shaped as expected (another version of the package) every call goes through the public
 * decodeFrames instead, with the same results.
 */

/** Receives one decoded frame: `channels[c][i]` for i < samples; the arrays are valid only during the call. */
export type FrameSink = (channels: Float32Array[], samples: number, bitsPerSample: number) => void;

export interface FramesDecoded {
  samplesDecoded: number;
  /** Bits per sample of the last frame (0 when nothing decoded). */
  bitsPerSample: number;
  /** The decoder's complaints, first first. */
  errors: string[];
}

/** The package's Emscripten instance as far as we use it. */
interface WasmExports {
  HEAP: ArrayBuffer;
  malloc(bytes: number): number;
  free(pointer: number): void;
  decode_frame(decoder: number, input: number, length: number): number;
}

interface HeapCell {
  buf: Uint32Array;
}

/** The package's inner decoder (re-created by reset(), so looked up on every call). */
interface Inner {
  _common: { wasm: WasmExports; codeToString(pointer: number): string };
  _decoder: number;
  _channels: HeapCell;
  _bitsPerSample: HeapCell;
  _samplesDecoded: HeapCell;
  _outputBufferPtr: HeapCell;
  _outputBufferLen: HeapCell;
  _errorStringPtr: HeapCell;
  _stateStringPtr: HeapCell;
}

function innerOf(decoder: FLACDecoder): Inner | null {
  const inner = (decoder as unknown as { _decoder?: Partial<Inner> })._decoder;
  const wasm = inner?._common?.wasm;
  const cells = [inner?._channels, inner?._bitsPerSample, inner?._samplesDecoded, inner?._outputBufferPtr, inner?._outputBufferLen, inner?._errorStringPtr, inner?._stateStringPtr];
  if (
    inner === undefined ||
    wasm === undefined ||
    !(wasm.HEAP instanceof ArrayBuffer) ||
    typeof wasm.malloc !== 'function' ||
    typeof wasm.free !== 'function' ||
    typeof wasm.decode_frame !== 'function' ||
    typeof inner._common?.codeToString !== 'function' ||
    typeof inner._decoder !== 'number' ||
    !cells.every((cell) => cell?.buf instanceof Uint32Array && cell.buf.buffer === wasm.HEAP)
  ) {
    return null;
  }
  return inner as Inner;
}

export class FlacFrameDecoder {
  private readonly decoder = new FLACDecoder();
  /** False until ready, and for good when the package's internals are not as expected. */
  private direct = false;
  readonly ready: Promise<void>;

  /** @param readHeap false: always use the package's public decodeFrames (tests compare the two paths) */
  constructor(readHeap = true) {
    this.ready = this.decoder.ready.then(() => {
      this.direct = readHeap && innerOf(this.decoder) !== null;
    });
  }

  /** True when frames are decoded through the heap views rather than the public decodeFrames. */
  get readsHeap(): boolean {
    return this.direct;
  }

  /** A fresh libFLAC state (and wasm heap): forgets the previous frames. */
  reset(): Promise<void> {
    return this.decoder.reset();
  }

  /** Decodes whole frames in order, handing each one's samples to `sink`. */
  async decodeFrames(frames: Uint8Array[], sink: FrameSink): Promise<FramesDecoded> {
    const inner = this.direct ? innerOf(this.decoder) : null;
    if (inner === null) return this.decodePublic(frames, sink);
    const { wasm } = inner._common;
    let samplesDecoded = 0;
    let bitsPerSample = 0;
    const errors: string[] = [];
    // The heap is fixed in size (the build does not grow memory), so one view serves every frame.
    const heap = new Uint8Array(wasm.HEAP);
    for (const frame of frames) {
      // decode_frame queues the buffer and frees it itself once libFLAC has read it.
      const input = wasm.malloc(frame.length);
      if (input === 0) throw new Error(`the decoder's heap has no room for a ${frame.length}-byte frame`);
      heap.set(frame, input);
      wasm.decode_frame(inner._decoder, input, frame.length);
      const complaint = this.complaint(inner, heap);
      if (complaint !== null) errors.push(complaint);
      const samples = inner._samplesDecoded.buf[0];
      const output = inner._outputBufferPtr.buf[0];
      if (samples > 0) {
        const channelCount = inner._channels.buf[0];
        bitsPerSample = inner._bitsPerSample.buf[0];
        const channels: Float32Array[] = [];
        for (let c = 0; c < channelCount; c++) channels.push(new Float32Array(wasm.HEAP, output + c * samples * 4, samples));
        sink(channels, samples, bitsPerSample);
        samplesDecoded += samples;
      }
      if (output !== 0) wasm.free(output);
      inner._outputBufferPtr.buf[0] = 0;
      inner._outputBufferLen.buf[0] = 0;
      inner._samplesDecoded.buf[0] = 0;
    }
    return { samplesDecoded, bitsPerSample, errors };
  }

  /** The decoder's error and state strings after a call, null when both are empty (as the package reports them). */
  private complaint(inner: Inner, heap: Uint8Array): string | null {
    const error = inner._errorStringPtr.buf[0];
    const state = inner._stateStringPtr.buf[0];
    // decode_frame points both at "" before it starts: look at the first byte before building strings.
    const hasError = error !== 0 && heap[error] !== 0;
    const hasState = state !== 0 && heap[state] !== 0;
    if (!hasError && !hasState) return null;
    const parts: string[] = [];
    if (hasError) parts.push(`Error: ${inner._common.codeToString(error)}`);
    if (hasState) parts.push(`State: ${inner._common.codeToString(state)}`);
    console.error(`@wasm-audio-decoders/flac: \n\t${parts.join('\n\t')}`);
    return parts.join('; ');
  }

  private async decodePublic(frames: Uint8Array[], sink: FrameSink): Promise<FramesDecoded> {
    const result = await this.decoder.decodeFrames(frames);
    if (result.samplesDecoded > 0) sink(result.channelData, result.samplesDecoded, result.bitDepth);
    return { samplesDecoded: result.samplesDecoded, bitsPerSample: result.bitDepth, errors: result.errors.map((error) => error.message) };
  }
}
