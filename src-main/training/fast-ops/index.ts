/**
 * Faster training on tfjs-node's 'tensorflow' backend: ops with native TensorFlow gradients,
 * layers that use them under their standard class names, and the process environment.
 * On other backends every op here computes exactly what plain tfjs computes.
 */
export { conv1dFast, type Conv1dFastOptions } from './conv1d.js';
export { batchNormTrainFast, type BatchNormTrainResult } from './batch-norm.js';
export { dropoutFast } from './dropout.js';
export { registerTensorflowGradients } from './gradients.js';
export { fastBatchNormalization, fastConv1d, fastDropout, withFastLayers } from './layers.js';
export { tensorflowTrainingEnv, type TensorflowEnvOptions } from './env.js';
export { nativeOps } from './native.js';
