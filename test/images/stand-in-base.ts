import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { findExecutable } from '../../tools/lib/find-executable.ts';
import type { ContainerSandbox } from './container-sandbox.ts';

/** The non-root user the Dockerfile switches to; listed in the base's /etc/passwd like a real base. */
export const IMAGE_UID = 10001;
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/**
 * Builds a Node 24 base image from this machine's own files, because no registry is reachable here:
 * FROM scratch + the Node 24 running these tests (the project's node_modules/.bin/node), every library ldd lists (loader included), dash as /bin/sh,
 * /usr/bin/env, the host's npm and CA bundle (HTTPS goes through a proxy whose CA only the host bundle
 * has), /etc/passwd with the numeric user, and /tmp 1777. Merged-/usr layout like Debian 12.
 * With npm inside, the real Dockerfile's `RUN npm ci` steps work unchanged. Returns the image reference.
 */
export function buildStandInBase(sandbox: ContainerSandbox, ref = `localhost/sweetshop-stand-in-node:${process.versions.node}`): string {
  const node = process.execPath;
  const npmCli = realpathSync(requireTool('npm'));
  const npmPackage = dirname(dirname(npmCli)); // <prefix>/lib/node_modules/npm/bin/npm-cli.js
  const dash = realpathSync('/bin/sh');
  const env = requireTool('env');

  const container = sandbox.run('buildah', ['from', 'scratch']);
  try {
    const root = sandbox.run('buildah', ['mount', container]);
    for (const dir of ['usr/bin', 'usr/lib', 'usr/lib64', 'etc/ssl/certs', 'tmp', 'root']) mkdirSync(join(root, dir), { recursive: true });
    chmodSync(join(root, 'tmp'), 0o1777);
    for (const link of ['bin', 'lib', 'lib64']) symlinkSync(`usr/${link}`, join(root, link));

    copyInto(root, node, '/usr/bin/node');
    copyInto(root, dash, '/usr/bin/dash');
    symlinkSync('dash', join(root, 'usr/bin/sh'));
    copyInto(root, env, '/usr/bin/env');
    for (const library of linkedLibraries([node, dash, env])) copyInto(root, library, library);
    cpSync(npmPackage, join(root, 'usr/lib/node_modules/npm'), { recursive: true, verbatimSymlinks: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/bin/npm'));
    copyInto(root, CA_BUNDLE, CA_BUNDLE);
    writeFileSync(join(root, 'etc/passwd'), `root:x:0:0:root:/root:/bin/sh\nshop:x:${IMAGE_UID}:${IMAGE_UID}:shop:/tmp:/bin/sh\n`);
    writeFileSync(join(root, 'etc/group'), `root:x:0:\nshop:x:${IMAGE_UID}:\n`);

    sandbox.run('buildah', [
      'config',
      '--env',
      'PATH=/usr/local/bin:/usr/bin:/bin',
      '--env',
      `NODE_EXTRA_CA_CERTS=${CA_BUNDLE}`,
      '--cmd',
      '["node"]',
      container,
    ]);
    sandbox.run('buildah', ['unmount', container]);
    sandbox.run('buildah', ['commit', '--quiet', container, ref]);
  } finally {
    sandbox.run('buildah', ['rm', container]);
  }
  return ref;
}

function requireTool(name: string): string {
  const path = findExecutable(name);
  if (!path) throw new Error(`stand-in base: ${name} is not on PATH`);
  return path;
}

/** Absolute paths of the shared libraries (and the ld-linux loader) the binaries link, from ldd. */
function linkedLibraries(binaries: readonly string[]): string[] {
  const libraries = new Set<string>();
  for (const binary of binaries) {
    const output = execFileSync('ldd', [binary], { encoding: 'utf8' });
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)";
    // linux-vdso has no path and is skipped.
    for (const match of output.matchAll(/(\/\S+) \(0x[0-9a-f]+\)/g)) libraries.add(match[1]!);
  }
  return [...libraries];
}

/** Copies a host file (following symlinks) to the same or another absolute path under root. */
function copyInto(root: string, source: string, target: string): void {
  const destination = join(root, target);
  mkdirSync(dirname(destination), { recursive: true });
  cpSync(realpathSync(source), destination, { preserveTimestamps: true });
}
