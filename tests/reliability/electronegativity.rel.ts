import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, missing, tempDir } from './helpers.js';
import { SCAN_INPUT, electronVersion, scanElectron, type Finding } from './electron-scan.js';

// Issue 5, item 5: Electronegativity over the built app finds nothing of high or medium severity,
// except findings reviewed as false positives; each of those is explained in docs/RELIABILITY.md
// ("Electronegativity") and is matched here by its check, file and code, so that a second
// instance, or one elsewhere, still fails.

interface Reviewed {
  issue: string;
  file: string;
  /** The flagged code, as the report quotes it. */
  sample: RegExp;
}

const REVIEWED: Reviewed[] = [
  // Fires on every preload. Ours runs sandboxed with context isolation and exposes only invoke/on.
  { issue: 'PRELOAD_JS_CHECK', file: 'main/index.js', sample: /^preload: join\(here, "\.\.", "preload", "index\.cjs"\),$/ },
];

const skip = missing(join(SCAN_INPUT, 'main', 'index.js'), 'run `npx electron-vite build` first') ?? missing(join(SCAN_INPUT, 'preload', 'index.cjs'), 'run `npx electron-vite build` first');

describe.skipIf(skip !== null)(`Electronegativity scan of out/${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  const work = tempDir('es-electronegativity-');
  afterAll(() => work.remove());

  it('finds no high or medium finding that is not a reviewed false positive', async () => {
    const started = performance.now();
    const { findings } = await scanElectron(SCAN_INPUT, join(work.path, 'report.csv'));
    const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
    console.log(
      `electronegativity (Electron ${electronVersion()}): ${findings.length} findings: ${count('HIGH')} high, ${count('MEDIUM')} medium, ${count('LOW')} low, ${count('INFORMATIONAL')} informational, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    for (const f of findings) console.log(`  ${f.severity.padEnd(6)} ${f.confidence.padEnd(9)} ${f.issue} ${f.file}:${f.location} ${f.sample.slice(0, 100)}`);

    // The scan saw the app: the checks that look for the window's hardening found it.
    expect(findings.some((f) => f.issue === 'LIMIT_NAVIGATION_GLOBAL_CHECK'), 'will-navigate and the window-open handler are found').toBe(false);
    expect(findings.some((f) => f.issue === 'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK'), 'the permission handler is found').toBe(false);

    const serious = findings.filter((f) => f.severity === 'HIGH' || f.severity === 'MEDIUM');
    const unreviewed = serious.filter((f) => !REVIEWED.some((r) => r.issue === f.issue && r.file === f.file && r.sample.test(f.sample)));
    expect(unreviewed.map((f) => `${f.severity} ${f.issue} ${f.file}:${f.location} ${f.sample}`)).toEqual([]);
    // Each reviewed finding is matched by one finding at most, and its reason is written down.
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'RELIABILITY.md'), 'utf8');
    for (const reviewed of REVIEWED) {
      expect(serious.filter((f) => f.issue === reviewed.issue).length, reviewed.issue).toBeLessThanOrEqual(1);
      expect(doc.includes(`\`${reviewed.issue}\``), `docs/RELIABILITY.md explains ${reviewed.issue}`).toBe(true);
    }
  });

  it('the preload the reviewed finding is about exposes the contract\'s invoke and on, and nothing else', () => {
    const preload = readFileSync(join(SCAN_INPUT, 'preload', 'index.cjs'), 'utf8');
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
    const source = readFileSync(join(REPO_ROOT, 'src-main', 'preload', 'index.ts'), 'utf8');
    const exposed = /exposeInMainWorld\('studio', \{([\s\S]*)\}\);/.exec(source)?.[1] ?? '';
    expect([...exposed.matchAll(/^ {2}(\w+):/gm)].map((m) => m[1])).toEqual(['invoke', 'on']);
  });
});
