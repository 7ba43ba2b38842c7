/** The eight RAVDESS emotions, in the order of their codes 01..08 and of keys 1..8 in the UI. */
export const EMOTIONS = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'] as const;

export type Emotion = (typeof EMOTIONS)[number];

/** Labels of folder-labelled datasets may be any word; this is what a label may look like. */
export const LABEL_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function isEmotion(label: string): label is Emotion {
  return (EMOTIONS as readonly string[]).includes(label);
}

/** Normalises a folder name into a label ("Angry " → "angry"), or null when it cannot be one. */
export function normaliseLabel(raw: string): string | null {
  const label = raw.trim().toLowerCase().replace(/\s+/g, '_');
  return LABEL_PATTERN.test(label) ? label : null;
}
