import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Clip } from '../../src-shared/contract/index.js';
import { createStudio } from '../studio.js';
import { progressLine } from './output.js';

/** `emotion-studio import <folder>`: the same import the UI runs, with a progress line on stderr. */
export async function runImport(dbPath: string, folder: string, json: boolean): Promise<number> {
  const studio = await createStudio({ dbPath, transport: 'http' });
  const jobId = randomUUID();
  const progress = progressLine('Importing');
  const unsubscribe = studio.events.on('job.progress', (event) => {
    if (event.jobId === jobId) progress.update(event.done, event.total, event.detail);
  });
  const cancel = () => studio.catalog.cancelJob(jobId);
  process.once('SIGINT', cancel);
  try {
    const summary = await studio.catalog.importFolder({ folder: resolve(folder), jobId });
    progress.end();
    if (json) {
      console.log(JSON.stringify(summary));
    } else {
      const labels = Object.entries(summary.byLabel)
        .map(([label, count]) => `${label} ${count}`)
        .join(', ');
      console.log(
        `${summary.cancelled ? 'Cancelled: ' : ''}imported ${summary.imported}, skipped ${summary.skipped} already in the catalog, ` +
          `failed ${summary.failed.length} in ${(summary.durationMs / 1000).toFixed(1)} s${labels ? ` (${labels})` : ''}`,
      );
      for (const failure of summary.failed) console.log(`  failed: ${failure.path}: ${failure.reason}`);
    }
    return summary.cancelled ? 130 : 0;
  } finally {
    process.off('SIGINT', cancel);
    unsubscribe();
    await studio.close();
  }
}

export interface ClipsOptions {
  labels?: string[];
  actors?: number[];
  limit?: number;
  json: boolean;
}

/** `emotion-studio clips`: lists clips under a filter, as a table or one JSON object. */
export async function runClips(dbPath: string, options: ClipsOptions): Promise<number> {
  const studio = await createStudio({ dbPath, transport: 'http', workerThreads: 0 });
  try {
    const filter = { labels: options.labels, actors: options.actors };
    const limit = options.limit ?? Number.MAX_SAFE_INTEGER;
    const clips: Clip[] = [];
    let total = 0;
    for (let offset = 0; clips.length < limit; ) {
      const page = await studio.catalog.queryClips({ filter, sort: 'id', descending: false, offset, limit: Math.min(1000, limit - clips.length) });
      total = page.total;
      clips.push(...page.clips);
      offset += page.clips.length;
      if (page.clips.length === 0 || offset >= page.total) break;
    }
    if (options.json) {
      console.log(JSON.stringify({ total, clips }));
      return 0;
    }
    for (const clip of clips) {
      const actor = clip.actor === null ? '-' : String(clip.actor).padStart(2, '0');
      console.log(`${String(clip.id).padStart(6)}  ${clip.label.padEnd(10)} actor ${actor}  ${clip.durationSec.toFixed(2)} s  ${clip.relPath}`);
    }
    console.log(`${clips.length} of ${total} clips`);
    return 0;
  } finally {
    await studio.close();
  }
}
