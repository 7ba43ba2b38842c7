import {
  argSchemas,
  err,
  isMethodName,
  ok,
  StudioError,
  type ArgsOf,
  type Domain,
  type MethodName,
  type Result,
  type Services,
} from '../../src-shared/contract/index.js';

export type Dispatch = (method: unknown, args: unknown) => Promise<Result<unknown>>;

/**
 * Checks that need the studio's state, run on arguments the schema has accepted and before the
 * service sees them (a folder to import must be one the studio may walk). A guard throws a
 * StudioError to refuse.
 */
export type ArgGuards = { [N in MethodName]?: (args: ArgsOf<N>) => Promise<void> };

/**
 * The one place where a request meets a service: the method name is checked against the
 * contract, the arguments against its schema, and whatever the service throws becomes a typed
 * error. Both transports call this, so they cannot drift.
 */
export function createDispatcher(services: Services, guards: ArgGuards = {}): Dispatch {
  return async (method, args) => {
    if (!isMethodName(method)) {
      return err('UNKNOWN_METHOD', `no method ${describeMethod(method)} in the contract`);
    }
    const [domain, name] = method.split('.') as [Domain, string];
    const schema = (argSchemas[domain] as Record<string, { safeParse(v: unknown): SafeParse }>)[name];
    try {
      // Inside the try: IPC arguments are structured clones (cycles, Maps, typed arrays), and
      // whatever a schema throws on them must come back as a Result, never as a rejection.
      const parsed = schema.safeParse(args ?? {});
      if (!parsed.success) {
        return err('INVALID_ARGUMENT', `${method}: ${describeIssues(parsed.error.issues)}`);
      }
      const guard = guards[method] as ((a: unknown) => Promise<void>) | undefined;
      if (guard !== undefined) await guard(parsed.data);
      const service = services[domain] as unknown as Record<string, (a: unknown) => Promise<unknown>>;
      return ok(await service[name].call(service, parsed.data));
    } catch (error) {
      return toErrorResult(error);
    }
  };
}

/**
 * The method name for a message, whatever was sent: String() throws on an object whose toString
 * is not a function ({"toString": 1} from a WebSocket frame), which would reject the dispatch.
 */
function describeMethod(method: unknown): string {
  const text = typeof method === 'string' ? method : `(${method === null ? 'null' : Array.isArray(method) ? 'array' : typeof method})`;
  return JSON.stringify(text).slice(0, 120);
}

interface SafeParse {
  success: boolean;
  data?: unknown;
  error: { issues: { path: PropertyKey[]; message: string }[] };
}

function describeIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

export function toErrorResult(error: unknown): Result<never> {
  if (error instanceof StudioError) return err(error.code, error.message);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return err('NOT_FOUND', (error as Error).message);
  if (code === 'EACCES' || code === 'EPERM' || code === 'ENOSPC' || code === 'EISDIR') {
    return err('IO_ERROR', (error as Error).message);
  }
  return err('INTERNAL', error instanceof Error ? error.message : String(error));
}
