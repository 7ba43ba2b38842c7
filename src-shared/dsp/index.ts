/**
 * Pure DSP for speech emotion recognition, numerically matching librosa 0.11.
 * Runs unchanged in Node, worker threads and the browser: no I/O, no
 * environment-specific imports. Signals are mono sample arrays; matrices are
 * `FrameMatrix` values, row-major `[nRows][nFrames]`.
 */

export * from './fft.js';
export * from './window.js';
export * from './frames.js';
export * from './stft.js';
export * from './mel.js';
export * from './db.js';
export * from './mfcc.js';
export * from './features.js';
export * from './seed.js';
export * from './resample.js';
export * from './random.js';
export * from './augment/index.js';
