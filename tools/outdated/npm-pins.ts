import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Pin } from './pin.ts';
import { HOLDS } from './upstreams.ts';

const FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/** Every dependency package.json pins (an exact version each), with its hold if it has one. */
export function npmPins(root: string, file = 'package.json'): Pin[] {
  const text = readFileSync(join(root, file), 'utf8');
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  return FIELDS.flatMap((field) =>
    Object.entries((manifest[field] ?? {}) as Record<string, string>).map(([name, current]) => ({
      name,
      file,
      current,
      source: { type: 'npm', package: name } as const,
      hold: HOLDS[name],
      note: name.startsWith('node-linux-') ? 'the Node binary' : undefined,
    })),
  );
}
