/** Per-class figures; recall is the class's accuracy. */
export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Clips whose true label is this class. */
  support: number;
}

export interface EvaluationMetrics {
  n: number;
  accuracy: number;
  /** Unweighted average recall: the mean of per-class recalls over classes present in the truth. */
  uar: number;
  /** Mean of per-class F1 over classes present in the truth. */
  macroF1: number;
  labels: string[];
  /** confusion[true][predicted], indices into labels. */
  confusion: number[][];
  perClass: ClassMetrics[];
  /** Accuracy per speaker group (e.g. "actor-19"), when speakers are known. */
  perSpeaker: Record<string, { n: number; accuracy: number }>;
}

/**
 * Classification metrics from true and predicted class indices. Classes absent from the truth
 * do not count in UAR or macro-F1 (their recall is undefined), as in scikit-learn's
 * `recall_score(average='macro', labels=present)`.
 */
export function evaluate(labels: readonly string[], truth: readonly number[], predicted: readonly number[], speakers?: readonly (string | null)[]): EvaluationMetrics {
  if (truth.length !== predicted.length) throw new Error(`truth has ${truth.length} entries, predictions ${predicted.length}`);
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    const p = predicted[i];
    if (!(t >= 0 && t < k && p >= 0 && p < k)) throw new Error(`class index out of range at ${i}: true ${t}, predicted ${p} (${k} classes)`);
    confusion[t][p] += 1;
    if (t === p) correct += 1;
  }
  const perClass: ClassMetrics[] = labels.map((label, c) => {
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((sum, row) => sum + row[c], 0);
    const tp = confusion[c][c];
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  const present = perClass.filter((metrics) => metrics.support > 0);
  const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
  const perSpeaker: EvaluationMetrics['perSpeaker'] = {};
  if (speakers !== undefined) {
    const tally = new Map<string, { n: number; correct: number }>();
    speakers.forEach((speaker, i) => {
      if (speaker === null) return;
      const entry = tally.get(speaker) ?? { n: 0, correct: 0 };
      entry.n += 1;
      if (truth[i] === predicted[i]) entry.correct += 1;
      tally.set(speaker, entry);
    });
    for (const [speaker, { n, correct: right }] of [...tally].sort(([a], [b]) => a.localeCompare(b))) perSpeaker[speaker] = { n, accuracy: right / n };
  }
  return {
    n: truth.length,
    accuracy: truth.length === 0 ? 0 : correct / truth.length,
    uar: mean(present.map((metrics) => metrics.recall)),
    macroF1: mean(present.map((metrics) => metrics.f1)),
    labels: [...labels],
    confusion,
    perClass,
    perSpeaker,
  };
}

/** Index of the largest value in each row of a [rows][k] probability matrix. */
export function argmaxRows(probabilities: Float32Array, k: number): number[] {
  const rows = probabilities.length / k;
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[r * k + c] > probabilities[r * k + best]) best = c;
    out[r] = best;
  }
  return out;
}
