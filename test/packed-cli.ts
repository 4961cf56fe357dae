import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

/**
 * The `trellis` command as a user gets it from this checkout (docs/getting-started.md §1): `npm pack`
 * makes trellis-<version>.tgz from package.json's `files`, and it is installed into a private global
 * prefix — `<prefix>/lib/node_modules/trellis` plus the `<prefix>/bin/trellis` link npm makes from
 * package.json's `bin`. What runs is the packed files only, never the checkout's sources.
 *
 * One part is not npm's: the dependencies. `npm install -g --offline ./trellis-<version>.tgz` needs
 * every dependency's registry metadata in npm's cache, and this machine's cache has none of them
 * (node_modules is provisioned by copying, not by `npm ci`: the install fails with ENOTCACHED); an
 * online install downloads them and compiles better-sqlite3 from source (about 90 s on two cores),
 * too slow and too networked for every `npm test`. So the packed package gets the checkout's
 * node_modules as its own (a link), which is exactly the dependency tree the lockfile pins.
 */
export function installPackedCli(into: string): {
  readonly binDir: string;
  readonly trellis: string;
  readonly tarball: string;
} {
  mkdirSync(into, { recursive: true });
  const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', into], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const tgz = readdirSync(into).find((f) => /^trellis-.*\.tgz$/.test(f));
  if (!tgz) throw new Error(`npm pack made no trellis-*.tgz in ${into}:\n${pack.stdout}`);
  const tarball = path.join(into, tgz);
  const prefix = path.join(into, 'prefix');
  const pkg = path.join(prefix, 'lib', 'node_modules', 'trellis');
  mkdirSync(pkg, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1'], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar failed:\n${untar.stderr}`);
  if (existsSync(path.join(pkg, 'server')) || existsSync(path.join(pkg, 'web', 'src')))
    throw new Error('the package holds sources: package.json "files" lets them in');
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  const binDir = path.join(prefix, 'bin');
  mkdirSync(binDir, { recursive: true });
  const trellis = path.join(binDir, 'trellis');
  symlinkSync(path.join('..', 'lib', 'node_modules', 'trellis', 'bin', 'trellis.js'), trellis);
  return { binDir, trellis, tarball };
}
