import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isLoopbackHost, startBrowserServer } from '../transport/http.js';
import { findElectronBinary } from '../electron-binary.js';
import { ensureElectronSqliteBinding } from '../electron-native.js';
import { packageRoot } from '../package-root.js';
import { createStudio, resolveDbPath } from '../studio.js';
import { runClips, runImport } from './catalog-commands.js';
import { runFeatures } from './features-command.js';
import { runModels } from './models-command.js';
import { runEvaluate, runPredict, runTrain } from './train-commands.js';
import type { TrainingConfigInput } from '../../src-shared/model/training-config.js';
import { CliError } from './output.js';


const USAGE = `Usage: emotion-studio <command> [options]

Commands:
  start                         open the studio window (browser mode where Electron is missing)
  serve [--port N] [--host H]   serve the studio to a browser on this machine
  import <folder> [--json]      import a folder of clips (RAVDESS names or one subfolder per label)
  clips [--label L] [--actor N] [--limit N] [--json]   list clips in the catalog
  features <file> --set seed-2376|logmel-64|logmel-128|logmel-64-abs [--json]   one file's features
  models [--json]               the model presets and their parameter counts
  train --preset NAME [--epochs N] [--test-actors 19,20] [--val-actors 17,18] [--folds K --fold I]
        [--batch-size N] [--lr X] [--augment none|seed-x3] [--seed N] [--backend auto|tensorflow|wasm|cpu]
        [--normalization none|utterance|speaker] [--patience N (0: no early stopping)]
        [--members K (an ensemble of K models, seeds seed…seed+K-1, probabilities averaged)]
        [--member-views same|alternate] [--class-weights none|balanced]
        [--spec MODEL.json [--feature-set NAME]] [--mixup A] [--label-smoothing S] [--freq-warp W]
        [--name TEXT] [--out DIR] [--json]        train on the catalog's clips, test on held-out actors
  train --resume RUN [--json]   continue an interrupted or cancelled run from its last checkpoint
  evaluate --model DIR <folder|files...> [--labels CSV] [--json]   accuracy, UAR, macro-F1 of an exported model
  predict --model DIR <files...> [--json]   per-file emotion probabilities

Options for every command:
  --db FILE      catalog file (default: EMOTION_STUDIO_DB, else the user-data folder)
  -h, --help     show this help`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      json: { type: 'boolean', default: false },
      label: { type: 'string', multiple: true },
      actor: { type: 'string', multiple: true },
      limit: { type: 'string' },
      set: { type: 'string' },
      preset: { type: 'string' },
      epochs: { type: 'string' },
      'test-actors': { type: 'string' },
      'val-actors': { type: 'string' },
      folds: { type: 'string' },
      fold: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      augment: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      normalization: { type: 'string' },
      patience: { type: 'string' },
      members: { type: 'string' },
      'freq-warp': { type: 'string' },
      'class-weights': { type: 'string' },
      'member-views': { type: 'string' },
      spec: { type: 'string' },
      'feature-set': { type: 'string' },
      mixup: { type: 'string' },
      'label-smoothing': { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      model: { type: 'string' },
      labels: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const dbPath = resolveDbPath(values.db);
  switch (command) {
    case 'start':
      return start(dbPath);
    case 'serve':
      return serve(dbPath, values.host, parsePort(values.port));
    case 'import': {
      const folder = rest[0];
      if (folder === undefined) throw new CliError('import needs a folder: emotion-studio import <folder>');
      return runImport(dbPath, folder, values.json);
    }
    case 'clips':
      return runClips(dbPath, {
        labels: values.label,
        actors: values.actor?.map((actor) => parseInteger('--actor', actor)),
        limit: values.limit === undefined ? undefined : parseInteger('--limit', values.limit),
        json: values.json,
      });
    case 'features': {
      const file = rest[0];
      if (file === undefined) throw new CliError('features needs a file: emotion-studio features <file> --set seed-2376');
      return runFeatures(file, values.set ?? 'seed-2376', values.json);
    }
    case 'models':
      return runModels(values.json);
    case 'train': {
      const number = (flag: string, raw: string | undefined) => (raw === undefined ? undefined : parseInteger(flag, raw));
      const actors = (flag: string, raw: string | undefined) => raw?.split(',').map((actor) => parseInteger(flag, actor.trim()));
      const folds = number('--folds', values.folds);
      const split =
        folds !== undefined
          ? { kind: 'kfold' as const, folds, fold: number('--fold', values.fold) ?? 0 }
          : { kind: 'actors' as const, testActors: actors('--test-actors', values['test-actors']), valActors: actors('--val-actors', values['val-actors']) };
      if (values.resume === undefined && values.preset === undefined) throw new CliError('train needs --preset NAME (see `emotion-studio models`) or --resume RUN');
      const real = (flag: string, raw: string | undefined) => {
        if (raw === undefined) return undefined;
        const value = Number(raw);
        if (!Number.isFinite(value) || value < 0) throw new CliError(`${flag} ${raw}: expected a non-negative number`);
        return value;
      };
      const lr = real('--lr', values.lr);
      if (lr === 0) throw new CliError(`--lr ${values.lr}: a learning rate is a positive number`);
      const patience = number('--patience', values.patience);
      return runTrain(dbPath, {
        config: {
          preset: values.preset ?? '',
          split,
          epochs: number('--epochs', values.epochs),
          batchSize: number('--batch-size', values['batch-size']),
          learningRate: lr,
          augmentation: values.augment as 'none' | 'seed-x3' | undefined,
          seed: number('--seed', values.seed),
          backend: values.backend as 'auto' | undefined,
          normalization: values.normalization as 'none' | undefined,
          spec: values.spec === undefined ? undefined : (readSpec(values.spec) as TrainingConfigInput['spec']),
          featureSet: values['feature-set'] as 'seed-2376' | undefined,
          mixup: real('--mixup', values.mixup),
          labelSmoothing: real('--label-smoothing', values['label-smoothing']),
          members: number('--members', values.members),
          frequencyWarp: real('--freq-warp', values['freq-warp']),
          classWeights: values['class-weights'] as 'none' | undefined,
          memberViews: values['member-views'] as 'same' | undefined,
          ...(patience === undefined ? {} : { earlyStopping: patience === 0 ? null : { patience, restoreBestWeights: true } }),
        },
        name: values.name,
        out: values.out,
        resume: number('--resume', values.resume),
        json: values.json,
      });
    }
    case 'evaluate':
    case 'predict': {
      if (values.model === undefined) throw new CliError(`${command} needs --model DIR (a folder exported by train)`);
      if (rest.length === 0) throw new CliError(`${command} needs audio files or a folder`);
      return command === 'evaluate' ? runEvaluate(values.model, rest, values.labels, values.json) : runPredict(values.model, rest, values.json);
    }
    default:
      throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

function readSpec(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new CliError(`--spec ${path}: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const port = parseInteger('--port', raw);
  if (port < 0 || port > 65535) throw new CliError(`--port ${raw}: a port is 0..65535`);
  return port;
}

function parseInteger(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new CliError(`${flag} ${raw}: expected a whole number`);
  return Number(raw);
}

async function start(dbPath: string): Promise<number> {
  const electron = findElectronBinary(true);
  if (!electron.found) {
    console.log(`Electron binary not available (${electron.reason}); starting browser mode instead.`);
    return serve(dbPath, undefined, 0);
  }
  const binding = ensureElectronSqliteBinding((line) => console.log(line));
  if (!binding.ok) {
    console.log(`better-sqlite3 could not be built for Electron (${binding.reason}); starting browser mode instead.`);
    return serve(dbPath, undefined, 0);
  }
  const child = spawn(electron.path, [packageRoot], {
    stdio: 'inherit',
    env: { ...process.env, EMOTION_STUDIO_DB: dbPath, EMOTION_STUDIO_SQLITE_BINDING: binding.path },
  });
  return new Promise((done) => child.on('exit', (code) => done(code ?? 0)));
}

async function serve(dbPath: string, host: string | undefined, port: number): Promise<number> {
  const bindHost = host ?? '127.0.0.1';
  if (!isLoopbackHost(bindHost)) {
    console.warn(
      `Warning: serving on ${bindHost}, reachable from other machines. Anyone with the URL's token can read and change your catalog; prefer an SSH tunnel to 127.0.0.1.`,
    );
  }
  const rendererDir = join(packageRoot, 'out', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    throw new CliError(`the renderer is not built (${rendererDir} is missing): run npm run build`);
  }
  const studio = await createStudio({ dbPath, transport: 'http' });
  const server = await startBrowserServer({
    dispatch: studio.dispatch,
    events: studio.events,
    rendererDir,
    host: bindHost,
    port,
    token: process.env.EMOTION_STUDIO_TOKEN,
  });
  console.log(`Emotion Studio (browser mode): ${server.url}`);
  console.log(`Catalog: ${dbPath}. Press Ctrl+C to stop.`);
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await studio.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliError || (error instanceof Error && error.name === 'StudioError')) {
      console.error(`emotion-studio: ${error.message}`);
      process.exitCode = error instanceof CliError ? error.exitCode : 1;
    } else if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`emotion-studio: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
