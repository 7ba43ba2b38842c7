import { SplitError, splitByActor, type SplitAssignment } from '../../../src-shared/model/splits.js';
import type { SplitConfig } from '../../../src-shared/model/training-config.js';

/**
 * The engine's default actor split: the last two actors present for test, the two before them for
 * validation. With fewer than five actors that would leave none to train on, so one each.
 */
export function defaultActorSplit(actors: readonly number[]): { test: number[]; val: number[] } {
  const sorted = [...new Set(actors)].sort((a, b) => a - b);
  const size = sorted.length >= 5 ? 2 : 1;
  const test = sorted.slice(-size);
  const val = sorted.slice(0, Math.max(0, sorted.length - size)).slice(-size);
  return { test, val };
}

/** Parses "23, 24" or "1-4, 7" into sorted unique actor numbers; an error message in plain words otherwise. */
export function parseActorList(text: string): { actors: number[] } | { error: string } {
  const actors = new Set<number>();
  for (const raw of text.split(/[,\s]+/)) {
    const part = raw.trim();
    if (part === '') continue;
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range !== null) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from) return { error: `"${part}" is a range that runs backwards` };
      if (to - from > 1000) return { error: `"${part}" is too long a range` };
      for (let actor = from; actor <= to; actor++) actors.add(actor);
    } else if (/^\d+$/.test(part)) {
      actors.add(Number(part));
    } else {
      return { error: `"${part}" is not an actor number` };
    }
  }
  return { actors: [...actors].sort((a, b) => a - b) };
}

/** "1–4, 7, 9–10": actor numbers with consecutive runs collapsed. */
export function formatActorList(actors: readonly number[]): string {
  const sorted = [...new Set(actors)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}–${sorted[j]}` : sorted.slice(i, j + 1).join(', '));
    i = j + 1;
  }
  return parts.join(', ');
}

export type SplitPreview = { ok: true; groups: Record<'train' | 'val' | 'test', number[]> } | { ok: false; error: string };

/**
 * Which actors land where, by the engine's own split function run on one stand-in clip per
 * actor, so the form shows the guard's message (an actor on two sides, an empty side) before
 * anything is queued.
 */
export function previewSplit(actors: readonly number[], split: SplitConfig): SplitPreview {
  const clips = [...new Set(actors)].map((actor) => ({ id: actor, actor, speaker: null, contentHash: `actor-${actor}` }));
  let assignment: SplitAssignment;
  try {
    assignment = splitByActor(clips, split);
  } catch (error) {
    if (error instanceof SplitError) return { ok: false, error: error.message };
    throw error;
  }
  return { ok: true, groups: { train: assignment.train, val: assignment.val, test: assignment.test } };
}
