/**
 * An older commit's src-main and src-shared exported beside the working tree (under
 * .cache/bench-ab/<sha>, with node_modules linked), so an A/B benchmark can import both
 * versions into one process and run them in turns.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Exports `rev` once and returns the folder that holds its src-main and src-shared. */
export function exportBase(repoRoot: string, rev: string): string {
  const sha = execSync(`git rev-parse ${JSON.stringify(rev)}`, { cwd: repoRoot, encoding: 'utf8' }).trim();
  const dir = join(repoRoot, '.cache', 'bench-ab', sha);
  if (!existsSync(join(dir, 'src-main'))) {
    mkdirSync(dir, { recursive: true });
    execSync(`git archive ${sha} src-main src-shared | tar -x -C ${JSON.stringify(dir)}`, { cwd: repoRoot });
  }
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
