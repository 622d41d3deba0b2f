import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import type { EnvironmentConfig } from '../../config/index.ts';

/** The manifest files that differ between `dir` and a fresh render of `environment`, missing or extra ones included. */
export function staleFiles(environment: EnvironmentConfig, dir: string): string[] {
  const scratch = mkdtempSync(join(tmpdir(), 'sweetshop-stale-check-'));
  try {
    const fresh = join(scratch, 'out');
    const rendered = synthesizeInto(environment, fresh);
    const present = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.k8s.yaml')) : [];
    const names = [...new Set([...rendered, ...present])].sort();
    return names.filter((file) => {
      if (!rendered.includes(file) || !present.includes(file)) return true;
      return readFileSync(join(dir, file), 'utf8') !== readFileSync(join(fresh, file), 'utf8');
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One line saying that `dir` is stale and what to do, or undefined when it is what the environment renders now. */
export function staleProblem(environment: EnvironmentConfig, dir: string, label = dir): string | undefined {
  const stale = staleFiles(environment, dir).map((file) => `${label}/${file}`);
  if (stale.length === 0) return undefined;
  return `${label}/ is not what config/environments/${environment.name}.ts renders now (${stale.join(', ')} differs): run \`npm run synth\`, review the diff and commit it`;
}
