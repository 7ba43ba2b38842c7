import { describe, expect, it } from 'vitest';
import { defaultDbPath } from '../../../src-main/catalog/paths.js';

describe('defaultDbPath', () => {
  it('prefers EMOTION_STUDIO_DB on every platform', () => {
    expect(defaultDbPath({ EMOTION_STUDIO_DB: '/tmp/x.db', XDG_CONFIG_HOME: '/c' }, 'linux', '/home/u')).toBe('/tmp/x.db');
    expect(defaultDbPath({ EMOTION_STUDIO_DB: 'D:\\x.db' }, 'win32', 'C:\\Users\\u')).toBe('D:\\x.db');
  });

  it("uses each platform's user-data folder", () => {
    expect(defaultDbPath({}, 'linux', '/home/u')).toBe('/home/u/.config/emotion-studio/catalog.db');
    expect(defaultDbPath({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/u')).toBe('/cfg/emotion-studio/catalog.db');
    expect(defaultDbPath({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/Emotion Studio/catalog.db');
    expect(defaultDbPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe('C:\\Users\\u\\AppData\\Roaming\\Emotion Studio\\catalog.db');
  });
});
