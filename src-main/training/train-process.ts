/**
 * The training process: an Electron utilityProcess in the app, a child process in browser mode
 * and the CLI. tfjs kernels are synchronous, so training lives here, never on a thread that
 * serves the UI or the contract. Messages: in {type:'start', job} and {type:'cancel'};
 * out backend / phase / progress / epoch / done / error.
 */
import { runJob, type TrainJob } from './run-job.js';

interface Port {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): void;
}

/** Electron's utilityProcess exposes process.parentPort; a Node child process uses process.send. */
function parentPort(): Port {
  const electronPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (event: { data: unknown }) => void): void } }).parentPort;
  if (electronPort !== undefined) {
    return { postMessage: (m) => electronPort.postMessage(m), on: (_e, listener) => electronPort.on('message', (event) => listener(event.data)) };
  }
  if (process.send === undefined) throw new Error('train-process must be started with an IPC channel');
  return { postMessage: (m) => process.send?.(m), on: (_e, listener) => process.on('message', listener) };
}

const port = parentPort();
// A studio that dies (kill -9, crash) leaves its run 'interrupted'; training on with nobody to
// record it would only hold the CPU and the checkpoint folder.
process.on('disconnect', () => process.exit(0));
// The disconnect event waits for the event loop, which a long synchronous step or a checkpoint
// write holds; the parent's pid changes (the orphan is re-parented) at once, so each batch checks it.
const parentPid = process.ppid;
function exitIfOrphaned(): void {
  if (process.ppid !== parentPid) process.exit(0);
}
let cancelled = false;
let started = false;

port.on('message', (message) => {
  const m = message as { type?: string; job?: TrainJob };
  if (m.type === 'cancel') cancelled = true;
  if (m.type === 'start' && m.job !== undefined && !started) {
    started = true;
    void start(m.job);
  }
});

async function start(job: TrainJob): Promise<void> {
  try {
    const outcome = await runJob(
      job,
      {
        backend: (info) => port.postMessage({ type: 'backend', info }),
        phase: (phase) => port.postMessage({ type: 'phase', phase }),
        progress: (progress) => port.postMessage({ type: 'progress', progress }),
        epoch: (record) => port.postMessage({ type: 'epoch', record }),
      },
      () => {
        exitIfOrphaned();
        return cancelled;
      },
    );
    port.postMessage({ type: 'done', outcome });
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined });
  }
  // Leave once the parent has read the last message.
  setTimeout(() => process.exit(0), 100);
}
