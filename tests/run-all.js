#!/usr/bin/env node
// `npm test`: typecheck, build, unit, end-to-end and reliability tests; then one closing line that
// counts every test of the suites ("N passed, N failed, N skipped").
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const results = 'test-results';
mkdirSync(results, { recursive: true });

function run(title, command, args) {
  console.log(`\n== ${title}: ${command} ${args.join(' ')}`);
  const child = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  return child.status === 0;
}

const steps = [];
steps.push(['typecheck', run('typecheck', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'])]);
steps.push(['svelte-check', run('svelte-check', 'npx', ['svelte-check', '--workspace', 'src-renderer', '--fail-on-warnings', '--output', 'human'])]);
steps.push(['build', run('build', 'npx', ['electron-vite', 'build'])]);
const suites = [
  ['unit', 'vitest.config.ts'],
  ['e2e', 'vitest.e2e.config.ts'],
  ['reliability', 'vitest.reliability.config.ts'],
];
for (const [name, config] of suites) {
  const report = join(results, `${name}.json`);
  const ok = run(`${name} tests`, 'npx', ['vitest', 'run', '--config', config, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  steps.push([`${name} tests`, ok]);
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const [name] of suites) {
  const report = join(results, `${name}.json`);
  if (!existsSync(report)) continue;
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests ?? 0;
  failed += json.numFailedTests ?? 0;
  skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
}
const broken = steps.filter(([, ok]) => !ok).map(([name]) => name);
console.log('');
if (broken.length > 0) console.log(`failed steps: ${broken.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(broken.length > 0 || failed > 0 ? 1 : 0);
