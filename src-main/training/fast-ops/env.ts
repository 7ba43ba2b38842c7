/**
 * Environment of a process that trains on tfjs-node ('tensorflow'). Each variable is read once,
 * when TensorFlow or glibc starts, so they must be set when the process is spawned.
 * docs/training-speed.md has the measurements behind each one.
 */
export interface TensorflowEnvOptions {
  /**
   * Threads for one op (TF_NUM_INTRAOP_THREADS); undefined leaves TensorFlow's default (all
   * cores). 1 matches a PyTorch peer run with torch.set_num_threads(1).
   */
  threads?: number;
}

export function tensorflowTrainingEnv(options: TensorflowEnvOptions = {}): Record<string, string> {
  const env: Record<string, string> = {
    // TensorFlow's CPU allocator hands each tensor to malloc and back; glibc maps tensors over
    // 32 MB freshly each time (a page fault per 4 KB page on first touch, costly in this VM and
    // any other), and threshold tuning cannot stop it for TensorFlow's worker-thread arenas.
    // The BFC allocator keeps the memory and reuses it: elementwise ops on 40-160 MB tensors run
    // 4-5x faster.
    TF_CPU_ALLOCATOR_USE_BFC: 'true',
    // glibc: keep freed memory mapped (helps the tensors under 32 MB and the JS side).
    MALLOC_MMAP_THRESHOLD_: '4000000000',
    MALLOC_TRIM_THRESHOLD_: '4000000000',
    // oneDNN's Conv2DBackpropFilter for a [1, W] convolution is 2x slower than Eigen's here, and
    // its allocator grew the seed CNN's process to 11 GB; its forward gains do not make up for it.
    TF_ENABLE_ONEDNN_OPTS: '0',
    // Eager ops run one at a time; an inter-op pool only adds idle threads.
    TF_NUM_INTEROP_THREADS: '1',
    TF_CPP_MIN_LOG_LEVEL: '2',
  };
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new Error(`threads must be a positive integer, got ${options.threads}`);
    env.TF_NUM_INTRAOP_THREADS = String(options.threads);
  }
  return env;
}
