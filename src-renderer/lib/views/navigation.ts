/** The studio's screens; 'browse' is the clip browser (the Clips tab), 'import' its import panel. */
export const VIEWS = ['browse', 'augment', 'features', 'train', 'experiments', 'errors', 'live', 'import'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface Tab {
  view: ViewName;
  label: string;
  /** Alt + this digit opens the tab. */
  digit: string;
  /** "g" then this letter opens the tab (for browsers that keep Alt + digit for themselves). */
  letter: string;
  /** What the tab is for, as its tooltip. */
  title: string;
}

export const TABS: readonly Tab[] = [
  { view: 'browse', label: 'Clips', digit: '1', letter: 'c', title: 'Browse, play and relabel clips' },
  { view: 'augment', label: 'Augment', digit: '2', letter: 'a', title: 'Hear and see what augmentation does to a clip' },
  { view: 'features', label: 'Features', digit: '3', letter: 'f', title: "A clip's MFCC, ZCR, RMS and log-mel features" },
  { view: 'train', label: 'Train', digit: '4', letter: 't', title: 'Train a model and watch its curves' },
  { view: 'experiments', label: 'Experiments', digit: '5', letter: 'e', title: 'Compare runs' },
  { view: 'errors', label: 'Errors', digit: '6', letter: 'r', title: "The clips a model gets wrong, and likely mislabels" },
  { view: 'live', label: 'Live', digit: '7', letter: 'l', title: 'Classify microphone audio or files live' },
];

/** The Import panel is reached from the Clips side of the bar, and by "g i". */
export const IMPORT_LETTER = 'i';

/** The fragment a view is remembered by across reloads ("#train"); the clip browser is "#clips". */
export function viewHash(view: ViewName): string {
  return view === 'browse' ? '#clips' : `#${view}`;
}

/** The view a location fragment names, or null ("#clips" → browse). */
export function viewFromHash(hash: string): ViewName | null {
  const name = hash.replace(/^#/, '').split(/[/?]/)[0].toLowerCase();
  if (name === 'clips') return 'browse';
  return (VIEWS as readonly string[]).includes(name) && name !== 'browse' ? (name as ViewName) : null;
}

/** The view Alt + a digit key opens, or null. */
export function viewForDigit(key: string): ViewName | null {
  return TABS.find((tab) => tab.digit === key)?.view ?? null;
}

/** The view "g" + a letter opens, or null. */
export function viewForLetter(key: string): ViewName | null {
  const letter = key.toLowerCase();
  if (letter === IMPORT_LETTER) return 'import';
  return TABS.find((tab) => tab.letter === letter)?.view ?? null;
}
