import type { Client, Clip, ClipFilter, ClipStats, Dataset, SortKey } from '../../../src-shared/contract/index.js';
import type { Notices } from './notices.svelte.js';

/** Rows fetched per queryClips call; the cache is keyed by page (offset / PAGE_SIZE). */
export const PAGE_SIZE = 200;

interface Page {
  clips: Clip[];
  /** The refresh generation the rows were fetched in; older pages are shown until replaced. */
  generation: number;
}

/**
 * The clip list: filter and sort, the matching total, a page cache filled on demand by the
 * virtualized view, label counts, and the keyboard selection.
 *
 * A filter or sort change is a hard reset (cache dropped). A catalog change is a soft refresh:
 * cached rows stay on screen and the visible pages are fetched again, so relabelling does not
 * blank the list.
 */
export class ClipBrowser {
  filter = $state.raw<ClipFilter>({});
  sort = $state<SortKey>('id');
  descending = $state(false);
  /** Clips matching the filter; null until the first page of a query has answered. */
  total = $state<number | null>(null);
  /** Whole-catalog counts (actors, labels, emptiness). */
  catalogStats = $state.raw<ClipStats | null>(null);
  /** Counts under the current filter except its labels, so each label chip says what it would show. */
  facetStats = $state.raw<ClipStats | null>(null);
  datasets = $state.raw<Dataset[]>([]);
  selectedIndex = $state(-1);
  /** Why the list could not be loaded, in plain words; null when fine. */
  error = $state<string | null>(null);

  private pages = $state.raw(new Map<number, Page>());
  private selectedId: number | null = null;
  private generation = 0;
  /** Replies fetched before the latest hard reset are for another query and are dropped. */
  private resetGeneration = 0;
  private readonly inFlight = new Map<number, number>();
  private visiblePages: [number, number] = [0, 0];

  readonly selectedClip: Clip | null = $derived(this.rowAt(this.selectedIndex));
  readonly hasFilter: boolean = $derived(Object.values(this.filter).some((value) => value !== undefined && !(Array.isArray(value) && value.length === 0)));
  readonly catalogEmpty: boolean = $derived(this.catalogStats !== null && this.catalogStats.total === 0);

  constructor(
    private readonly client: Client,
    private readonly notices: Notices,
  ) {}

  /** The clip at a list position, or null while its page is loading. */
  rowAt(index: number): Clip | null {
    if (index < 0) return null;
    const page = this.pages.get(Math.floor(index / PAGE_SIZE));
    return page?.clips[index % PAGE_SIZE] ?? null;
  }

  /** First load and after imports: datasets, stats and the list. */
  async reload(): Promise<void> {
    await Promise.all([this.loadCatalogStats(), this.loadDatasets(), this.refresh()]);
  }

  setFilter(patch: Partial<ClipFilter>): void {
    const next: ClipFilter = { ...this.filter, ...patch };
    for (const key of Object.keys(next) as (keyof ClipFilter)[]) {
      const value = next[key];
      if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete next[key];
    }
    this.filter = next;
    this.reset();
  }

  clearFilter(): void {
    this.filter = {};
    this.reset();
  }

  /** Label chip click: alone selects just that label; with `additive` toggles it in the set. */
  toggleLabel(label: string, additive: boolean): void {
    const current = this.filter.labels ?? [];
    const has = current.includes(label);
    let labels: string[];
    if (additive) labels = has ? current.filter((item) => item !== label) : [...current, label];
    else labels = has && current.length === 1 ? [] : [label];
    this.setFilter({ labels });
  }

  toggleActor(actor: number): void {
    const current = this.filter.actors ?? [];
    this.setFilter({ actors: current.includes(actor) ? current.filter((item) => item !== actor) : [...current, actor].sort((a, b) => a - b) });
  }

  setSort(sort: SortKey, descending?: boolean): void {
    if (sort === this.sort && descending === undefined) this.descending = !this.descending;
    else {
      this.sort = sort;
      this.descending = descending ?? false;
    }
    this.reset();
  }

  select(index: number): void {
    const total = this.total ?? 0;
    if (total === 0) {
      this.selectedIndex = -1;
      this.selectedId = null;
      return;
    }
    this.selectedIndex = Math.min(total - 1, Math.max(0, index));
    this.selectedId = this.rowAt(this.selectedIndex)?.id ?? null;
  }

  move(delta: number): void {
    this.select(this.selectedIndex < 0 ? 0 : this.selectedIndex + delta);
  }

