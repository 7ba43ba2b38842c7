import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePcm16Wav } from '../../src-renderer/lib/audio/wav.js';
import { collectProblems, findChromium, launchChromium, ravdessDir, repoRoot, runCli, screenshotDir, startServer, tempDbPath, type RunningServer } from './harness.js';
import { distinctColours, openView } from './views.js';

// The augmentation preview end to end: the real server on a temporary catalog (one RAVDESS
// actor), the built renderer in Chromium, the transform computed in the main process's workers.
const actorFolder = join(ravdessDir, 'Actor_01');
const CLIP = '03-01-05-02-01-01-01.wav';
const chromiumPath = findChromium();
const skipReason = !existsSync(actorFolder) ? `needs the RAVDESS folder ${actorFolder}` : chromiumPath === null ? 'needs Chromium (/usr/bin/chromium, or set CHROMIUM_PATH)' : null;
const title = skipReason === null ? 'augmentation preview in Chromium' : `augmentation preview in Chromium (skipped: ${skipReason})`;

/** Sets a range input the way a drag does: value, then an input event. */
async function setSlider(page: Page, key: string, value: number): Promise<void> {
  await page.$eval(
    `[data-testid=slider-${key}]`,
    (element, next) => {
      const input = element as HTMLInputElement;
      input.value = String(next);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
}

/** Waits until the preview on screen was computed for the settings the sliders show. */
async function waitForPreview(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const compare = document.querySelector<HTMLElement>('[data-testid=augment-compare]');
      return compare !== null && compare.dataset.loading === 'false' && compare.dataset.previewSettings === compare.dataset.settings;
    },
    undefined,
    { timeout: 30_000 },
  );
}

/** Clicks a side's WAV link and decodes what the browser saves. */
async function download(page: Page, side: 'original' | 'transformed'): Promise<Float32Array> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=augment-${side}-download]`)]);
  const path = await file.path();
  return decodePcm16Wav(new Uint8Array(readFileSync(path))).samples;
}

describe.skipIf(skipReason !== null)(title, () => {
  let server: RunningServer | null = null;
  let browser: Browser | null = null;

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('transforms a clip as the sliders say, paints both spectrograms, and keeps a saved recipe across a restart', async () => {
    expect(existsSync(join(repoRoot, 'out', 'main', 'cli.js')), 'the studio is not built: run npm run build').toBe(true);
    mkdirSync(screenshotDir, { recursive: true });
    const dbPath = tempDbPath();
    const imported = await runCli(['import', actorFolder, '--db', dbPath, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    server = await startServer(dbPath);
    browser = await launchChromium(chromiumPath ?? '');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    const problems = collectProblems(page, { console: false });

    await openView(page, server.url, 'augment');
    // Before a clip is picked, the empty state says what to do.
    await page.waitForSelector('[data-testid=augment-empty]');
    expect(await page.textContent('[data-testid=augment-empty]')).toContain('Pick a clip');

    await page.fill('[data-testid=clip-search]', CLIP);
    await page.click(`[data-testid=clip-match]`);
    await page.waitForSelector('[data-testid=augment-transformed] [data-testid=spectrogram-canvas]');
    await waitForPreview(page);

    // Every slider at its neutral value: B is A.
    const original = await download(page, 'original');
    expect(original.length).toBe(Math.floor(2.5 * 22_050));
    expect(await download(page, 'transformed')).toEqual(original);

    await setSlider(page, 'pitchSemitones', 3);
    await setSlider(page, 'noiseAmount', 0.1);
    await page.check('[data-testid=toggle-denoise]');
    await waitForPreview(page);
    expect(JSON.parse((await page.getAttribute('[data-testid=augment-compare]', 'data-preview-settings')) ?? '{}')).toEqual({
      noiseAmount: 0.1,
      stretchRate: 1,
      shiftSec: 0,
      pitchSemitones: 3,
      denoise: true,
    });
    const transformed = await download(page, 'transformed');
    expect(await download(page, 'original')).toEqual(original);
    expect(transformed.length).toBe(original.length);
    let difference = 0;
    for (let i = 0; i < original.length; i++) difference += Math.abs(original[i] - transformed[i]);
    expect(difference / original.length).toBeGreaterThan(0.005);

    // A stretch makes B longer.
    await setSlider(page, 'stretchRate', 0.8);
    await waitForPreview(page);
    const stretched = Number(await page.getAttribute('[data-testid=augment-transformed]', 'data-duration'));
    expect(stretched).toBeCloseTo(2.5 / 0.8, 1);
    await setSlider(page, 'stretchRate', 1);
    await setSlider(page, 'noiseAmount', 0.02);
    await waitForPreview(page);

    // Both spectrograms are painted (a colour map has many colours; a blank canvas has one).
    for (const side of ['original', 'transformed']) {
      await page.waitForFunction((selector) => {
        const canvas = document.querySelector<HTMLCanvasElement>(selector);
        return canvas !== null && canvas.width > 0;
      }, `[data-testid=augment-${side}] [data-testid=spectrogram-canvas]`);
      expect(await page.$$eval(`[data-testid=augment-${side}] [data-testid=spectrogram-canvas]`, distinctColours)).toBeGreaterThan(50);
    }

    // A/B playback: B plays from where A was.
    await page.click('[data-testid=augment-original-play]');
    await page.waitForSelector('[data-testid=augment-original-play][data-playing=true]');
    await page.click('[data-testid=ab-switch]');
    await page.waitForSelector('[data-testid=augment-transformed-play][data-playing=true]');
    expect(await page.getAttribute('[data-testid=augment-original-play]', 'data-playing')).toBe('false');
    await page.click('[data-testid=augment-transformed-play]');

    await page.fill('[data-testid=recipe-name]', 'noisy pitch');
    await page.click('[data-testid=recipe-save]');
    await page.waitForSelector('[data-testid=recipe-item][data-name="noisy pitch"]');
    await page.screenshot({ path: join(screenshotDir, 'augment.png') });
    // The same name again asks before replacing.
    await page.fill('[data-testid=recipe-name]', 'noisy pitch');
    await page.click('[data-testid=recipe-save]');
    await page.waitForSelector('[data-testid=recipe-conflict]');

    await server.stop();
    server = await startServer(dbPath);
    await openView(page, server.url, 'augment');
    await page.fill('[data-testid=clip-search]', CLIP);
    await page.click('[data-testid=clip-match]');
    await page.waitForSelector('[data-testid=recipe-item][data-name="noisy pitch"]');
    expect(await page.textContent('[data-testid=recipe-item]')).toContain('pitch +3 st');
    const rows = new Database(dbPath, { readonly: true }).prepare('SELECT name, recipe_json FROM augment_recipes').all() as { name: string; recipe_json: string }[];
    expect(rows.map((row) => row.name)).toEqual(['noisy pitch']);
    expect(JSON.parse(rows[0].recipe_json)).toEqual({ name: 'noisy pitch', copies: [{ noiseAmount: 0.02, stretchRate: 1, shiftSec: 0, pitchSemitones: 3, denoise: true }] });
    // Loading a recipe puts it on the sliders.
    await page.click('[data-testid=recipe-apply]');
    await waitForPreview(page);
    expect(await page.inputValue('[data-testid=slider-pitchSemitones]')).toBe('3');
    expect(problems).toEqual([]);
  });
});
