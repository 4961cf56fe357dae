import { readdirSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/** Folders of a project that are not project files: the metadata store, data, tools' own. */
const IGNORED_DIRS = new Set(['.trellis', 'data', 'node_modules', '.git']);
/** Editors' swap, backup and probe files (vim writes `4913` to test a folder). */
const EDITOR_NOISE = /(^|\/)(\.#.*|.*~|.*\.sw[a-z]|4913|\.DS_Store)$/;
/** A project has a handful of folders; past this many, watching stops with an error rather than grow. */
export const MAX_WATCHED_DIRS = 256;
const MAX_DEPTH = 8;
/** At most this many changed paths are kept per burst (a branch checkout is one burst). */
const MAX_CHANGED = 100;

export interface WatcherOptions {
  /** Quiet time after the last change before `onChange` runs (a save is often several events). */
  readonly debounceMs?: number;
  /** Watching stopped working (too many folders, the inotify limit): the server keeps serving. */
  readonly onError?: (error: Error) => void;
}

/** Whether a changed path (relative to the project folder) is one of the project's own files. */
export function isProjectFile(relative: string): boolean {
  const rel = relative.split(path.sep).join('/');
  const top = rel.split('/')[0] ?? '';
  if (IGNORED_DIRS.has(top)) return false;
  return !EDITOR_NOISE.test(rel);
}

/**
 * Watches a project folder and calls `onChange` once per burst of changes to its files, with the
 * changed paths. Each folder is watched on its own (node:fs watch of a directory): Node 20's recursive
 * watch on Linux follows files, and loses one that an editor (or `sed -i`) replaces by a rename. New
 * folders are picked up after each burst. Returns the function that stops watching.
 */
export function watchProject(
  dir: string,
  onChange: (changed: readonly string[]) => void,
  options: WatcherOptions = {},
): () => void {
  const debounceMs = options.debounceMs ?? 150;
  const root = path.resolve(dir);
  const watchers = new Map<string, FSWatcher>();
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    for (const w of watchers.values()) w.close();
    watchers.clear();
  };
  const fail = (error: Error) => {
    if (stopped) return;
    stop();
    options.onError?.(error);
  };
  const onEvent = (folder: string, filename: string | Buffer | null) => {
    // Without a file name (some platforms) a change still counts: re-check everything.
    const rel = path.relative(root, path.join(folder, filename === null ? '' : filename.toString())) || '.';
    if (rel !== '.' && !isProjectFile(rel)) return;
    if (changed.size < MAX_CHANGED) changed.add(rel);
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };
  /** Watches every project folder not yet watched, forgets the ones that are gone. */
  const sync = () => {
    const folders = projectFolders(root);
    if (folders.length > MAX_WATCHED_DIRS)
      return fail(new Error(`more than ${MAX_WATCHED_DIRS} folders to watch in ${dir}`));
    const wanted = new Set(folders);
    for (const [folder, w] of watchers)
      if (!wanted.has(folder)) {
        w.close();
        watchers.delete(folder);
      }
    for (const folder of folders) {
      if (watchers.has(folder)) continue;
      try {
        const w = watch(folder, { persistent: true }, (_event, filename) => onEvent(folder, filename));
        w.on('error', (error) => (folder === root ? fail(error) : w.close()));
        watchers.set(folder, w);
      } catch (err) {
        // A folder removed between the listing and the watch is no error; anything else is.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return fail(err as Error);
      }
    }
  };
  const fire = () => {
    timer = undefined;
    if (stopped) return;
    sync();
    const paths = [...changed];
    changed.clear();
    onChange(paths);
  };
  sync();
  return stop;
}

/** The project folder and its sub-folders (not the ignored ones), breadth first, bounded in depth. */
function projectFolders(root: string): string[] {
  const out = [root];
  for (let i = 0; i < out.length && out.length <= MAX_WATCHED_DIRS; i++) {
    const folder = out[i] as string;
    if (path.relative(root, folder).split(path.sep).length > MAX_DEPTH) continue;
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const child = path.join(folder, entry.name);
      if (folder === root && IGNORED_DIRS.has(entry.name)) continue;
      out.push(child);
    }
  }
  return out;
}
