import { EMOTIONS, isEmotion, type Emotion } from '../../src-shared/model/labels.js';

/**
 * One colour per emotion, used by every badge, chip, bar and history row so a label reads the
 * same everywhere. Chosen to stay apart on a dark background and for common colour blindness
 * (hue and lightness both differ between neighbours in the key order).
 */
const EMOTION_COLOURS: Record<Emotion, string> = {
  neutral: '#9aa4b2',
  calm: '#4fc3c9',
  happy: '#f5c542',
  sad: '#5b8def',
  angry: '#ef5b5b',
  fearful: '#a67cf4',
  disgust: '#74c87a',
  surprised: '#f2914a',
};

/** Colour of a label; labels outside the eight emotions get a stable hue from their name. */
export function labelColour(label: string): string {
  if (isEmotion(label)) return EMOTION_COLOURS[label];
  let hash = 0;
  for (let i = 0; i < label.length; i++) hash = (hash * 31 + label.charCodeAt(i)) >>> 0;
  return `hsl(${hash % 360} 55% 62%)`;
}

/** Keyboard key ("1".."8") that assigns a label, or null when the label has no key. */
export function labelKey(label: string): string | null {
  const index = (EMOTIONS as readonly string[]).indexOf(label);
  return index < 0 ? null : String(index + 1);
}

/** The label a digit key assigns, or null. */
export function labelForKey(key: string): Emotion | null {
  const digit = Number(key);
  return Number.isInteger(digit) && digit >= 1 && digit <= EMOTIONS.length ? EMOTIONS[digit - 1] : null;
}

/** Labels in display order: the eight emotions first (key order), then any others A–Z. */
export function orderLabels(labels: Iterable<string>): string[] {
  const set = new Set(labels);
  const known = EMOTIONS.filter((emotion) => set.has(emotion));
  const others = [...set].filter((label) => !isEmotion(label)).sort();
  return [...known, ...others];
}

export { EMOTIONS };
