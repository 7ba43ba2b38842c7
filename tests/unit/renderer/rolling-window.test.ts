import { describe, expect, it } from 'vitest';
import { LatestOnly, RollingWindow, SampleRing } from '../../../src-renderer/lib/state/rolling-window.js';
import { LiveSpectrum } from '../../../src-renderer/lib/state/live-spectrum.js';
import { hzToMel, melToHz } from '../../../src-shared/dsp/mel.js';

const ramp = (start: number, n: number) => Float32Array.from({ length: n }, (_, i) => start + i);

describe('SampleRing', () => {
  it('keeps the newest samples across wrap-around, oldest first', () => {
    const ring = new SampleRing(5);
    ring.push(ramp(0, 3));
    expect(Array.from(ring.latest())).toEqual([0, 1, 2]);
    ring.push(ramp(3, 4));
    expect(ring.length).toBe(5);
    expect(Array.from(ring.latest())).toEqual([2, 3, 4, 5, 6]);
    expect(Array.from(ring.latest(2))).toEqual([5, 6]);
    ring.push(ramp(100, 12));
    expect(Array.from(ring.latest())).toEqual([107, 108, 109, 110, 111]);
    expect(() => ring.latest(6)).toThrow(RangeError);
  });
});

describe('RollingWindow', () => {
  it('gives the first window when it is full, then one per hop, at exact positions however the chunks fall', () => {
    // 10 samples/s, window 0.5 s = 5 samples, hop 0.2 s = 2 samples
    const chunked = new RollingWindow({ sampleRate: 10, windowSec: 0.5, hopSec: 0.2 });
    const whole = new RollingWindow({ sampleRate: 10, windowSec: 0.5, hopSec: 0.2 });
    const stream = ramp(0, 23);
    const byChunks = [3, 1, 7, 2, 10].flatMap((size, i, sizes) => {
      const start = sizes.slice(0, i).reduce((a, b) => a + b, 0);
      return chunked.push(stream.subarray(start, start + size));
    });
    const byOne = whole.push(stream);
    expect(byChunks.map((w) => w.endSample)).toEqual([5, 7, 9, 11, 13, 15, 17, 19, 21, 23]);
    expect(byOne.map((w) => w.endSample)).toEqual(byChunks.map((w) => w.endSample));
    for (const [i, window] of byChunks.entries()) {
      expect(Array.from(window.samples)).toEqual(Array.from(ramp(window.endSample - 5, 5)));
      expect(Array.from(byOne[i].samples)).toEqual(Array.from(window.samples));
    }
  });

  it('at 48 kHz, 2.5 s windows with a 0.5 s hop come twice per second of audio', () => {
    const rolling = new RollingWindow({ sampleRate: 48_000, windowSec: 2.5, hopSec: 0.5 });
    let windows = 0;
    // 10 s of audio in ScriptProcessor-sized chunks
    for (let i = 0; i < Math.ceil((10 * 48_000) / 4096); i++) windows += rolling.push(new Float32Array(4096)).length;
    expect(windows).toBe(1 + Math.floor((Math.ceil((10 * 48_000) / 4096) * 4096 - 2.5 * 48_000) / 24_000));
    expect(rolling.latest().length).toBe(120_000);
    rolling.reset();
    expect(rolling.position).toBe(0);
    expect(rolling.push(new Float32Array(119_999))).toEqual([]);
  });

  it('rejects a window or hop that is not positive', () => {
    expect(() => new RollingWindow({ sampleRate: 48_000, windowSec: 0, hopSec: 0.5 })).toThrow(RangeError);
    expect(() => new RollingWindow({ sampleRate: 48_000, windowSec: 2.5, hopSec: -1 })).toThrow(RangeError);
  });
});

describe('LatestOnly', () => {
  it('keeps one request in flight and replaces the waiting one with a newer one', async () => {
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const queue = new LatestOnly<number>(
      (item) =>
        new Promise<void>((resolve) => {
          started.push(item);
          releases.push(resolve);
        }),
    );
    queue.offer(1);
    queue.offer(2);
    queue.offer(3);
    expect(started).toEqual([1]);
    expect(queue.inFlight).toBe(true);
    releases.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toEqual([1, 3]);
    releases.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(queue.inFlight).toBe(false);
  });
});

describe('LiveSpectrum', () => {
  it('puts a full-scale tone in the band around its frequency, near 0 dB, one column per hop', () => {
    const sampleRate = 48_000;
    const spectrum = new LiveSpectrum({ sampleRate, nFft: 1024, hopLength: 512, nMels: 64 });
    const tone = Float32Array.from({ length: 48_000 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / sampleRate));
    const columns = [...spectrum.push(tone.subarray(0, 1000)), ...spectrum.push(tone.subarray(1000))];
    expect(columns.length).toBe(1 + Math.floor((48_000 - 1024) / 512));
    const last = columns.at(-1) as Float32Array;
    const loudest = last.indexOf(Math.max(...last));
    // centre of band m: the (m+1)-th of nMels+2 mel points between 0 and Nyquist
    const centreHz = melToHz(((loudest + 1) * hzToMel(sampleRate / 2)) / 65);
    expect(Math.abs(centreHz - 1000)).toBeLessThan(200);
    expect(last[loudest]).toBeGreaterThan(-6);
    expect(last[loudest]).toBeLessThanOrEqual(0);
    expect(Math.min(...spectrum.push(new Float32Array(4096)).at(-1) as Float32Array)).toBe(-90);
  });
});
