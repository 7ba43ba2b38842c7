/** An error the CLI reports as one line, without a stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/**
 * A progress line on stderr: redrawn in place on a terminal, one line every few seconds
 * otherwise (CI logs), so stdout stays clean for --json.
 */
export function progressLine(label: string): { update(done: number, total: number, detail: string): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let lastPrint = 0;
  return {
    update(done, total, detail) {
      const now = Date.now();
      if (!tty && now - lastPrint < 2000 && done !== total) return;
      lastPrint = now;
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
      const line = `${label} ${bar} ${done}/${total} ${detail}`.slice(0, tty ? (process.stderr.columns ?? 100) - 1 : 200);
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else process.stderr.write(`${line}\n`);
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}
