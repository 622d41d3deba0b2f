import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Pin } from './pin.ts';

const FOLDER = '.github/workflows';

/** The Go release each workflow sets up (`go-version: 1.26.8` under actions/setup-go), one pin per file. */
export function goToolchainPins(root: string): Pin[] {
  const pins: Pin[] = [];
  for (const name of readdirSync(join(root, FOLDER))
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()) {
    const file = `${FOLDER}/${name}`;
    const versions = new Set(
      [...readFileSync(join(root, file), 'utf8').matchAll(/^\s*go-version:\s*['"]?(\d+\.\d+\.\d+)['"]?\s*$/gm)].map((m) => m[1] ?? ''),
    );
    for (const current of versions) pins.push({ name: 'Go toolchain', file, current, source: { type: 'go-toolchain' } });
  }
  return pins;
}
