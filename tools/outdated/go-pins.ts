import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { GO_MODULES } from '../control-plane/programs.ts';
import type { Pin } from './pin.ts';
import { HOLDS } from './upstreams.ts';

/** The version a go.mod requires of a module (`require path vX` or inside a `require (...)` block). */
export function requiredVersion(goMod: string, module: string, file: string): string {
  const escaped = module.replaceAll(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`${file}: no require of ${module} (the module tools/control-plane/programs.ts names)`);
  return match[1];
}

/** The upstream module of each control-plane wrapper (tools/control-plane/go/<name>/go.mod), at the version its go.mod requires. */
export function goPins(root: string, modules = GO_MODULES): Pin[] {
  return modules.map((module) => {
    const file = `tools/control-plane/go/${module.name}/go.mod`;
    const current = requiredVersion(readFileSync(join(root, file), 'utf8'), module.upstream.path, file);
    return {
      name: module.upstream.path,
      file,
      current,
      source: { type: 'go', module: module.upstream.path },
      hold: HOLDS[module.upstream.path],
    };
  });
}
