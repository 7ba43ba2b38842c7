/**
 * Data augmentation and clean-up on mono Float32Array audio and on 2-D
 * features, numerically matching librosa 0.11 (time stretch, pitch shift,
 * trim) and noisereduce 3.0 (stationary spectral gating). Every random
 * operation takes a seed and is reproducible across platforms.
 */

export * from './stft-complex.js';
export * from './time-stretch.js';
export * from './pitch-shift.js';
export * from './noise.js';
export * from './shift.js';
export * from './spec-augment.js';
export * from './denoise.js';
export * from './levels.js';
