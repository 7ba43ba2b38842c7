import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogStore } from '../../../src-main/catalog/store.js';
import type { CatalogChanged } from '../../../src-shared/contract/events.js';
import { fillCatalog, openHarness, tempDir, type Harness } from './helpers.js';

describe('relabel, undo, redo and label history', () => {
  let dir: ReturnType<typeof tempDir>;
  let harness: Harness;
  let dbPath: string;
  const label = async (clipId: number) => (await harness.service.getClip({ clipId })).label;
  const history = async (clipId: number) =>
    (await harness.service.labelHistory({ clipId })).map((e) => `${e.action} ${e.source} ${e.oldLabel ?? '∅'}→${e.newLabel}${e.undone ? ' (undone)' : ''}`);

  beforeEach(() => {
    dir = tempDir();
    dbPath = join(dir.path, 'catalog.db');
    harness = openHarness(dbPath);
    fillCatalog(new CatalogStore(harness.db), 5, 3);
  });
  afterEach(() => {
    harness.close();
    dir.remove();
  });

  it('records a relabel with its history row in the same transaction and announces it', async () => {
    const before = await harness.service.getClip({ clipId: 1 });
    const target = before.label === 'sad' ? 'angry' : 'sad';
    const result = await harness.service.relabel({ clipId: 1, label: target });
    expect(result.clip).toEqual({ ...before, label: target, labelSource: 'user' });
    expect(await harness.service.getClip({ clipId: 1 })).toEqual(result.clip);
    expect(result.event).toEqual({ id: expect.any(Number), clipId: 1, oldLabel: before.label, newLabel: target, source: 'user', at: expect.any(String), undone: false, action: 'set' });
    expect(Date.now() - Date.parse(result.event.at)).toBeLessThan(60_000);
    expect(await history(1)).toEqual([`set import ∅→${before.label}`, `set user ${before.label}→${target}`]);
    expect(harness.emitted.at(-1)).toEqual({ name: 'catalog.changed', payload: { reason: 'relabel', clipIds: [1] } satisfies CatalogChanged });

    // The same label again is a no-op: no row, no event, the latest change is returned.
    const emittedBefore = harness.emitted.length;
    const same = await harness.service.relabel({ clipId: 1, label: target });
    expect(same.event).toEqual(result.event);
    expect(await history(1)).toHaveLength(2);
    expect(harness.emitted).toHaveLength(emittedBefore);

    await expect(harness.service.relabel({ clipId: 404, label: 'sad' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(harness.service.relabel({ clipId: 1, label: 'Not A Label' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(harness.service.labelHistory({ clipId: 404 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('undoes and redoes one linear stack across clips; a new change discards the redo tail', async () => {
    await harness.service.relabel({ clipId: 1, label: 'x1' }); // A
    await harness.service.relabel({ clipId: 2, label: 'x2' }); // B
    await harness.service.relabel({ clipId: 1, label: 'y1' }); // C
    const [l1, l2] = [(await harness.service.labelHistory({ clipId: 1 }))[0].newLabel, (await harness.service.labelHistory({ clipId: 2 }))[0].newLabel];

    const undoC = await harness.service.undo({});
    expect(undoC?.event).toMatchObject({ clipId: 1, oldLabel: 'x1', newLabel: 'y1', undone: true });
    expect(undoC?.clip).toMatchObject({ id: 1, label: 'x1', labelSource: 'user' });
    const undoB = await harness.service.undo({});
    expect(undoB?.clip).toMatchObject({ id: 2, label: l2, labelSource: 'import' }); // the import label and its source come back
    expect(harness.emitted.at(-1)).toEqual({ name: 'catalog.changed', payload: { reason: 'undo', clipIds: [2] } });

    const redoB = await harness.service.redo({});
    expect(redoB?.event).toMatchObject({ clipId: 2, newLabel: 'x2', undone: false });
    expect(await label(2)).toBe('x2');

    // C is still undone; a new change drops it from the stack, so there is nothing to redo.
    await harness.service.relabel({ clipId: 3, label: 'z3' }); // D
    expect(await harness.service.redo({})).toBeNull();

    expect((await harness.service.undo({}))?.event).toMatchObject({ clipId: 3, newLabel: 'z3' });
    expect((await harness.service.undo({}))?.event).toMatchObject({ clipId: 2, newLabel: 'x2' });
    expect((await harness.service.undo({}))?.event).toMatchObject({ clipId: 1, newLabel: 'x1' });
    expect(await harness.service.undo({})).toBeNull();
    expect([await label(1), await label(2)]).toEqual([l1, l2]);

    // The history says what happened, in order: changes, their undos and redos; `undone` marks
    // the changes reverted now (C stays undone: its redo was discarded).
    expect(await history(1)).toEqual([
      `set import ∅→${l1}`,
      `set user ${l1}→x1 (undone)`,
      'set user x1→y1 (undone)',
      'undo user y1→x1',
      `undo user x1→${l1}`,
    ]);
    expect(await history(2)).toEqual([`set import ∅→${l2}`, `set user ${l2}→x2 (undone)`, `undo user x2→${l2}`, `redo user ${l2}→x2`, `undo user x2→${l2}`]);
  });

  it('keeps labels, history and the undo stack across closing and reopening the file', async () => {
    await harness.service.relabel({ clipId: 4, label: 'first' });
    await harness.service.relabel({ clipId: 4, label: 'second' });
    await harness.service.undo({});
    const historyBefore = await harness.service.labelHistory({ clipId: 4 });
    harness.close();

    harness = openHarness(dbPath);
    expect(await label(4)).toBe('first');
    expect(await harness.service.labelHistory({ clipId: 4 })).toEqual(historyBefore);
    expect((await harness.service.redo({}))?.clip).toMatchObject({ label: 'second', labelSource: 'user' });
    expect((await harness.service.undo({}))?.clip.label).toBe('first');
    expect((await harness.service.undo({}))?.clip.labelSource).toBe('import');
    expect(await harness.service.undo({})).toBeNull();
  });
});