  /** Called by the list view with the rows on screen (plus overscan); fetches missing pages. */
  ensureRows(first: number, last: number): void {
    const firstPage = Math.max(0, Math.floor(first / PAGE_SIZE));
    const lastPage = Math.max(firstPage, Math.floor(Math.max(0, last) / PAGE_SIZE));
    this.visiblePages = [firstPage, lastPage];
    for (let page = firstPage; page <= lastPage; page++) {
      const cached = this.pages.get(page);
      if (cached === undefined || cached.generation < this.generation) void this.fetchPage(page);
    }
  }

  /** Puts a changed clip (relabel, undo) into the cached rows at once, before any refetch. */
  updateClip(clip: Clip): void {
    let changed = false;
    const next = new Map(this.pages);
    for (const [index, page] of next) {
      const at = page.clips.findIndex((row) => row.id === clip.id);
      if (at < 0) continue;
      const clips = page.clips.slice();
      clips[at] = clip;
      next.set(index, { ...page, clips });
      changed = true;
    }
    if (changed) this.pages = next;
  }

  /** Soft refresh after the catalog changed: keep rows, refetch what is visible and the counts. */
  async refresh(): Promise<void> {
    this.generation++;
    const [first, last] = this.visiblePages;
    // The selected row's page is kept too: the open clip must not vanish because the list was scrolled away.
    const wanted = new Set<number>();
    for (let page = first; page <= last; page++) wanted.add(page);
    if (this.selectedIndex >= 0) wanted.add(Math.floor(this.selectedIndex / PAGE_SIZE));
    const next = new Map<number, Page>();
    for (const [index, page] of this.pages) if (wanted.has(index)) next.set(index, page);
    this.pages = next;
    await Promise.all([this.loadFacetStats(), ...[...wanted].map((page) => this.fetchPage(page))]);
  }

  async loadCatalogStats(): Promise<void> {
    const result = await this.client.catalog.clipStats({ filter: {} });
    if (result.ok) this.catalogStats = result.value;
    else this.notices.error(result.error.message);
  }

  private async loadDatasets(): Promise<void> {
    const result = await this.client.catalog.listDatasets({});
    if (result.ok) this.datasets = result.value;
  }

  private async loadFacetStats(): Promise<void> {
    const { labels: _labels, ...withoutLabels } = this.filter;
    const filter = this.filter;
    const result = await this.client.catalog.clipStats({ filter: withoutLabels });
    if (filter !== this.filter) return;
    if (result.ok) this.facetStats = result.value;
    else this.error = result.error.message;
  }

  private reset(): void {
    this.generation++;
    this.resetGeneration = this.generation;
    this.pages = new Map();
    this.inFlight.clear();
    this.total = null;
    this.selectedIndex = -1;
    this.selectedId = null;
    this.visiblePages = [0, 0];
    void this.loadFacetStats();
    void this.fetchPage(0);
  }

  private async fetchPage(page: number): Promise<void> {
    const generation = this.generation;
    if ((this.inFlight.get(page) ?? -1) >= generation) return;
    this.inFlight.set(page, generation);
    const result = await this.client.catalog.queryClips({
      filter: this.filter,
      sort: this.sort,
      descending: this.descending,
      offset: page * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
    if (this.inFlight.get(page) === generation) this.inFlight.delete(page);
    if (generation < this.resetGeneration) return;
    if (!result.ok) {
      this.error = result.error.message;
      return;
    }
    this.error = null;
    const existing = this.pages.get(page);
    if (existing !== undefined && existing.generation > generation) return;
    const next = new Map(this.pages);
    next.set(page, { clips: result.value.clips, generation });
    this.pages = next;
    this.total = result.value.total;
    this.followSelection(page, result.value.clips);
  }

  /** Keeps the selection on the same clip when a refresh moved it, and picks the first row at start. */
  private followSelection(page: number, clips: Clip[]): void {
    const total = this.total ?? 0;
    if (this.selectedIndex < 0) {
      if (total > 0 && page === 0) this.select(0);
      return;
    }
    if (this.selectedIndex >= total) {
      this.select(total - 1);
      return;
    }
    if (this.selectedId !== null) {
      const at = clips.findIndex((clip) => clip.id === this.selectedId);
      if (at >= 0) this.selectedIndex = page * PAGE_SIZE + at;
      else if (Math.floor(this.selectedIndex / PAGE_SIZE) === page) this.selectedId = this.rowAt(this.selectedIndex)?.id ?? null;
    } else {
      this.selectedId = this.rowAt(this.selectedIndex)?.id ?? null;
    }
  }
}
