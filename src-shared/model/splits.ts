import type { SplitConfig } from './training-config.js';

export type SplitName = 'train' | 'val' | 'test';

/** What the split needs to know about a clip. */
export interface SplitClip {
  id: number;
  actor: number | null;
  speaker: string | null;
  contentHash: string;
}

export interface SplitAssignment {
  train: number[];
  val: number[];
  test: number[];
  /** Speaker groups per split, for the manifest and the UI ("actors 19, 20"). */
  groups: Record<SplitName, string[]>;
  /** Clips left out because the split needs a speaker id they lack. */
  excluded: number[];
}

export class SplitError extends Error {
  override readonly name = 'SplitError';
}

/** A clip's speaker group: the RAVDESS actor, else the dataset's speaker id. */
export function speakerOf(clip: SplitClip): string | null {
  if (clip.actor !== null) return `actor-${String(clip.actor).padStart(2, '0')}`;
  return clip.speaker;
}

function actorNumbers(clips: readonly SplitClip[]): number[] {
  return [...new Set(clips.flatMap((clip) => (clip.actor === null ? [] : [clip.actor])))].sort((a, b) => a - b);
}

/**
 * Divides clips by speaker. 'actors': test and validation actors as given, else the last two
 * actors present for test and the two before them for validation. 'kfold': the actors present,
 * in order, dealt into `folds` contiguous groups; test = fold, validation = the next fold.
 * Throws SplitError naming the problem when a split would be empty or overlap.
 */
export function splitByActor(clips: readonly SplitClip[], config: SplitConfig): SplitAssignment {
  const actors = actorNumbers(clips);
  if (actors.length < 3) {
    throw new SplitError(
      `a speaker-independent split needs clips from at least 3 actors (train, validation, test); these clips have ${actors.length === 0 ? 'no actor ids' : `actors ${actors.join(', ')}`}`,
    );
  }
  let testActors: number[];
  let valActors: number[];
  if (config.kind === 'actors') {
    testActors = config.testActors ?? actors.slice(-2);
    const rest = actors.filter((actor) => !testActors.includes(actor));
    valActors = config.valActors ?? rest.slice(-2);
    for (const [name, list] of [['test', testActors], ['validation', valActors]] as const) {
      const missing = list.filter((actor) => !actors.includes(actor));
      if (missing.length > 0) throw new SplitError(`${name} actors ${missing.join(', ')} have no clips (actors present: ${actors.join(', ')})`);
    }
  } else {
    if (config.fold >= config.folds) throw new SplitError(`fold ${config.fold} does not exist: folds are 0..${config.folds - 1}`);
    if (config.folds > actors.length) throw new SplitError(`${config.folds} folds need at least ${config.folds} actors; there are ${actors.length}`);
    const foldOf = (index: number) => Math.floor((index * config.folds) / actors.length);
    testActors = actors.filter((_, index) => foldOf(index) === config.fold);
    valActors = actors.filter((_, index) => foldOf(index) === (config.fold + 1) % config.folds);
  }
  const both = testActors.filter((actor) => valActors.includes(actor));
  if (both.length > 0) throw new SplitError(`actor ${both.join(', ')} is in both the validation and the test split`);
  if (testActors.length === 0) throw new SplitError('the test split has no actors');
  if (valActors.length === 0) throw new SplitError('the validation split has no actors');
  const trainActors = actors.filter((actor) => !testActors.includes(actor) && !valActors.includes(actor));
  if (trainActors.length === 0) throw new SplitError('no actors are left for training');

  const assignment: SplitAssignment = { train: [], val: [], test: [], groups: { train: [], val: [], test: [] }, excluded: [] };
  const name = (actor: number) => `actor-${String(actor).padStart(2, '0')}`;
  assignment.groups = { train: trainActors.map(name), val: valActors.map(name), test: testActors.map(name) };
  for (const clip of clips) {
    if (clip.actor === null) assignment.excluded.push(clip.id);
    else if (testActors.includes(clip.actor)) assignment.test.push(clip.id);
    else if (valActors.includes(clip.actor)) assignment.val.push(clip.id);
    else assignment.train.push(clip.id);
  }
  guardSplit(clips, assignment);
  return assignment;
}

/**
 * The leakage guard: refuses an assignment in which one clip, one speaker or one recording
 * (identical bytes at two paths) appears in two splits. Every split the engine trains on passes here.
 */
export function guardSplit(clips: readonly SplitClip[], assignment: Pick<SplitAssignment, SplitName>): void {
  const byId = new Map(clips.map((clip) => [clip.id, clip]));
  const seenClip = new Map<number, SplitName>();
  const seenSpeaker = new Map<string, SplitName>();
  const seenContent = new Map<string, SplitName>();
  for (const split of ['train', 'val', 'test'] as const) {
    for (const id of assignment[split]) {
      const clip = byId.get(id);
      if (clip === undefined) throw new SplitError(`clip ${id} is in the ${split} split but not among the clips`);
      const clipSeen = seenClip.get(id);
      if (clipSeen !== undefined) throw new SplitError(`clip ${id} is in both the ${clipSeen} and the ${split} split`);
      seenClip.set(id, split);
      const speaker = speakerOf(clip);
      if (speaker !== null) {
        const other = seenSpeaker.get(speaker);
        if (other !== undefined && other !== split) throw new SplitError(`speaker ${speaker} is in both the ${other} and the ${split} split`);
        seenSpeaker.set(speaker, split);
      }
      const content = seenContent.get(clip.contentHash);
      if (content !== undefined && content !== split) {
        throw new SplitError(`clip ${id} has the same audio as a clip in the ${content} split, so it cannot be in the ${split} split`);
      }
      seenContent.set(clip.contentHash, split);
    }
  }
}
