import type { z } from 'zod';
import { appArgs, jobsArgs, type AppApi, type JobsApi } from './app.js';
import { audioArgs, type AudioApi } from './audio.js';
import { catalogArgs, type CatalogApi } from './catalog.js';
import type { EventMap, EventName } from './events.js';
import { featuresArgs, type FeaturesApi } from './features.js';
import { exploreArgs, type ExploreApi } from './explore.js';
import { liveArgs, type LiveApi } from './live.js';
import type { Result } from './result.js';
import { runsArgs, trainingArgs, type RunsApi, type TrainingApi } from './training.js';

export * from './app.js';
export * from './audio.js';
export * from './catalog.js';
export * from './channels.js';
export * from './events.js';
export * from './features.js';
export * from './explore.js';
export * from './live.js';
export * from './result.js';
export * from './training.js';

/** The whole contract: one interface per domain. Every method takes one argument object. */
export interface Services {
  app: AppApi;
  jobs: JobsApi;
  catalog: CatalogApi;
  audio: AudioApi;
  features: FeaturesApi;
  training: TrainingApi;
  runs: RunsApi;
  explore: ExploreApi;
  live: LiveApi;
}

export type Domain = keyof Services;

/** The argument schemas, validated at the transport boundary before a service sees them. */
export const argSchemas = {
  app: appArgs,
  jobs: jobsArgs,
  catalog: catalogArgs,
  audio: audioArgs,
  features: featuresArgs,
  training: trainingArgs,
  runs: runsArgs,
  explore: exploreArgs,
  live: liveArgs,
} satisfies { [D in Domain]: { [M in keyof Services[D]]: z.ZodType } };

export type MethodName = {
  [D in Domain]: `${D}.${Extract<keyof Services[D], string>}`;
}[Domain];

type MethodOf<N extends MethodName> = N extends `${infer D extends Domain}.${infer M}`
  ? M extends keyof Services[D]
    ? Services[D][M]
    : never
  : never;

type Fn = (args: never) => Promise<unknown>;
export type ArgsOf<N extends MethodName> = MethodOf<N> extends Fn ? Parameters<MethodOf<N>>[0] : never;
export type ValueOf<N extends MethodName> = MethodOf<N> extends Fn ? Awaited<ReturnType<MethodOf<N>>> : never;

/** What a renderer holds: the same methods, answering Results instead of throwing. */
export type Client = {
  [D in Domain]: {
    [M in keyof Services[D]]: Services[D][M] extends (args: infer A) => Promise<infer R>
      ? (args: A) => Promise<Result<R>>
      : never;
  };
};

/** The two primitives a transport provides to the renderer. */
export interface Transport {
  invoke(method: MethodName, args: unknown): Promise<Result<unknown>>;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}

export const METHOD_NAMES: readonly MethodName[] = (Object.keys(argSchemas) as Domain[]).flatMap((domain) =>
  Object.keys(argSchemas[domain]).map((method) => `${domain}.${method}` as MethodName),
);

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && (METHOD_NAMES as readonly string[]).includes(value);
}

/** Builds a typed client over any transport (Electron preload or WebSocket). */
export function createClient(transport: Transport): Client {
  const client: Record<string, Record<string, (args: unknown) => Promise<Result<unknown>>>> = {};
  for (const name of METHOD_NAMES) {
    const [domain, method] = name.split('.') as [string, string];
    client[domain] ??= {};
    client[domain][method] = (args: unknown) => transport.invoke(name, args ?? {});
  }
  return client as unknown as Client;
}
