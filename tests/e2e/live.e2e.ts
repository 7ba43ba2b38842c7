import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { collectProblems, findChromium, launchChromium, ravdessDir, runCli, screenshotDir, smallCorpus, startServer, tempDbPath, trainerBuilt, type RunningServer } from './harness.js';
import { distinctColours, openView } from './views.js';

// Live classification end to end: a tiny model trained from the CLI, Chromium's fake microphone
// playing a RAVDESS file, windows classified in the main process, a dropped file, a saved window.
const ACTORS = ['Actor_01', 'Actor_02', 'Actor_03', 'Actor_04'];
/** Every fourth file of an actor: 15 clips spread over all eight emotions. */
const EVERY = 4;
/** What the fake microphone plays, looped: RAVDESS WAVs are 16-bit PCM, which Chromium reads as is. */
const FAKE_MIC = join(ravdessDir, 'Actor_01', '03-01-05-02-01-01-01.wav');
const DROPPED = join(ravdessDir, 'Actor_02', '03-01-03-01-01-01-02.wav');
const chromiumPath = findChromium();
const built = trainerBuilt(false);
const skipReason = !built
  ? 'needs the build (npm run build)'
  : ACTORS.some((actor) => !existsSync(join(ravdessDir, actor)))
    ? `needs the RAVDESS folders ${ACTORS.join(', ')} in ${ravdessDir}`
    : chromiumPath === null
      ? 'needs Chromium (/usr/bin/chromium, or set CHROMIUM_PATH)'
      : null;
const title = skipReason === null ? 'live classification in Chromium' : `live classification in Chromium (skipped: ${skipReason})`;

interface BarsUpdate {
  at: number;
  updates: number;
  sum: number;
  bars: number;
}

/** Records every change of the live bars' update counter, with the time and what the bars showed. */
async function recordUpdates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const bars = document.querySelector<HTMLElement>('[data-testid=live-bars]');
    if (bars === null) throw new Error('no live bars');
    const records: { at: number; updates: number; sum: number; bars: number }[] = [];
    (window as unknown as { liveUpdates: typeof records }).liveUpdates = records;
    new MutationObserver(() => {
      const values = Array.from(bars.querySelectorAll<HTMLElement>('[data-testid=prob-bar]'), (bar) => Number(bar.dataset.value));
      records.push({ at: performance.now(), updates: Number(bars.dataset.updates), sum: values.reduce((a, b) => a + b, 0), bars: values.length });
    }).observe(bars, { attributes: true, attributeFilter: ['data-updates'] });
  });
}

