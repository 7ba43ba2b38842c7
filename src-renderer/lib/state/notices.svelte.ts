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
    // The newest four are enough; older ones would only push the list off screen.
    this.items = [...this.items.slice(-3), { id, kind, text }];
    setTimeout(() => this.dismiss(id), lifetimeMs);
  }
}
