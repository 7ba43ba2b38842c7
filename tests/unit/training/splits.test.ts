import { describe, expect, it } from 'vitest';
import { guardSplit, splitByActor, SplitError, type SplitClip } from '../../../src-shared/model/splits.js';

/** 60 clips per actor for actors 1..n, as RAVDESS speech has. */
function corpus(actors: number, perActor = 60): SplitClip[] {
  const clips: SplitClip[] = [];
  for (let actor = 1; actor <= actors; actor++) {
    for (let i = 0; i < perActor; i++) clips.push({ id: clips.length + 1, actor, speaker: `actor-${actor}`, contentHash: `h${actor}-${i}` });
  }
  return clips;
}

const actorsOf = (clips: SplitClip[], ids: number[]) => [...new Set(ids.map((id) => clips[id - 1].actor))].sort((a, b) => (a ?? 0) - (b ?? 0));

describe('speaker-independent splits', () => {
  it('holds out the last two actors for test and the two before them for validation by default', () => {
    const clips = corpus(20);
    const split = splitByActor(clips, { kind: 'actors' });
    expect(actorsOf(clips, split.test)).toEqual([19, 20]);
    expect(actorsOf(clips, split.val)).toEqual([17, 18]);
    expect(actorsOf(clips, split.train)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(split.train.length + split.val.length + split.test.length).toBe(clips.length);
    expect(new Set([...split.train, ...split.val, ...split.test]).size).toBe(clips.length);
    expect(split.groups.test).toEqual(['actor-19', 'actor-20']);
  });

  it('takes the actors present, not actor numbers 1..24', () => {
    const clips = corpus(20).filter((clip) => clip.actor !== 20 && clip.actor !== 3);
    const split = splitByActor(clips, { kind: 'actors' });
    expect(actorsOf(clips.length === 0 ? [] : corpus(20), split.test)).toEqual([18, 19]);
    expect(actorsOf(corpus(20), split.val)).toEqual([16, 17]);
  });

  it('uses the given actors and refuses overlapping or unknown ones with a message naming them', () => {
    const clips = corpus(6);
    const split = splitByActor(clips, { kind: 'actors', testActors: [1], valActors: [2, 3] });
    expect(actorsOf(clips, split.test)).toEqual([1]);
    expect(actorsOf(clips, split.val)).toEqual([2, 3]);
    expect(() => splitByActor(clips, { kind: 'actors', testActors: [5, 6], valActors: [6] })).toThrow(/actor 6 is in both the validation and the test split/);
    expect(() => splitByActor(clips, { kind: 'actors', testActors: [9] })).toThrow(/test actors 9 have no clips/);
    expect(() => splitByActor(clips, { kind: 'actors', testActors: [1, 2, 3], valActors: [4, 5, 6] })).toThrow(/no actors are left for training/);
    expect(() => splitByActor(corpus(2), { kind: 'actors' })).toThrow(SplitError);
  });

  it('k-fold puts every actor in exactly one test fold and keeps folds disjoint', () => {
    const clips = corpus(10, 3);
    const testCount = new Map<number, number>();
    for (let fold = 0; fold < 5; fold++) {
      const split = splitByActor(clips, { kind: 'kfold', folds: 5, fold });
      const test = actorsOf(clips, split.test);
      const val = actorsOf(clips, split.val);
      const train = actorsOf(clips, split.train);
      expect(test.filter((a) => val.includes(a) || train.includes(a))).toEqual([]);
      expect(val.filter((a) => train.includes(a))).toEqual([]);
      expect(test.length + val.length + train.length).toBe(10);
      for (const actor of test) testCount.set(actor as number, (testCount.get(actor as number) ?? 0) + 1);
    }
    expect([...testCount.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect([...testCount.values()].every((count) => count === 1)).toBe(true);
    expect(() => splitByActor(clips, { kind: 'kfold', folds: 5, fold: 5 })).toThrow(/fold 5 does not exist/);
    expect(() => splitByActor(clips, { kind: 'kfold', folds: 20, fold: 0 })).toThrow(/20 folds need at least 20 actors/);
  });

  it('leaves clips without an actor out and says so', () => {
    const clips = [...corpus(4, 2), { id: 99, actor: null, speaker: null, contentHash: 'x' }];
    const split = splitByActor(clips, { kind: 'actors', testActors: [4], valActors: [3] });
    expect(split.excluded).toEqual([99]);
  });
});

describe('the split guard', () => {
  const clips = corpus(3, 2);
  it('accepts a clean assignment', () => {
    expect(() => guardSplit(clips, { train: [1, 2], val: [3, 4], test: [5, 6] })).not.toThrow();
  });
  it('refuses a clip in two splits', () => {
    expect(() => guardSplit(clips, { train: [1, 2], val: [3, 4, 1], test: [5, 6] })).toThrow(/clip 1 is in both the train and the val split/);
  });
  it('refuses a speaker in two splits', () => {
    expect(() => guardSplit(clips, { train: [1], val: [2, 3, 4], test: [5, 6] })).toThrow(/speaker actor-01 is in both the train and the val split/);
  });
  it('refuses the same recording (identical bytes) on two sides, even under two speakers', () => {
    const twins = clips.map((clip) => (clip.id === 5 ? { ...clip, contentHash: clips[0].contentHash } : clip));
    expect(() => guardSplit(twins, { train: [1, 2], val: [3, 4], test: [5, 6] })).toThrow(/clip 5 has the same audio as a clip in the train split/);
  });
});
