import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCatalog } from '../../../src-main/catalog/db.js';
import { CatalogStore } from '../../../src-main/catalog/store.js';
import { fillCatalog, openHarness, tempDir, type Harness } from './helpers.js';

// The browser's in-memory index must never show what SQLite does not hold.
describe('the clip browser index follows the database', () => {
  let dir: ReturnType<typeof tempDir>;
  let harness: Harness;

  beforeEach(() => {
    dir = tempDir('es-browse-');
    harness = openHarness(join(dir.path, 'catalog.db'));
    fillCatalog(new CatalogStore(harness.db), 50, 7);
  });

  afterEach(() => {
    harness.close();
    dir.remove();
  });

  it('sees clips and relabels committed by another connection (another process on the same file)', async () => {
    const before = await harness.service.queryClips({ filter: { labels: ['angry'] } });
    const other = openCatalog(harness.dbPath);
    const otherStore = new CatalogStore(other);
    const target = (await harness.service.queryClips({ filter: { labels: ['sad'] } })).clips[0];
    otherStore.setClipLabel(target.id, 'angry', 'user');
    fillCatalog(otherStore, 3, 8, '/corpus/other');
    other.close();
    const after = await harness.service.queryClips({ filter: { labels: ['angry'] }, limit: 1000 });
    expect(after.clips.map((clip) => clip.id)).toContain(target.id);
    expect(after.total).toBeGreaterThan(before.total);
    expect((await harness.service.queryClips({})).total).toBe(53);
  });

  it('keeps the old label when the relabel transaction rolls back', async () => {
    const store = new CatalogStore(harness.db);
    const clip = (await harness.service.queryClips({})).clips[0];
    await harness.service.queryClips({ filter: { labels: [clip.label] } }); // the index is built
    expect(() =>
      store.transaction(() => {
        store.setClipLabel(clip.id, 'surprised-rollback', 'user');
        throw new Error('abort');
      }),
    ).toThrow('abort');
    const page = await harness.service.queryClips({ filter: { labels: ['surprised-rollback'] } });
    expect(page.total).toBe(0);
    const again = await harness.service.queryClips({ filter: { labels: [clip.label] }, limit: 1000 });
    expect(again.clips.map((c) => c.id)).toContain(clip.id);
  });

  it('re-sorts by label after a relabel, and pages stay consistent with the total', async () => {
    const first = (await harness.service.queryClips({ sort: 'label' })).clips[0];
    await harness.service.relabel({ clipId: first.id, label: 'zzz' });
    const sorted = await harness.service.queryClips({ sort: 'label', descending: true, limit: 1 });
    expect(sorted.clips[0]).toMatchObject({ id: first.id, label: 'zzz' });
    const pages = [];
    for (let offset = 0; offset < 50; offset += 7) pages.push(...(await harness.service.queryClips({ sort: 'duration', offset, limit: 7 })).clips);
    expect(new Set(pages.map((clip) => clip.id)).size).toBe(50);
    const durations = pages.map((clip) => clip.durationSec);
    expect(durations).toEqual([...durations].sort((a, b) => a - b));
  });

  it('keeps the label order exact through many relabels (moved in place, not re-sorted)', async () => {
    await harness.service.queryClips({ sort: 'label' }); // the label order is cached from here on
    const labels = ['angry', 'calm', 'aa', 'zz', 'sad', 'neutral'];
    for (let i = 0; i < 40; i++) await harness.service.relabel({ clipId: 1 + ((i * 17) % 50), label: labels[i % labels.length] });
    for (const descending of [false, true]) {
      const page = (await harness.service.queryClips({ sort: 'label', descending, limit: 1000 })).clips;
      const expected = [...page].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : a.id - b.id));
      if (descending) expected.reverse();
      expect(page.map((clip) => clip.id)).toEqual(expected.map((clip) => clip.id));
    }
  });
});
