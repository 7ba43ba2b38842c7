import { utilityProcess } from 'electron';
import { TRAIN_PROCESS_ENTRY, trainerEnv, type TrainerProcess } from './spawn.js';

/**
 * The training process as an Electron utilityProcess: a Node environment outside the main
 * process, so tfjs's synchronous kernels never block the window's IPC.
 */
export function spawnUtilityTrainer(entry = TRAIN_PROCESS_ENTRY): TrainerProcess {
  const child = utilityProcess.fork(entry, [], { env: trainerEnv(), stdio: ['ignore', 'ignore', 'pipe'], serviceName: 'Emotion Studio training' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  return {
    get pid() {
      return child.pid;
    },
    send: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.once('exit', (code) => listener(code, null, stderr.trim())),
    kill: () => {
      child.kill();
    },
  };
}
