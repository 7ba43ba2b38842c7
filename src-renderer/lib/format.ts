/** Seconds as "1.23 s" under a minute, else "m:ss.s". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${(seconds - minutes * 60).toFixed(1).padStart(4, '0')}`;
}

/** Playback clock: "0:01.25". */
export function formatClock(seconds: number): string {
  const safe = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  const minutes = Math.floor(safe / 60);
  return `${minutes}:${(safe - minutes * 60).toFixed(2).padStart(5, '0')}`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** "12:03:44" today, else "2025-01-03 12:03". */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const now = new Date();
  const time = date.toLocaleTimeString('en-GB', { hour12: false });
  if (date.toDateString() === now.toDateString()) return time;
  return `${date.toISOString().slice(0, 10)} ${time.slice(0, 5)}`;
}

/** The file name of a relative path. */
export function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

/** `path` relative to `folder` when it lies inside it (either slash), else `path` unchanged. */
export function pathInside(folder: string, path: string): string {
  const root = folder.replace(/[\\/]+$/, '');
  if (root === '' || !path.startsWith(root)) return path;
  const rest = path.slice(root.length);
  return rest.startsWith('/') || rest.startsWith('\\') ? rest.slice(1) : path;
}
