/**
 * The generated kernel modules (src-shared/dsp/wasm/*.wasm.ts) are built from the C sources
 * beside them: each records its source's hash, and where clang is installed a rebuild gives the
 * same bytes. A kernel changed without `npm run build:wasm` fails here, not in a user's hands.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error the build script is plain JavaScript without declarations
import { clangCommand, kernelSources, sourceHash } from '../../../scripts/wasm/build-wasm.mjs';
import { repoRoot } from './helpers.js';

const sources = (kernelSources as () => string[])().map((file) => path.relative(repoRoot, file));
const clang = (clangCommand as () => string | null)();

describe('wasm kernel build', () => {
  it('finds the kernels', () => {
    expect(sources.length).toBeGreaterThan(0);
  });

  it.each(sources)('%s matches its generated module', (cPath) => {
    const generated = readFileSync(path.join(repoRoot, cPath.replace(/\.c$/, '.wasm.ts')), 'utf8');
    const recorded = /SOURCE_SHA256 = '([0-9a-f]{64})'/.exec(generated)?.[1];
    expect(recorded, 'run npm run build:wasm').toBe((sourceHash as (p: string) => string)(path.join(repoRoot, cPath)));
  });

  it.skipIf(clang === null)(`a rebuild gives the committed bytes${clang === null ? ' (skipped: no clang; Debian: apt-get install clang lld)' : ''}`, () => {
    const out = execFileSync(process.execPath, ['scripts/wasm/build-wasm.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(out).not.toContain('STALE');
  }, 60_000);
});
