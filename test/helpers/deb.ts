import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's tools for building the test package: missing ones, for requireRoot. */
export const debToolsMissing = (): string[] =>
  ['dpkg-deb', 'dpkg-scanpackages'].filter((c) => {
    try {
      execFileSync('which', [c], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });

/** A small .deb (lbprov-testpkg 1.0) and its Packages index, built here with dpkg-deb, for a local file: apt source. */
export function buildDeb(): { deb: string; packages: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lbprov-deb-'));
  const root = join(dir, 'pkg');
  mkdirSync(join(root, 'DEBIAN'), { recursive: true });
  mkdirSync(join(root, 'usr', 'share', 'lbprov-testpkg'), { recursive: true });
  writeFileSync(
    join(root, 'DEBIAN', 'control'),
    'Package: lbprov-testpkg\nVersion: 1.0\nArchitecture: all\nMaintainer: lbprov tests <tests@lbprov.invalid>\nDescription: a package lbprov installs in its tests\n',
  );
  writeFileSync(join(root, 'usr', 'share', 'lbprov-testpkg', 'hello.txt'), 'installed by lbprov\n');
  const repo = join(dir, 'repo');
  mkdirSync(repo);
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, join(repo, 'lbprov-testpkg_1.0_all.deb')], {
    stdio: 'ignore',
  });
  const index = execFileSync('dpkg-scanpackages', ['.', '/dev/null'], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  writeFileSync(join(repo, 'Packages'), index);
  return { deb: join(repo, 'lbprov-testpkg_1.0_all.deb'), packages: join(repo, 'Packages') };
}
