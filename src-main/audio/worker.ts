import { createHash } from 'node:crypto';
import { StudioError } from '../../src-shared/contract/result.js';
import { readAll } from './decode.js';
import { probeBytes, type AudioInfo } from './probe.js';

/**
 * Piscina worker entry (bundled as out/main/audio-worker.js). Each worker thread holds its own
 * wasm decoder instances, so decoding runs in parallel across threads. Errors are StudioErrors
 * whose message names the path and the reason.
 */
export type AudioWorkerTask = { kind: 'probe'; path: string };

export interface ProbeWithHash extends AudioInfo {
  /** SHA-256 of the file's bytes, lowercase hex. */
  sha256: string;
}

export default async function run(task: AudioWorkerTask): Promise<ProbeWithHash> {
  if (task.kind !== 'probe') throw new StudioError('INVALID_ARGUMENT', `audio worker: unknown task kind ${String((task as { kind: unknown }).kind)}`);
  const bytes = await readAll(task.path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const info = await probeBytes(bytes, task.path);
  return { ...info, sha256 };
}
