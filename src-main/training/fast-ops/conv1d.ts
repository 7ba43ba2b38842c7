/**
 * conv1dFast: tf.conv1d ('NWC', dilation 1) + bias + optional ReLU as one differentiable op.
 *
 * On the 'tensorflow' backend the forward pass is three TensorFlow ops (Conv2D, BiasAdd, Relu)
 * and the backward pass four: ReluGrad, BiasAddGrad, the input gradient (for stride 1 and 32+ input
 * channels as a forward Conv2D with the flipped kernel, faster than Conv2DBackpropInput) and
 * Conv2DBackpropFilter.
 * tfjs' own composition runs Conv2D, Add and Relu forward, and backward adds a broadcast-reducing
 * Sum for the bias and six ops for ReLU's gradient (tfjs-node's Step kernel is isNaN, greater, ones, fill, where, select),
 * each a full pass over the activation; on these models those passes cost as much as the
 * convolutions themselves (docs/training-speed.md).
 *
 * On any other backend it is exactly tf.conv1d, then tf.add, then tf.relu, differentiated by tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Tensor1D, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';
import { nativeOps, type NativeOps, type OpAttr } from './native.js';

export interface Conv1dFastOptions {
  /** Keras / tf.conv1d semantics: 'same' pads so that out = ceil(in / strides), left = floor(total / 2). */
  padding: 'same' | 'valid';
  /** Stride along the steps axis; default 1. */
  strides?: number;
  /** Applied after the bias; default 'linear'. */
  activation?: 'linear' | 'relu';
}

/**
 * x: [batch, steps, inChannels]; kernel: [kernelSize, inChannels, outChannels] (tfjs-layers'
 * Conv1D kernel); bias: [outChannels] or null. Returns [batch, outSteps, outChannels].
 */
export function conv1dFast(x: Tensor3D, kernel: Tensor3D, bias: Tensor1D | null, options: Conv1dFastOptions): Tensor3D {
  const strides = options.strides ?? 1;
  const activation = options.activation ?? 'linear';
  validate(x, kernel, bias, strides);
  const ops = nativeOps();
  if (ops === null || x.dtype !== 'float32' || kernel.dtype !== 'float32') return conv1dPlain(x, kernel, bias, options.padding, strides, activation);
  return conv1dNative(ops, x, kernel, bias, options.padding, strides, activation);
}

function validate(x: Tensor, kernel: Tensor, bias: Tensor | null, strides: number): void {
  if (x.rank !== 3) throw new Error(`conv1dFast: x must be [batch, steps, channels], got shape [${x.shape.join(', ')}]`);
  if (kernel.rank !== 3) throw new Error(`conv1dFast: kernel must be [kernelSize, inChannels, outChannels], got [${kernel.shape.join(', ')}]`);
  if (kernel.shape[1] !== x.shape[2]) throw new Error(`conv1dFast: kernel has ${kernel.shape[1]} input channels, x has ${x.shape[2]}`);
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== kernel.shape[2])) {
    throw new Error(`conv1dFast: bias must be [${kernel.shape[2]}], got [${bias.shape.join(', ')}]`);
  }
  if (!Number.isInteger(strides) || strides < 1) throw new Error(`conv1dFast: strides must be a positive integer, got ${strides}`);
}

/** The reference composition, identical to tfjs-layers' Conv1D (conv1dWithBias, then the activation). */
function conv1dPlain(x: Tensor3D, kernel: Tensor3D, bias: Tensor1D | null, padding: 'same' | 'valid', strides: number, activation: 'linear' | 'relu'): Tensor3D {
  return tf.tidy(() => {
    let y: Tensor3D = tf.conv1d(x, kernel, strides, padding, 'NWC', 1);
    if (bias !== null) y = tf.add(y, bias);
    return activation === 'relu' ? tf.relu(y) : y;
  });
}

/** Smallest inChannels for which the input gradient runs as a forward Conv2D (measured: 1 → 4x slower, 32 ≈ 64 ≈ equal, 512 → 10% faster). */
const FLIPPED_CONV_MIN_CHANNELS = 32;

/** Attributes shared by Conv2D and its two backprop ops, for a [batch, 1, steps, channels] layout. */
function convAttrs(ops: NativeOps, padding: 'same' | 'valid', strides: number): OpAttr[] {
  return [
    ops.float32(),
    ops.ints('strides', [1, 1, strides, 1]),
    ops.string('padding', padding === 'same' ? 'SAME' : 'VALID'),
    ops.string('data_format', 'NHWC'),
    ops.ints('dilations', [1, 1, 1, 1]),
    ops.bool('use_cudnn_on_gpu', false),
  ];
}

