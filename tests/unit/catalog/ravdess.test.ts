import { describe, expect, it } from 'vitest';
import { EMOTIONS } from '../../../src-shared/model/labels.js';
import { parseRavdessName } from '../../../src-shared/model/ravdess.js';

describe('parseRavdessName', () => {
  it('reads every field of a speech file name', () => {
    expect(parseRavdessName('03-01-06-01-02-01-12.wav')).toEqual({
      ok: true,
      value: {
        modality: 'audio-only',
        vocalChannel: 'speech',
        emotion: 'fearful',
        intensity: 'normal',
        statement: 2,
        repetition: 1,
        actor: 12,
        gender: 'female',
        speaker: 'actor-12',
      },
    });
  });

  it('reads songs, strong intensity, odd actors as male, and paths with either separator', () => {
    const parsed = parseRavdessName('C:\\data\\Actor_07\\03-02-05-02-01-02-07.FLAC');
    expect(parsed).toMatchObject({ ok: true, value: { vocalChannel: 'song', emotion: 'angry', intensity: 'strong', repetition: 2, actor: 7, gender: 'male', speaker: 'actor-07' } });
    expect(parseRavdessName('/x/Actor_24/01-01-02-01-01-01-24.mp4')).toMatchObject({ ok: true, value: { modality: 'audio-video', actor: 24, gender: 'female' } });
  });

  it('maps codes 01..08 to the eight emotions in order', () => {
    EMOTIONS.forEach((emotion, index) => {
      const parsed = parseRavdessName(`03-01-0${index + 1}-01-01-01-01.wav`);
      expect(parsed.ok && parsed.value.emotion).toBe(emotion);
    });
  });

  it('gives a reason for names that are not RAVDESS', () => {
    const cases: [string, RegExp][] = [
      ['hello.wav', /not a RAVDESS name/],
      ['03-01-01-01-01-01.wav', /not a RAVDESS name/],
      ['03-01-01-01-01-01-1.wav', /not a RAVDESS name/],
      ['3-01-01-01-01-01-01.wav', /not a RAVDESS name/],
      ['04-01-01-01-01-01-01.wav', /modality 04/],
      ['03-03-01-01-01-01-01.wav', /vocal channel 03/],
      ['03-01-09-01-01-01-01.wav', /emotion 09/],
      ['03-01-00-01-01-01-01.wav', /emotion 00/],
      ['03-01-02-03-01-01-01.wav', /intensity 03/],
      ['03-01-02-01-03-01-01.wav', /statement 03/],
      ['03-01-02-01-01-00-01.wav', /repetition 00/],
      ['03-01-02-01-01-01-25.wav', /actor 25/],
      ['03-01-02-01-01-01-00.wav', /actor 00/],
      ['03-01-01-02-01-01-01.wav', /no strong intensity for neutral/],
      ['03-02-07-01-01-01-01.wav', /songs have no disgust/],
    ];
    for (const [name, reason] of cases) {
      const parsed = parseRavdessName(name);
      expect(parsed.ok, name).toBe(false);
      if (!parsed.ok) expect(parsed.reason, name).toMatch(reason);
    }
  });
});
