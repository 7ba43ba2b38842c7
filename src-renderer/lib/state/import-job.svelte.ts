import type { AppInfo, Client, ImportSummary, JobProgress, Transport } from '../../../src-shared/contract/index.js';

/** One folder import through the UI: progress from `job.progress`, cancel, the summary. */
export class ImportJob {
  folder = $state('');
  running = $state(false);
  cancelling = $state(false);
  progress = $state.raw<JobProgress | null>(null);
  /** Summaries of this session's imports, newest first. */
  summaries = $state.raw<{ folder: string; summary: ImportSummary }[]>([]);
  error = $state<string | null>(null);
  appInfo = $state.raw<AppInfo | null>(null);

  private jobId: string | null = null;

  constructor(
    private readonly client: Client,
    private readonly transport: Transport,
    private readonly onImported: () => void,
  ) {}

  /** Subscribes to progress events; returns the unsubscribe for an $effect teardown. */
  listen(): () => void {
    return this.transport.on('job.progress', (payload) => {
      if (payload.jobId === this.jobId) this.progress = payload;
    });
  }

  async loadAppInfo(): Promise<void> {
    const result = await this.client.app.info({});
    if (result.ok) this.appInfo = result.value;
  }

  async start(): Promise<void> {
    const folder = this.folder.trim();
    if (folder === '' || this.running) {
      if (folder === '') this.error = 'Type the path of a folder to import, or pick one of the suggestions.';
      return;
    }
    const jobId = `import-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.jobId = jobId;
    this.running = true;
    this.cancelling = false;
    this.error = null;
    this.progress = null;
    try {
      const result = await this.client.catalog.importFolder({ folder, jobId });
      if (result.ok) {
        this.summaries = [{ folder, summary: result.value }, ...this.summaries];
        this.onImported();
      } else {
        this.error = result.error.message;
      }
    } finally {
      this.running = false;
      this.jobId = null;
    }
  }

  async cancel(): Promise<void> {
    if (this.jobId === null) return;
    this.cancelling = true;
    const result = await this.client.jobs.cancel({ jobId: this.jobId });
    if (!result.ok) this.error = result.error.message;
  }
}