describe.skipIf(skipReason !== null)(title, () => {
  let server: RunningServer | null = null;
  let browser: Browser | null = null;

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('classifies the microphone at least twice a second, classifies a dropped file as the CLI does, and saves the last window as a clip', async () => {
    mkdirSync(screenshotDir, { recursive: true });
    const dbPath = tempDbPath();
    const imported = await runCli(['import', smallCorpus('es-live-corpus', ACTORS, (files) => files.filter((_, i) => i % EVERY === 0)), '--db', dbPath, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const trained = await runCli(['train', '--db', dbPath, '--preset', 'tiny-cnn1d', '--epochs', '2', '--test-actors', '4', '--val-actors', '3', '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const run = JSON.parse(trained.stdout) as { runId: number; modelDir: string };

    server = await startServer(dbPath);
    browser = await launchChromium(chromiumPath ?? '', ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${FAKE_MIC}`]);
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems = collectProblems(page, { console: false });

    await openView(page, server.url, 'live');
    // No model chosen yet: the empty state says what to do.
    await page.waitForSelector('[data-testid=live-empty]');
    await page.waitForSelector(`[data-testid=live-model] option[value="${run.runId}"]`, { state: 'attached' });
    await page.selectOption('[data-testid=live-model]', String(run.runId));
    await page.waitForSelector('[data-testid=live-start]');
    expect(await page.inputValue('[data-testid=live-window]')).toBe('2.5');
    expect(await page.inputValue('[data-testid=live-hop]')).toBe('0.5');

    await recordUpdates(page);
    await page.click('[data-testid=live-start]');
    await page.waitForSelector('[data-testid=live-stop]');
    // The first window is full after 2.5 s; then one every 0.5 s.
    await page.waitForFunction(() => ((window as unknown as { liveUpdates: unknown[] }).liveUpdates?.length ?? 0) >= 12, undefined, { timeout: 30_000 });
    const records = await page.evaluate(() => (window as unknown as { liveUpdates: BarsUpdate[] }).liveUpdates);
    const labels = JSON.parse(readFileSync(join(run.modelDir, 'labels.json'), 'utf8')) as string[];
    expect(labels).toHaveLength(8);
    for (const record of records) {
      expect(record.bars).toBe(labels.length);
      expect(Math.abs(record.sum - 1)).toBeLessThan(0.002);
    }
    // Rate from the second update on (the first waits for a full window).
    const steady = records.slice(1);
    const intervalsSec = steady.slice(1).map((record, i) => (record.at - steady[i].at) / 1000);
    const meanIntervalSec = intervalsSec.reduce((a, b) => a + b, 0) / intervalsSec.length;
    console.log(`live updates: ${records.length}, mean interval ${meanIntervalSec.toFixed(3)} s, longest ${Math.max(...intervalsSec).toFixed(3)} s`);
    expect(meanIntervalSec).toBeLessThanOrEqual(0.5 * 1.04);
    expect(Math.max(...intervalsSec)).toBeLessThan(0.9);
    expect(await page.$$eval('[data-testid=live-spectrogram]', distinctColours)).toBeGreaterThan(20);
    expect(await page.getAttribute('[data-testid=live-predicted]', 'data-label')).toMatch(/^[a-z]+$/);
    await page.screenshot({ path: join(screenshotDir, 'live.png') });

    // A shorter hop updates faster.
    await page.fill('[data-testid=live-hop]', '0.25');
    await page.dispatchEvent('[data-testid=live-hop]', 'change');
    const before = await page.evaluate(() => (window as unknown as { liveUpdates: unknown[] }).liveUpdates.length);
    await page.waitForTimeout(2500 + 3000);
    const fast = (await page.evaluate(() => (window as unknown as { liveUpdates: BarsUpdate[] }).liveUpdates)).slice(before);
    expect(fast.length).toBeGreaterThanOrEqual(9);

    // Saving the last window makes a clip with the chosen label.
    await page.selectOption('[data-testid=save-label]', 'happy');
    await page.click('[data-testid=save-window]');
    await page.waitForSelector('[data-testid=saved-recording], [data-testid=live-error]');
    expect(await page.$eval('[data-testid=live-view]', (view) => view.querySelector('[data-testid=live-error]')?.textContent ?? null)).toBeNull();
    const clipId = Number(await page.getAttribute('[data-testid=saved-recording]', 'data-clip-id'));
    const clips = await runCli(['clips', '--db', dbPath, '--label', 'happy', '--json']);
    expect(clips.code, clips.stderr).toBe(0);
    const saved = (JSON.parse(clips.stdout) as { clips: { id: number; path: string; durationSec: number; sampleRate: number }[] }).clips.find((clip) => clip.id === clipId);
    expect(saved?.path).toContain(`${basename(dbPath, '.db')}-recordings/happy/live-`);
    expect(saved?.durationSec).toBeCloseTo(2.5, 2);
    expect(saved?.sampleRate).toBe(48_000);
    await page.click('[data-testid=live-stop]');

    // A dropped file is classified through the model's pipeline, as `emotion-studio predict` does.
    await page.evaluate(
      ([base64, name]) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type: 'audio/wav' }));
        const zone = document.querySelector('[data-testid=drop-zone]');
        zone?.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        zone?.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      },
      [readFileSync(DROPPED).toString('base64'), basename(DROPPED)],
    );
    await page.waitForSelector(`[data-testid=file-result][data-name="${basename(DROPPED)}"][data-status=done]`, { timeout: 30_000 });
    const shown = await page.$$eval('[data-testid=file-result] [data-testid=prob-bar]', (bars) => Object.fromEntries(bars.map((bar) => [(bar as HTMLElement).dataset.label, Number((bar as HTMLElement).dataset.value)])));
    const predicted = await runCli(['predict', '--model', run.modelDir, DROPPED, '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const cli = (JSON.parse(predicted.stdout) as { predictions: { predicted: string; probabilities: Record<string, number> }[] }).predictions[0];
    for (const [label, probability] of Object.entries(cli.probabilities)) expect(shown[label]).toBeCloseTo(probability, 3);
    expect(await page.getAttribute('[data-testid=file-result]', 'data-predicted')).toBe(cli.predicted);

    // A file that is not audio fails with its name and the reason.
    await page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new TextEncoder().encode('not audio at all')], 'notes.txt', { type: 'text/plain' }));
      document.querySelector('[data-testid=drop-zone]')?.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await page.waitForSelector('[data-testid=file-result][data-name="notes.txt"][data-status=failed]');
    expect(await page.textContent('[data-testid=file-result][data-name="notes.txt"]')).toContain('notes.txt');
    await page.screenshot({ path: join(screenshotDir, 'live-files.png') });
    expect(problems).toEqual([]);
  });
});
