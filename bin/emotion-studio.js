#!/usr/bin/env node
// The CLI is bundled by electron-vite with the main process; this shim only finds it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  console.error(`emotion-studio: not built yet (${cli} is missing): run npm run build`);
  process.exit(2);
}
await import(pathToFileURL(cli).href);
