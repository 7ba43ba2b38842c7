import type { LabelEvent } from '../../src-shared/contract/index.js';

/** What a history row says happened. */
export type HistoryVerb = 'imported' | 'relabelled' | 'undid' | 'redid';

export interface HistoryLine {
  verb: HistoryVerb;
  /**
   * The change the row is about, as the user made it: for an undo row that is the change it
   * reverted (an undo of sad → angry reads "undid sad → angry", though the clip went angry → sad).
   * null `from` when there was no label before (the import).
   */
  from: string | null;
  to: string;
  /** Who, for a set row; undo and redo are always the user's. */
  by: 'from file name' | 'by you' | 'by model';
}

const BY: Record<LabelEvent['source'], HistoryLine['by']> = { import: 'from file name', user: 'by you', model: 'by model' };

export function describeLabelEvent(event: LabelEvent): HistoryLine {
  switch (event.action) {
    case 'undo':
      // The row records the reversal (old = the label undone, new = the label restored).
      return { verb: 'undid', from: event.newLabel, to: event.oldLabel ?? event.newLabel, by: 'by you' };
    case 'redo':
      return { verb: 'redid', from: event.oldLabel, to: event.newLabel, by: 'by you' };
    case 'set':
      return { verb: event.source === 'import' ? 'imported' : 'relabelled', from: event.oldLabel, to: event.newLabel, by: BY[event.source] };
  }
}

/** One line of plain text for a row ("undid sad → angry", "imported neutral"), for titles and tests. */
export function labelEventText(event: LabelEvent): string {
  const line = describeLabelEvent(event);
  return line.from === null ? `${line.verb} ${line.to}` : `${line.verb} ${line.from} → ${line.to}`;
}
