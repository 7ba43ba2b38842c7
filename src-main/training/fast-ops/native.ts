/**
 * Typed access to TensorFlow ops through tfjs-node's backend ('tensorflow'), for the ops tfjs-core
 * has no kernel for (ReluGrad, BiasAddGrad, FusedBatchNormV3, …). The binding passes int, float,
 * bool, type and string attributes and int lists; not string lists (so no _FusedConv2D).
 *
 * tfjs-node executes each tfjs kernel as one or more TensorFlow eager ops; its backend object
 * can run any registered TensorFlow op by name. Tensors it returns are registered with the tfjs
 * engine like any kernel output, so tidy() and dispose() manage them. These calls are not
 * recorded on the gradient tape: use them inside tf.customGrad, which supplies the gradient.
 *
 * Nothing here imports tfjs-node: when the current backend is not 'tensorflow', nativeBackend()
 * returns null and callers use ordinary tfjs ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** The constants of tfjs-node's binding that ops need. */
interface TfBinding {
  TF_ATTR_INT: number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_TYPE: number;
  TF_ATTR_STRING: number;
  TF_FLOAT: number;
  TF_INT32: number;
}

export interface OpAttr {
  name: string;
  type: number;
  value: number | number[] | string | boolean;
}

interface TfjsNodeBackend {
  binding: TfBinding;
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: Tensor[]): Tensor;
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: Tensor[], numOutputs: number): Tensor[];
}

function isTfjsNodeBackend(value: unknown): value is TfjsNodeBackend {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<TfjsNodeBackend>;
  return typeof candidate.executeSingleOutput === 'function'
    && typeof candidate.executeMultipleOutputs === 'function'
    && typeof candidate.binding === 'object' && candidate.binding !== null
    && typeof candidate.binding.TF_ATTR_TYPE === 'number';
}

/** Runs TensorFlow ops by name on float32 tensors, with attribute builders. */
export class NativeOps {
  constructor(private readonly backend: TfjsNodeBackend) {}

  run(name: string, attrs: OpAttr[], inputs: Tensor[]): Tensor {
    return this.backend.executeSingleOutput(name, attrs, inputs);
  }

  runMany(name: string, attrs: OpAttr[], inputs: Tensor[], numOutputs: number): Tensor[] {
    return this.backend.executeMultipleOutputs(name, attrs, inputs, numOutputs);
  }

  /** Attribute T (or another type attribute) = float32. */
  float32(name = 'T'): OpAttr {
    return { name, type: this.backend.binding.TF_ATTR_TYPE, value: this.backend.binding.TF_FLOAT };
  }

  /** A type attribute = int32 (e.g. the shape input's type of RandomUniform). */
  int32(name: string): OpAttr {
    return { name, type: this.backend.binding.TF_ATTR_TYPE, value: this.backend.binding.TF_INT32 };
  }

  ints(name: string, value: number[]): OpAttr {
    return { name, type: this.backend.binding.TF_ATTR_INT, value };
  }

  int(name: string, value: number): OpAttr {
    return { name, type: this.backend.binding.TF_ATTR_INT, value };
  }

  float(name: string, value: number): OpAttr {
    return { name, type: this.backend.binding.TF_ATTR_FLOAT, value };
  }

  bool(name: string, value: boolean): OpAttr {
    return { name, type: this.backend.binding.TF_ATTR_BOOL, value };
  }

  string(name: string, value: string): OpAttr {
    return { name, type: this.backend.binding.TF_ATTR_STRING, value };
  }
}

let cached: { backend: TfjsNodeBackend; ops: NativeOps } | null = null;

/**
 * The TensorFlow op runner when the current backend is tfjs-node's 'tensorflow', else null.
 * Set EMOTION_STUDIO_FAST_OPS=0 to make every fast op take its plain-tfjs path (for A/B runs).
 */
export function nativeOps(): NativeOps | null {
  if (process.env.EMOTION_STUDIO_FAST_OPS === '0') return null;
  if (tf.getBackend() !== 'tensorflow') return null;
  const backend: unknown = tf.backend();
  if (!isTfjsNodeBackend(backend)) return null;
  if (cached === null || cached.backend !== backend) cached = { backend, ops: new NativeOps(backend) };
  return cached.ops;
}
