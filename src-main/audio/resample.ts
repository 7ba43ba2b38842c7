export * from '../../src-shared/dsp/resample.js';
