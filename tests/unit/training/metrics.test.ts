import { describe, expect, it } from 'vitest';
import { argmaxRows, evaluate } from '../../../src-shared/model/metrics.js';

describe('evaluation metrics', () => {
  it('computes accuracy, UAR, macro-F1 and the confusion matrix of a hand-worked example', () => {
    const labels = ['a', 'b', 'c'];
    // truth: a a a a b b c c ; predicted: a a b c b a c c
    const truth = [0, 0, 0, 0, 1, 1, 2, 2];
    const predicted = [0, 0, 1, 2, 1, 0, 2, 2];
    const m = evaluate(labels, truth, predicted, ['s1', 's1', 's1', 's1', 's2', 's2', 's2', 's2']);
    expect(m.confusion).toEqual([
      [2, 1, 1],
      [1, 1, 0],
      [0, 0, 2],
    ]);
    expect(m.accuracy).toBeCloseTo(5 / 8, 12);
    // recalls: a 2/4, b 1/2, c 2/2 → UAR 2/3
    expect(m.uar).toBeCloseTo((0.5 + 0.5 + 1) / 3, 12);
    // precisions: a 2/3, b 1/2, c 2/3; F1 a = 2·(2/3·1/2)/(2/3+1/2) = 4/7, b = 1/2, c = 4/5
    expect(m.perClass.map((c) => c.f1)).toEqual([expect.closeTo(4 / 7, 12), expect.closeTo(0.5, 12), expect.closeTo(0.8, 12)]);
    expect(m.macroF1).toBeCloseTo((4 / 7 + 0.5 + 0.8) / 3, 12);
    expect(m.perSpeaker).toEqual({ s1: { n: 4, accuracy: 0.5 }, s2: { n: 4, accuracy: 0.75 } });
  });

  it('leaves classes absent from the truth out of UAR and macro-F1 (unlike accuracy, UAR is not fooled by imbalance)', () => {
    const labels = ['a', 'b', 'c'];
    const truth = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const always = new Array(10).fill(0);
    const m = evaluate(labels, truth, always);
    expect(m.accuracy).toBeCloseTo(0.9, 12);
    expect(m.uar).toBeCloseTo(0.5, 12);
    expect(m.perClass[2].support).toBe(0);
  });

  it('rejects mismatched lengths and out-of-range classes', () => {
    expect(() => evaluate(['a'], [0], [0, 0])).toThrow(/truth has 1 entries/);
    expect(() => evaluate(['a', 'b'], [0, 2], [0, 0])).toThrow(/out of range/);
  });

  it('argmaxRows picks each row\'s largest probability', () => {
    expect(argmaxRows(Float32Array.from([0.1, 0.7, 0.2, 0.5, 0.2, 0.3]), 3)).toEqual([1, 0]);
  });
});
