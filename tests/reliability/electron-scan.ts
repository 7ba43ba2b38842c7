import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

interface RawIssue {
  id: string;
  severity: { name: Finding['severity'] };
  confidence: { name: string };
  file: string;
  location: { line: number; column: number };
  sample: string | null;
  description: string;
}

type Run = (options: Record<string, unknown>, forCli?: boolean) => Promise<{ issues: RawIssue[]; errors: unknown[] }>;

/**
 * Runs the scanner on `input` and writes its report to `output` as its CSV. The scanner's own
 * `--output` writes the header and the rows with two racing asynchronous writes, which can drop or
 * garble rows, so the report is written here from the findings its API returns.
 */
export async function scanElectron(input: string, output: string): Promise<{ findings: Finding[] }> {
  const run = createRequire(import.meta.url)('@doyensec/electronegativity') as Run;
  const result = await run({ input, output: undefined, isSarif: false, customScan: undefined, severitySet: undefined, confidenceSet: undefined, isRelative: true, electronUpgrade: undefined, electronVersionOverride: electronVersion(), parserPlugins: [] }, false);
  const findings = result.issues.map((issue): Finding => ({
    issue: issue.id,
    severity: issue.severity.name,
    confidence: issue.confidence.name,
    file: issue.file,
    location: `${issue.location.line}:${issue.location.column}`,
    sample: issue.sample ?? 'N/A',
    description: issue.description,
  }));
  writeFileSync(output, toCsv(findings));
  if (parseReport(readFileSync(output, 'utf8')).length !== findings.length) throw new Error(`${output}: the report does not read back`);
  return { findings };
}

/** The scanner's CSV layout: a header, then one row per finding, fields quoted as it quotes them. */
function toCsv(findings: Finding[]): string {
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  const rows = findings.map((f) =>
    [f.issue, quote(f.severity), quote(f.confidence), quote(f.file), quote(f.location), f.sample === 'N/A' ? 'N/A' : quote(f.sample), quote(f.description), `https://github.com/doyensec/electronegativity/wiki/${f.issue}`].join(','),
  );
  return ['issue, severity, confidence, filename, location, sample, description, url', ...rows, ''].join('\n');
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
