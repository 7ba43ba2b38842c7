import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Services } from '../src-shared/contract/index.js';
import { openCatalog } from './catalog/db.js';
import { defaultDbPath } from './catalog/paths.js';
import { CatalogService } from './catalog/service.js';
import { EventBus } from './events.js';
import { FeatureCache } from './features/cache.js';
import { FeatureService } from './features/service.js';
import { packageRoot } from './package-root.js';
import { AudioService } from './services/audio-service.js';
import { ExploreService } from './services/explore-service.js';
import { LiveService } from './services/live-service.js';
import { PathPolicy } from './services/path-policy.js';
import { TrainingService } from './training/service.js';
import { spawnNodeTrainer, type SpawnTrainer } from './training/spawn.js';
import { createDispatcher, type Dispatch } from './transport/dispatch.js';
import { AudioWorkers } from './workers/pool.js';

export interface StudioOptions {
  dbPath: string;
  transport: 'electron' | 'http';
  /** Worker threads for decoding and features; 0 runs them in this thread (tests). */
  workerThreads?: number;
  /** Starts a training process: a Node child process unless Electron supplies its utilityProcess. */
  spawnTrainer?: SpawnTrainer;
}

/** Everything the studio is, independent of the window or server that shows it. */
export interface Studio {
  services: Services;
  events: EventBus;
  dispatch: Dispatch;
  catalog: CatalogService;
  features: FeatureService;
  training: TrainingService;
  dbPath: string;
  close(): Promise<void>;
}


/** --db FILE, else EMOTION_STUDIO_DB, else the platform's user-data folder. */
export function resolveDbPath(flag: string | undefined): string {
  return resolve(flag ?? defaultDbPath());
}

export async function createStudio(options: StudioOptions): Promise<Studio> {
  const events = new EventBus();
  const db = openCatalog(options.dbPath);
  const workers = new AudioWorkers(options.workerThreads);
  const catalog = new CatalogService({ db, events, probe: (path) => workers.probe(path) });
  const paths = new PathPolicy({ datasets: () => catalog.listDatasets({}) });
  const audio = new AudioService({ catalog, workers, paths });
  const features = new FeatureService({ catalog, cache: new FeatureCache(db), workers, events, paths });
  const explore = new ExploreService({ db, catalog, features, workers, paths });
  const version = readVersion();
  const training = new TrainingService({
    db,
    catalog,
    features,
    events,
    runsRoot: runsRoot(options.dbPath),
    spawnTrainer: options.spawnTrainer ?? (() => spawnNodeTrainer()),
    studioVersion: version,
  });
  const services: Services = {
    app: {
      info: async () => ({
        version,
        transport: options.transport,
        dbPath: options.dbPath,
        suggestedFolders: suggestedFolders(),
      }),
    },
    jobs: {
      cancel: async ({ jobId }) => ({ cancelled: catalog.cancelJob(jobId) || features.cancelJob(jobId) }),
    },
    catalog,
    audio,
    features,
    training,
    runs: training,
    explore,
    live: new LiveService({ runs: training, catalog, workers, dbPath: options.dbPath }),
  };
  return {
    services,
    events,
    // The one method that takes a path from a request; the others name files by id.
    dispatch: createDispatcher(services, { 'catalog.importFolder': ({ folder }) => paths.checkImportFolder(folder) }),
    catalog,
    features,
    training,
    dbPath: options.dbPath,
    close: async () => {
      await training.close();
      await workers.close();
      db.close();
    },
  };
}

/** Runs live beside their catalog: studio.db → studio-runs/<run id>/. */
export function runsRoot(dbPath: string): string {
  return join(dirname(dbPath), `${basename(dbPath).replace(/\.[^.]*$/, '')}-runs`);
}

function readVersion(): string {
  const manifest = resolve(packageRoot, 'package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : '0.0.0';
}

/** Corpus folders found beside the studio (the shared RAVDESS copy in development). */
function suggestedFolders(): string[] {
  const candidates = [resolve(packageRoot, '..', 'shared', 'data', 'ravdess-speech')];
  return candidates.filter((folder) => existsSync(folder));
}
