import { z } from 'zod';

export interface AppInfo {
  version: string;
  /** Which transport this renderer talks through. */
  transport: 'electron' | 'http';
  dbPath: string;
  /** ../shared/data style corpus folders that exist beside the studio, offered in the import dialog. */
  suggestedFolders: string[];
}

export const appArgs = {
  info: z.strictObject({}),
};

export const jobsArgs = {
  cancel: z.strictObject({ jobId: z.string().min(1).max(100) }),
};

export interface AppApi {
  info(args: z.input<typeof appArgs.info>): Promise<AppInfo>;
}

export interface JobsApi {
  /** Asks a running job to stop; false when no such job is running. */
  cancel(args: z.input<typeof jobsArgs.cancel>): Promise<{ cancelled: boolean }>;
}
