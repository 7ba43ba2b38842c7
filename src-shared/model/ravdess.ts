import type { Gender, Intensity, VocalChannel } from '../contract/catalog.js';
import { EMOTIONS, type Emotion } from './labels.js';

/**
 * RAVDESS file names: `MM-VV-EE-II-SS-RR-AA` (seven two-digit fields, any extension).
 * MM modality (01 full audio-video, 02 video only, 03 audio only), VV vocal channel (01 speech,
 * 02 song), EE emotion (01..08 in the order of EMOTIONS), II intensity (01 normal, 02 strong),
 * SS statement (01 "Kids are talking by the door", 02 "Dogs are sitting by the door"),
 * RR repetition (01, 02), AA actor (01..24; odd actors are male, even female).
 */
export interface RavdessName {
  modality: RavdessModality;
  vocalChannel: VocalChannel;
  emotion: Emotion;
  intensity: Intensity;
  statement: 1 | 2;
  repetition: 1 | 2;
  /** 1..24 */
  actor: number;
  gender: Gender;
  /** "actor-07": the speaker id the catalog stores. */
  speaker: string;
}

export type RavdessModality = 'audio-video' | 'video-only' | 'audio-only';

export type RavdessParse = { ok: true; value: RavdessName } | { ok: false; reason: string };

const MODALITIES: readonly RavdessModality[] = ['audio-video', 'video-only', 'audio-only'];
/** The corpus has no strong neutral, and its songs use only these emotions. */
const SONG_EMOTIONS: readonly Emotion[] = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful'];
const NAME_PATTERN = /^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$/;

/** Parses a RAVDESS file name (a bare name or a path with / or \ separators). */
export function parseRavdessName(fileNameOrPath: string): RavdessParse {
  const base = fileNameOrPath.split(/[/\\]/).pop() ?? '';
  const dot = base.indexOf('.');
  const stem = dot === -1 ? base : base.slice(0, dot);
  const match = NAME_PATTERN.exec(stem);
  if (match === null) return fail(`"${base}" is not a RAVDESS name (MM-VV-EE-II-SS-RR-AA, seven two-digit fields)`);
  const [modality, vocal, emotion, intensity, statement, repetition, actor] = match.slice(1).map(Number);

  if (modality < 1 || modality > 3) return fail(`"${base}": modality ${pad(modality)} is not 01..03`);
  if (vocal < 1 || vocal > 2) return fail(`"${base}": vocal channel ${pad(vocal)} is not 01 (speech) or 02 (song)`);
  if (emotion < 1 || emotion > EMOTIONS.length) return fail(`"${base}": emotion ${pad(emotion)} is not 01..08`);
  if (intensity < 1 || intensity > 2) return fail(`"${base}": intensity ${pad(intensity)} is not 01 (normal) or 02 (strong)`);
  if (statement < 1 || statement > 2) return fail(`"${base}": statement ${pad(statement)} is not 01 or 02`);
  if (repetition < 1 || repetition > 2) return fail(`"${base}": repetition ${pad(repetition)} is not 01 or 02`);
  if (actor < 1 || actor > 24) return fail(`"${base}": actor ${pad(actor)} is not 01..24`);

  const value: RavdessName = {
    modality: MODALITIES[modality - 1],
    vocalChannel: vocal === 1 ? 'speech' : 'song',
    emotion: EMOTIONS[emotion - 1],
    intensity: intensity === 1 ? 'normal' : 'strong',
    statement: statement as 1 | 2,
    repetition: repetition as 1 | 2,
    actor,
    gender: actor % 2 === 1 ? 'male' : 'female',
    speaker: `actor-${pad(actor)}`,
  };
  if (value.emotion === 'neutral' && value.intensity === 'strong') {
    return fail(`"${base}": RAVDESS has no strong intensity for neutral`);
  }
  if (value.vocalChannel === 'song' && !SONG_EMOTIONS.includes(value.emotion)) {
    return fail(`"${base}": RAVDESS songs have no ${value.emotion} emotion`);
  }
  return { ok: true, value };
}

function fail(reason: string): RavdessParse {
  return { ok: false, reason };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
