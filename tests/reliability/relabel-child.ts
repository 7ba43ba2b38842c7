/**
 * The process the label-edit crash test kills: relabels, undoes and redoes through the real
 * CatalogService on a real catalog file, as fast as it can, until SIGKILL. After each call
 * resolves it writes one acknowledgement line (stdout to a pipe is synchronous on Linux), so the
 * parent knows which edits the studio had reported done before the kill.
 *
 * Usage: node --import tsx relabel-child.ts <db> <seed>
 */
import { openCatalog } from '../../src-main/catalog/db.js';
import { CatalogService } from '../../src-main/catalog/service.js';
import { EventBus } from '../../src-main/events.js';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { rng } from './helpers.js';

const [dbPath, seedText] = process.argv.slice(2);
const random = rng(Number(seedText));
const db = openCatalog(dbPath);
const catalog = new CatalogService({
  db,
  events: new EventBus(),
  probe: () => Promise.reject(new Error('this process only relabels')),
});
const clipIds = db.prepare('SELECT id FROM clips ORDER BY id').pluck().all() as number[];
process.stdout.write('ready\n');

for (;;) {
  const roll = random();
  if (roll < 0.7) {
    const clipId = clipIds[Math.floor(random() * clipIds.length)];
    const label = EMOTIONS[Math.floor(random() * EMOTIONS.length)];
    const { event } = await catalog.relabel({ clipId, label });
    process.stdout.write(`relabel ${event.id} ${clipId} ${label}\n`);
  } else if (roll < 0.9) {
    const result = await catalog.undo({});
    process.stdout.write(`undo ${result?.event.id ?? 0} ${result?.clip.id ?? 0} ${result?.clip.label ?? '-'}\n`);
  } else {
    const result = await catalog.redo({});
    process.stdout.write(`redo ${result?.event.id ?? 0} ${result?.clip.id ?? 0} ${result?.clip.label ?? '-'}\n`);
  }
}