function conv1dNative(
  ops: NativeOps,
  x: Tensor3D,
  kernel: Tensor3D,
  bias: Tensor1D | null,
  padding: 'same' | 'valid',
  strides: number,
  activation: 'linear' | 'relu',
): Tensor3D {
  const [batch, steps, inChannels] = x.shape;
  const [kernelSize, , outChannels] = kernel.shape;
  const attrs = convAttrs(ops, padding, strides);
  const relu = activation === 'relu';

  const forward = (x3: Tensor3D, k3: Tensor3D, b: Tensor1D | null): Tensor4D => {
    const x4 = tf.reshape(x3, [batch, 1, steps, inChannels]);
    const k4 = tf.reshape(k3, [1, kernelSize, inChannels, outChannels]);
    // tfjs-node's binding cannot pass string-list attributes, so _FusedConv2D (fused_ops) is out
    // of reach: BiasAdd and Relu run as two more native ops.
    let y = ops.run('Conv2D', attrs, [x4, k4]) as Tensor4D;
    if (b !== null) y = ops.run('BiasAdd', [ops.float32(), ops.string('data_format', 'NHWC')], [y, b]) as Tensor4D;
    return relu ? (ops.run('Relu', [ops.float32()], [y]) as Tensor4D) : y;
  };

  const backward = (dy: Tensor, x3: Tensor3D, k3: Tensor3D, y4: Tensor4D): { dx: Tensor3D; dKernel: Tensor3D; dBias: Tensor1D } => {
    const dy4 = tf.reshape(dy, y4.shape);
    const g: Tensor4D = relu ? (ops.run('ReluGrad', [ops.float32()], [dy4, y4]) as Tensor4D) : (dy4 as Tensor4D);
    const x4 = tf.reshape(x3, [batch, 1, steps, inChannels]);
    const k4: Tensor4D = tf.reshape(k3, [1, kernelSize, inChannels, outChannels]);
    const inputSizes = tf.tensor1d([batch, 1, steps, inChannels], 'int32');
    const filterSizes = tf.tensor1d([1, kernelSize, inChannels, outChannels], 'int32');
    // The flipped-kernel convolution produces inChannels outputs per position; with few of them
    // (the input layer's 1) Conv2D is 4x slower than Conv2DBackpropInput, with 64+ it is as fast or faster.
    const dx4 = strides === 1 && inChannels >= FLIPPED_CONV_MIN_CHANNELS
      ? inputGradientAsConv(ops, g, k4, padding)
      : ops.run('Conv2DBackpropInput', attrs, [inputSizes, k4, g]);
    const dx = tf.reshape(dx4, [batch, steps, inChannels]) as Tensor3D;
    const dKernel = tf.reshape(ops.run('Conv2DBackpropFilter', attrs, [x4, filterSizes, g]), [kernelSize, inChannels, outChannels]) as Tensor3D;
    const dBias = ops.run('BiasAddGrad', [ops.float32(), ops.string('data_format', 'NHWC')], [g]) as Tensor1D;
    return { dx, dKernel, dBias };
  };

  const outShape = (y4: Tensor4D): [number, number, number] => [batch, y4.shape[2], outChannels];

  if (bias === null) {
    const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
      const [xIn, kIn, save] = args as [Tensor, Tensor, tf.GradSaveFunc];
      const y4 = forward(xIn as Tensor3D, kIn as Tensor3D, null);
      save([xIn, kIn, y4]);
      return {
        value: tf.reshape(y4, outShape(y4)),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const { dx, dKernel } = backward(dy, saved[0] as Tensor3D, saved[1] as Tensor3D, saved[2] as Tensor4D);
          return [dx, dKernel];
        },
      };
    });
    return op(x, kernel) as Tensor3D;
  }
  const op = tf.customGrad((...args: Array<Tensor | tf.GradSaveFunc>) => {
    const [xIn, kIn, bIn, save] = args as [Tensor, Tensor, Tensor, tf.GradSaveFunc];
    const y4 = forward(xIn as Tensor3D, kIn as Tensor3D, bIn as Tensor1D);
    save([xIn, kIn, y4]);
    return {
      value: tf.reshape(y4, outShape(y4)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const { dx, dKernel, dBias } = backward(dy, saved[0] as Tensor3D, saved[1] as Tensor3D, saved[2] as Tensor4D);
        return [dx, dKernel, dBias];
      },
    };
  });
  return op(x, kernel, bias) as Tensor3D;
}

/**
 * The input gradient of a stride-1 convolution as a forward convolution of the output gradient
 * with the kernel reversed along its width and its channel axes swapped. TensorFlow's Conv2D
 * runs about 10% faster than its Conv2DBackpropInput on these shapes (76 vs 70 GFLOP per CPU
 * second for [64, 594, 512] → 256, k 5). Forward 'same' pads floor((k − 1) / 2) on the left, so
 * the gradient pads the mirror image: for odd k that is 'same' again, otherwise an explicit pad.
 */
function inputGradientAsConv(ops: NativeOps, g: Tensor4D, k4: Tensor4D, padding: 'same' | 'valid'): Tensor {
  const kernelSize = k4.shape[1];
  const flipped = tf.transpose(tf.reverse(k4, 1), [0, 1, 3, 2]);
  if (padding === 'same' && kernelSize % 2 === 1) return ops.run('Conv2D', convAttrs(ops, 'same', 1), [g, flipped]);
  const left = padding === 'same' ? kernelSize - 1 - Math.floor((kernelSize - 1) / 2) : kernelSize - 1;
  const right = padding === 'same' ? Math.floor((kernelSize - 1) / 2) : kernelSize - 1;
  const padded = tf.pad(g, [[0, 0], [0, 0], [left, right], [0, 0]]);
  return ops.run('Conv2D', convAttrs(ops, 'valid', 1), [padded, flipped]);
}
