import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './helpers.js';

/**
 * Electronegativity (@doyensec/electronegativity) over the built app in out/: the main process,
 * the preload and the renderer, as they ship. `npm run scan:electron` runs this file to refresh
 * docs/electronegativity-report.csv; electronegativity.rel.ts runs the same scan in `npm test`.
 */

export const SCAN_INPUT = join(REPO_ROOT, 'out');
export const REPORT = join(REPO_ROOT, 'docs', 'electronegativity-report.csv');
const BIN = join(REPO_ROOT, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');

export interface Finding {
  issue: string;
  severity: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH';
  confidence: string;
  file: string;
  location: string;
  sample: string;
  description: string;
}

/** The Electron version the app is built with: out/ has no package.json for the scanner to read it from. */
export function electronVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs the scanner on `input`, writes its CSV report to `output`, and returns the findings. */
export async function scanElectron(input: string, output: string, timeoutMs = 180_000): Promise<{ findings: Finding[]; log: string }> {
  const args = [BIN, '--input', input, '--electron-version', electronVersion(), '--output', output, '--relative', '--verbose', 'false'];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  // Without a network it tries (and fails) to fetch translations and Electron's release list.
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`electronegativity exited with ${code}: ${log}`);
  return { findings: parseReport(readFileSync(output, 'utf8')), log };
}

/** The scanner's CSV: a header, then one quoted row per finding ("" escapes a quote). */
export function parseReport(csv: string): Finding[] {
  const rows = parseCsv(csv).filter((row) => row.length > 1);
  const header = rows.shift()?.map((cell) => cell.trim());
  if (header?.[0] !== 'issue' || header[1] !== 'severity') throw new Error(`not an electronegativity report: ${csv.slice(0, 200)}`);
  return rows.map(([issue, severity, confidence, file, location, sample, description]) => ({
    issue,
    severity: severity as Finding['severity'],
    confidence,
    file,
    location,
    sample,
    description,
  }));
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else if (c !== '\r') cell += c;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  return rows.map((r) => r.map((value) => value.trim()));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { findings } = await scanElectron(SCAN_INPUT, REPORT);
  const count = (severity: Finding['severity']) => findings.filter((f) => f.severity === severity).length;
  console.log(`electronegativity scan of out/ (Electron ${electronVersion()}): ${count('HIGH')} high, ${count('MEDIUM')} medium, ${count('LOW')} low, ${count('INFORMATIONAL')} informational; report in docs/electronegativity-report.csv`);
  for (const f of findings) console.log(`  ${f.severity.padEnd(6)} ${f.issue} ${f.file}:${f.location}`);
}
