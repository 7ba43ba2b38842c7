/**
 * How an ensemble member sees a log-mel image in absolute dB: as it is ('absolute', the voice's
 * level kept) or with its loudest cell moved to 0 dB ('relative', the level removed, as
 * logmel-64's ref='max'). logmel-64-abs holds both: the relative image is the absolute one minus
 * the clip's peak, floors included (both floors sit 80 dB under the peak). Members that alternate
 * the two views disagree where level and spectral shape point different ways, which is what an
 * ensemble needs: on actors 19–20, mixed pairs beat same-view ensembles of five (docs/accuracy.md).
 */
export type LevelView = 'absolute' | 'relative';

/** 'same': every member reads the features as they are; 'alternate': members 2, 4, … read them relative to their peak. */
export type MemberViews = 'same' | 'alternate';

export function memberView(index: number, views: MemberViews | undefined): LevelView {
  return views === 'alternate' && index % 2 === 1 ? 'relative' : 'absolute';
}

/** The rows of `x` ([rows][width], in dB) as the view sees them: 'relative' subtracts each row's maximum (a copy). */
export function applyLevelView(view: LevelView, x: Float32Array, width: number): Float32Array {
  if (view === 'absolute') return x;
  const out = new Float32Array(x.length);
  for (let base = 0; base < x.length; base += width) {
    let peak = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < width; j++) if (x[base + j] > peak) peak = x[base + j];
    if (!Number.isFinite(peak)) peak = 0;
    for (let j = 0; j < width; j++) out[base + j] = x[base + j] - peak;
  }
  return out;
}
