export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

/** Short messages in the corner: errors in plain words (the contract's `message`) and confirmations. */
export class Notices {
  items = $state<Notice[]>([]);
  private nextId = 1;

  error(text: string): void {
    this.push('error', text, 8000);
  }

  info(text: string): void {
    this.push('info', text, 3500);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((item) => item.id !== id);
  }

  private push(kind: Notice['kind'], text: string, lifetimeMs: number): void {
    const id = this.nextId++;
    // A confirmation replaces the previous one (holding a key should not pile them up); errors
    // stay until read, the newest three at most.
    const kept = this.items.filter((item) => item.kind === 'error').slice(kind === 'error' ? -2 : -3);
    this.items = [...kept, { id, kind, text }];
    setTimeout(() => this.dismiss(id), lifetimeMs);
  }
}
