import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { EMOTIONS } from '../../src-shared/model/labels.js';
import { collectProblems, findChromium, launchChromium, ravdessDir, repoRoot, runCli, screenshotDir, startServer, tempDbPath, type RunningServer } from './harness.js';
import { distinctColours, openView } from './views.js';

// The feature view end to end: two RAVDESS actors imported, one clip's features drawn, the seed
// vector's layout, and per-emotion averages over the catalog computed in the main process.
const actorFolders = ['Actor_01', 'Actor_02'].map((name) => join(ravdessDir, name));
const missingFolder = actorFolders.find((folder) => !existsSync(folder));
const CLIP = '03-01-03-01-02-01-02.wav';
const chromiumPath = findChromium();
const skipReason = missingFolder !== undefined ? `needs the RAVDESS folder ${missingFolder}` : chromiumPath === null ? 'needs Chromium (/usr/bin/chromium, or set CHROMIUM_PATH)' : null;
const title = skipReason === null ? 'feature view in Chromium' : `feature view in Chromium (skipped: ${skipReason})`;

describe.skipIf(skipReason !== null)(title, () => {
  let server: RunningServer | null = null;
  let browser: Browser | null = null;

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("draws a clip's MFCC heatmap, ZCR and RMS curves and the 2,376-value layout, and averages every imported emotion", async () => {
    expect(existsSync(join(repoRoot, 'out', 'main', 'cli.js')), 'the studio is not built: run npm run build').toBe(true);
    mkdirSync(screenshotDir, { recursive: true });
    const dbPath = tempDbPath();
    for (const folder of actorFolders) {
      const imported = await runCli(['import', folder, '--db', dbPath, '--json']);
      expect(imported.code, imported.stderr).toBe(0);
    }
    server = await startServer(dbPath);
    browser = await launchChromium(chromiumPath ?? '');
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = collectProblems(page, { console: false });

    await openView(page, server.url, 'features');
    await page.waitForSelector('[data-testid=features-empty]');
    expect(await page.textContent('[data-testid=features-empty]')).toContain('Pick a clip');
    await page.waitForSelector('[data-testid=averages-hint]');

    await page.fill('[data-testid=clip-search]', CLIP);
    await page.click('[data-testid=clip-match]');
    await page.waitForSelector('[data-testid=clip-features]');
    expect(await page.getAttribute('[data-testid=clip-features]', 'data-frames')).toBe('108');

    // The heatmap: 20 × 108 cells, painted.
    expect(await page.getAttribute('[data-testid=mfcc-heatmap]', 'data-coefficients')).toBe('20');
    expect(await page.getAttribute('[data-testid=mfcc-heatmap]', 'data-frames')).toBe('108');
    await page.waitForFunction(() => (document.querySelector<HTMLCanvasElement>('[data-testid=mfcc-heatmap]')?.width ?? 0) > 0);
    expect(await page.$$eval('[data-testid=mfcc-heatmap]', distinctColours)).toBeGreaterThan(50);

    // ZCR and RMS curves: one line of 108 points each, drawn by uPlot.
    for (const chart of ['zcr-chart', 'rms-chart']) {
      expect(await page.getAttribute(`[data-testid=${chart}]`, 'data-points')).toBe('108');
      expect(await page.getAttribute(`[data-testid=${chart}]`, 'data-series')).toBe('1');
      expect(await page.$$eval(`[data-testid=${chart}] canvas`, distinctColours)).toBeGreaterThan(3);
    }

    // The layout diagram: 2,376 values in three blocks.
    expect(await page.getAttribute('[data-testid=seed-layout]', 'data-total')).toBe('2376');
    expect(await page.textContent('[data-testid=seed-layout-total]')).toBe('2,376');
    expect(await page.getAttribute('[data-testid=seed-layout]', 'data-blocks')).toBe('zcr:0-107,rms:108-215,mfcc:216-2375');
    // Pointing at the MFCC block names the coefficient and frame of that index.
    const bar = await page.$('[data-testid=seed-block][data-kind=mfcc]');
    const box = await bar?.boundingBox();
    expect(box).toBeTruthy();
    if (box) await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    expect(await page.textContent('[data-testid=seed-layout-hover]')).toMatch(/^index \d+: MFCC c\d+ of frame \d+/);

    // A long averages job shows progress and stops on Cancel, keeping what it had.
    await page.click('[data-testid=averages-start]');
    await page.click('[data-testid=averages-cancel]');
    await page.waitForSelector('[data-testid=averages-start]', { timeout: 60_000 });
    const stopped = await page.textContent('[data-testid=emotion-averages]');
    if (stopped?.includes('Cancelled after')) expect(stopped).toMatch(/Cancelled after \d+ of 120 clips/);
    else console.log('averages finished before the cancel reached them');

    // Per-emotion averages over the whole catalog (120 clips), computed in the main process.
    await page.click('[data-testid=averages-start]');
    await page.waitForFunction(
      () => {
        const panel = document.querySelector<HTMLElement>('[data-testid=emotion-averages]');
        return panel?.dataset.running === 'false' && (panel.textContent ?? '').includes('120 clips');
      },
      undefined,
      { timeout: 120_000 },
    );
    const labels = (await page.getAttribute('[data-testid=emotion-averages]', 'data-labels'))?.split(',') ?? [];
    expect(labels).toEqual([...EMOTIONS]);
    expect(await page.getAttribute('[data-testid=averages-mfcc]', 'data-series')).toBe('8');
    expect(await page.getAttribute('[data-testid=averages-mfcc]', 'data-points')).toBe('19');
    expect(await page.getAttribute('[data-testid=averages-rms]', 'data-series')).toBe('8');
    expect(await page.getAttribute('[data-testid=averages-rms]', 'data-points')).toBe('108');
    await page.check('[data-testid=averages-c0]');
    await page.waitForSelector('[data-testid=averages-mfcc][data-points="20"]');
    expect(await page.textContent('[data-testid=emotion-averages]')).toContain('120 clips');

    // A second run reads every vector from the cache.
    await page.click('[data-testid=averages-start]');
    await page.waitForFunction(() => document.querySelector('[data-testid=emotion-averages]')?.textContent?.includes('120 from the cache'));

    await page.setViewportSize({ width: 1440, height: 1080 });
    await page.evaluate(() => document.querySelector('[data-testid=features-view]')?.scrollIntoView());
    await page.screenshot({ path: join(screenshotDir, 'features.png') });
    await page.evaluate(() => document.querySelector('[data-testid=emotion-averages]')?.scrollIntoView());
    await page.screenshot({ path: join(screenshotDir, 'features-averages.png') });
    expect(problems).toEqual([]);
  });
});
