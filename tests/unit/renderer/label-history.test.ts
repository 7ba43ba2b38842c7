import { describe, expect, it } from 'vitest';
import type { LabelEvent } from '../../../src-shared/contract/index.js';
import { describeLabelEvent, labelEventText } from '../../../src-renderer/lib/label-history.js';

let nextId = 1;
function event(fields: Pick<LabelEvent, 'oldLabel' | 'newLabel' | 'source' | 'action'> & Partial<LabelEvent>): LabelEvent {
  return { id: nextId++, clipId: 7, at: '2026-01-02T03:04:05.000Z', undone: false, ...fields };
}

// The rows the catalog writes for: import as sad, relabel to angry, undo, redo (see CatalogService).
const imported = event({ oldLabel: null, newLabel: 'sad', source: 'import', action: 'set' });
const relabelled = event({ oldLabel: 'sad', newLabel: 'angry', source: 'user', action: 'set' });
const undo = event({ oldLabel: 'angry', newLabel: 'sad', source: 'user', action: 'undo' });
const redo = event({ oldLabel: 'sad', newLabel: 'angry', source: 'user', action: 'redo' });

describe('label history rows', () => {
  it('call the import label "imported"', () => {
    expect(labelEventText(imported)).toBe('imported sad');
    expect(describeLabelEvent(imported)).toEqual({ verb: 'imported', from: null, to: 'sad', by: 'from file name' });
  });

  it('show a relabel as old → new, by whom', () => {
    expect(labelEventText(relabelled)).toBe('relabelled sad → angry');
    expect(describeLabelEvent(relabelled).by).toBe('by you');
    expect(describeLabelEvent(event({ oldLabel: 'sad', newLabel: 'calm', source: 'model', action: 'set' })).by).toBe('by model');
  });

  it('name the change an undo reverted, not the reversal', () => {
    expect(labelEventText(undo)).toBe('undid sad → angry');
  });

  it('show a redo as the change made again', () => {
    expect(labelEventText(redo)).toBe('redid sad → angry');
  });
});
