import { fork } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { tensorflowTrainingEnv } from './fast-ops/env.js';

/** The parent's handle on one training process, whatever started it. */
export interface TrainerProcess {
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once, when the process has ended; `detail` holds the tail of its stderr. */
  onExit(listener: (code: number | null, signal: string | null, detail: string) => void): void;
  kill(): void;
}

export type SpawnTrainer = () => TrainerProcess;

/** Built entry of the training process (electron-vite bundles it beside the CLI). */
export const TRAIN_PROCESS_ENTRY = join(packageRoot, 'out', 'main', 'train-process.js');

/**
 * Environment of a training process: TensorFlow's BFC allocator and glibc thresholds that keep
 * big tensors mapped between steps, oneDNN off, one inter-op thread (docs/training-speed.md has
 * the measurements). They are read once at process start, hence set here; a variable the user
 * has set wins.
 */
export function trainerEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...tensorflowTrainingEnv(), ...base };
}

/** A Node child process with an IPC channel (browser mode, the CLI, tests). */
export function spawnNodeTrainer(entry = TRAIN_PROCESS_ENTRY): TrainerProcess {
  const child = fork(entry, [], { env: trainerEnv(), serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  return {
    pid: child.pid,
    send: (message) => {
      if (child.connected) child.send(message as never);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.once('exit', (code, signal) => listener(code, signal, stderr.trim())),
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}
