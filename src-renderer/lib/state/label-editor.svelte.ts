import type { Client, Clip, LabelEvent, RelabelResult, Result } from '../../../src-shared/contract/index.js';
import type { ClipBrowser } from './clip-browser.svelte.js';
import type { Notices } from './notices.svelte.js';

/**
 * Relabel, undo and redo, and the open clip's label history. Undo and redo are the catalog's:
 * they act on the newest change anywhere, so the message names the clip they touched.
 */
export class LabelEditor {
  /** The clip whose history is wanted (loading or shown). */
  historyClipId = $state<number | null>(null);
  /** The last history that arrived, newest first, with the clip it belongs to. */
  history = $state.raw<{ clipId: number; events: LabelEvent[] } | null>(null);
  historyLoading = $state(false);
  busy = $state(false);

  constructor(
    private readonly client: Client,
    private readonly browser: ClipBrowser,
    private readonly notices: Notices,
  ) {}

  async loadHistory(clipId: number | null): Promise<void> {
    this.historyClipId = clipId;
    if (clipId === null) {
      this.history = null;
      return;
    }
    this.historyLoading = true;
    const result = await this.client.catalog.labelHistory({ clipId });
    if (this.historyClipId !== clipId) return;
    this.historyLoading = false;
    if (result.ok) this.history = { clipId, events: [...result.value].sort((a, b) => b.id - a.id) };
    else this.notices.error(result.error.message);
  }

  async relabel(clip: Clip, label: string): Promise<void> {
    if (clip.label === label) {
      this.notices.info(`Already ${label}`);
      return;
    }
    await this.apply(() => this.client.catalog.relabel({ clipId: clip.id, label }), (result) => `Relabelled ${name(result.clip)} → ${label}`);
  }

  async undo(): Promise<void> {
    await this.apply(
      () => this.client.catalog.undo({}),
      (result) => `Undid ${change(result)} on ${name(result.clip)}`,
      'Nothing to undo',
    );
  }

  async redo(): Promise<void> {
    await this.apply(
      () => this.client.catalog.redo({}),
      (result) => `Redid ${change(result)} on ${name(result.clip)}`,
      'Nothing to redo',
    );
  }

  private async apply(
    call: () => Promise<Result<RelabelResult | null>>,
    describe: (result: RelabelResult) => string,
    whenNull = '',
  ): Promise<void> {
    // One change at a time keeps the undo stack in the order the keys were pressed.
    if (this.busy) return;
    this.busy = true;
    try {
      const result = await call();
      if (!result.ok) {
        this.notices.error(result.error.message);
        return;
      }
      if (result.value === null) {
        this.notices.info(whenNull);
        return;
      }
      this.browser.updateClip(result.value.clip);
      this.notices.info(describe(result.value));
      if (this.historyClipId !== null) await this.loadHistory(this.historyClipId);
    } finally {
      this.busy = false;
    }
  }
}

/** The change an undo or redo acted on, worded as the history row words it ("sad → angry"). */
function change(result: RelabelResult): string {
  return `${result.event.oldLabel ?? '?'} → ${result.event.newLabel}`;
}

function name(clip: Clip): string {
  const slash = clip.relPath.lastIndexOf('/');
  return slash < 0 ? clip.relPath : clip.relPath.slice(slash + 1);
}
