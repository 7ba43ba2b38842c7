import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogStore } from '../../../src-main/catalog/store.js';
import { SORT_KEYS, type Clip, type ClipFilter, type SortKey } from '../../../src-shared/contract/catalog.js';
import { EMOTIONS } from '../../../src-shared/model/labels.js';
import { fillCatalog, openHarness, tempDir, type Harness } from './helpers.js';

/** A second implementation of the filter, in plain JS: the oracle for the SQL. */
function matches(clip: Clip, filter: ClipFilter): boolean {
  if (filter.datasetId !== undefined && clip.datasetId !== filter.datasetId) return false;
  if (filter.labels?.length && !filter.labels.includes(clip.label)) return false;
  if (filter.actors?.length && (clip.actor === null || !filter.actors.includes(clip.actor))) return false;
  if (filter.gender !== undefined && clip.gender !== filter.gender) return false;
  if (filter.vocalChannel !== undefined && clip.vocalChannel !== filter.vocalChannel) return false;
  if (filter.intensity !== undefined && clip.intensity !== filter.intensity) return false;
  if (filter.text && !clip.relPath.toLowerCase().includes(filter.text.toLowerCase())) return false;
  return true;
}

const SORT_VALUE: Record<SortKey, (clip: Clip) => string | number | null> = {
  id: (c) => c.id,
  path: (c) => c.path,
  label: (c) => c.label,
  actor: (c) => c.actor,
  duration: (c) => c.durationSec,
  intensity: (c) => c.intensity,
};

/** SQLite's order: NULL first ascending; ties by id; descending is the exact reverse. */
function compare(sort: SortKey, a: Clip, b: Clip): number {
  const x = SORT_VALUE[sort](a);
  const y = SORT_VALUE[sort](b);
  if (x !== y) {
    if (x === null) return -1;
    if (y === null) return 1;
    return x < y ? -1 : 1;
  }
  return a.id - b.id;
}

const filterArb: fc.Arbitrary<ClipFilter> = fc.record(
  {
    datasetId: fc.constantFrom(1, 2, 3),
    labels: fc.uniqueArray(fc.constantFrom(...EMOTIONS, 'unknown'), { maxLength: 4 }),
    actors: fc.uniqueArray(fc.integer({ min: 0, max: 25 }), { maxLength: 6 }),
    gender: fc.constantFrom('male' as const, 'female' as const),
    vocalChannel: fc.constantFrom('speech' as const, 'song' as const),
    intensity: fc.constantFrom('normal' as const, 'strong' as const),
    text: fc.constantFrom('actor_0', 'ACTOR_1', '%', 'odd%', '_', 'under_', '.WAV', 'flac', '-05-', '3-01-0', 'zzz', ''),
  },
  { requiredKeys: [] },
);

describe('queryClips and clipStats against a JS reference', () => {
  let dir: ReturnType<typeof tempDir>;
  let harness: Harness;
  let all: Clip[];

  beforeAll(async () => {
    dir = tempDir();
    harness = openHarness(join(dir.path, 'catalog.db'));
    const store = new CatalogStore(harness.db);
    fillCatalog(store, 900, 1);
    fillCatalog(store, 600, 2);
    fillCatalog(store, 30, 3);
    all = (await harness.service.queryClips({ limit: 1000 })).clips;
    all.push(...(await harness.service.queryClips({ offset: 1000, limit: 1000 })).clips);
  });
  afterAll(() => {
    harness.close();
    dir.remove();
  });

  it('reads back every clip once', () => {
    expect(all).toHaveLength(1530);
    expect(new Set(all.map((c) => c.id)).size).toBe(1530);
    expect(all.some((c) => c.actor === null)).toBe(true);
    expect(all.some((c) => c.relPath.includes('%'))).toBe(true);
  });

  it('filters, sorts and pages like the reference', async () => {
    await fc.assert(
      fc.asyncProperty(
        filterArb,
        fc.constantFrom(...SORT_KEYS),
        fc.boolean(),
        fc.integer({ min: 0, max: 1600 }),
        fc.integer({ min: 1, max: 300 }),
        async (filter, sort, descending, offset, limit) => {
          const expected = all.filter((c) => matches(c, filter)).sort((a, b) => compare(sort, a, b));
          if (descending) expected.reverse();
          const page = await harness.service.queryClips({ filter, sort, descending, offset, limit });
          expect(page.total).toBe(expected.length);
          expect(page.offset).toBe(offset);
          expect(page.clips.map((c) => c.id)).toEqual(expected.slice(offset, offset + limit).map((c) => c.id));
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('counts by label and lists actors and labels under a filter like the reference', async () => {
    await fc.assert(
      fc.asyncProperty(filterArb, async (filter) => {
        const selected = all.filter((c) => matches(c, filter));
        const byLabel: Record<string, number> = {};
        for (const clip of selected) byLabel[clip.label] = (byLabel[clip.label] ?? 0) + 1;
        const stats = await harness.service.clipStats({ filter });
        expect(stats.total).toBe(selected.length);
        expect(stats.byLabel).toEqual(byLabel);
        expect(stats.labels).toEqual(Object.keys(byLabel).sort());
        expect(stats.actors).toEqual([...new Set(selected.flatMap((c) => (c.actor === null ? [] : [c.actor])))].sort((a, b) => a - b));
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('pages through a sort without gaps or repeats, and answers past the end with no clips', async () => {
    const seen: number[] = [];
    for (let offset = 0; ; offset += 97) {
      const page = await harness.service.queryClips({ filter: { datasetId: 2 }, sort: 'label', descending: true, offset, limit: 97 });
      seen.push(...page.clips.map((c) => c.id));
      if (page.clips.length < 97) break;
    }
    expect(seen).toHaveLength(600);
    expect(new Set(seen).size).toBe(600);
    expect(await harness.service.queryClips({ offset: 5000 })).toEqual({ total: 1530, offset: 5000, clips: [] });
  });

  it('validates arguments at the service too (the CLI calls it directly)', async () => {
    await expect(harness.service.queryClips({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('limit') });
    await expect(harness.service.queryClips({ sort: 'rowid' as 'id' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(harness.service.clipStats({ filter: { labels: ["x' OR 1=1 --"] } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(harness.service.getClip({ clipId: 99_999 })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'clip 99999 not found' });
    // Text is data, never SQL.
    expect((await harness.service.queryClips({ filter: { text: "'; DROP TABLE clips; --" } })).total).toBe(0);
    expect((await harness.service.clipStats({})).total).toBe(1530);
  });
});
