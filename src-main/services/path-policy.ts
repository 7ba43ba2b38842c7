import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, parse, relative, resolve, sep } from 'node:path';
import type { Clip, Dataset } from '../../src-shared/contract/catalog.js';
import { StudioError } from '../../src-shared/contract/result.js';

/**
 * Which files the studio may open on a request's behalf. A request names files in one way only:
 * `catalog.importFolder` takes a folder, the user's explicit choice, and importing it is what
 * makes it a dataset root. Every other method names clips, runs and models by id, and the
 * studio opens the files it recorded for them: a clip's file must still lie inside its
 * dataset's root when it is read for a request.
 */
export interface PathPolicyOptions {
  /** The roots of the imported datasets, as the catalog holds them now. */
  datasets: () => Promise<Dataset[]>;
  /** Folders no import may start in or under: the OS's virtual file systems. Default: /proc, /sys, /dev. */
  systemRoots?: string[];
}

const SYSTEM_ROOTS = process.platform === 'win32' ? [] : ['/proc', '/sys', '/dev'];

/** Whether `path` is `root` or inside it, by path alone (a symlink inside a root is the user's choice). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export class PathPolicy {
  private readonly options: PathPolicyOptions;
  private readonly systemRoots: string[];

  constructor(options: PathPolicyOptions) {
    this.options = options;
    this.systemRoots = options.systemRoots ?? SYSTEM_ROOTS;
  }

  /**
   * A folder a request asks to import. It must be absolute (a relative one would resolve against
   * the server's working directory, which nobody chose), exist, and be neither a file system's
   * root nor inside the OS's virtual file systems, whose "files" are devices and kernel state
   * that a walk could block on. The checks run on the folder as written and on its real path, so
   * a symlink to / is refused too.
   */
  async checkImportFolder(folder: string): Promise<void> {
    if (folder.includes('\0')) throw new StudioError('INVALID_ARGUMENT', 'a folder path cannot contain a NUL character');
    if (!isAbsolute(folder)) throw new StudioError('INVALID_ARGUMENT', `${folder}: give the folder to import as an absolute path`);
    const real = await realpath(folder).catch(() => null);
    if (real === null || !(await stat(real)).isDirectory()) return; // the import answers NOT_FOUND or "not a folder"
    for (const path of new Set([resolve(folder), real])) {
      if (parse(path).root === path) throw new StudioError('FORBIDDEN', `${folder}: importing a whole file system is not allowed; choose the folder that holds the clips`);
      const system = this.systemRoots.find((root) => isInside(path, root));
      if (system !== undefined) throw new StudioError('FORBIDDEN', `${folder}: ${system} is a system folder, not a place for audio clips`);
    }
  }

  /** The file of a clip, refused unless it lies inside the root of the dataset it was imported into. */
  async checkClip(clip: Pick<Clip, 'id' | 'datasetId' | 'path'>): Promise<void> {
    const problem = (await this.clipChecker())(clip);
    if (problem !== null) throw new StudioError('FORBIDDEN', problem);
  }

  /** For many clips at once: one read of the datasets, then a function giving each clip's refusal, or null. */
  async clipChecker(): Promise<(clip: Pick<Clip, 'id' | 'datasetId' | 'path'>) => string | null> {
    const roots = new Map((await this.options.datasets()).map((dataset) => [dataset.id, dataset.rootPath]));
    return (clip) => {
      const root = roots.get(clip.datasetId);
      if (root !== undefined && isInside(clip.path, root)) return null;
      return `clip ${clip.id}: its file ${clip.path} is outside its dataset's folder${root === undefined ? '' : ` ${root}`}`;
    };
  }
}
