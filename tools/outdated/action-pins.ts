import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Pin } from './pin.ts';

const FOLDER = '.github/workflows';
const USES = /^\s*(?:-\s+)?uses:\s*([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@([0-9a-f]{40})\s*#\s*(v\S+)\s*$/;

/**
 * Every action the workflows pin to a commit SHA with its release in a comment
 * (`uses: actions/checkout@<sha> # v5.0.0`); a `uses:` pinned any other way is refused by name.
 */
export function actionPins(root: string): Pin[] {
  const pins = new Map<string, Pin>();
  for (const name of readdirSync(join(root, FOLDER))
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()) {
    const file = `${FOLDER}/${name}`;
    for (const [index, line] of readFileSync(join(root, file), 'utf8').split('\n').entries()) {
      if (!/^\s*(?:-\s+)?uses:/.test(line)) continue;
      const match = USES.exec(line);
      if (!match?.[1] || !match[2] || !match[3]) {
        throw new Error(`${file}:${index + 1}: expected \`uses: <owner>/<repo>@<40-hex SHA> # v<version>\`, got '${line.trim()}'`);
      }
      pins.set(`${match[1]} ${file}`, {
        name: match[1],
        file,
        current: `${match[3]} (${match[2].slice(0, 7)})`,
        source: { type: 'github-release', repo: match[1], tagPrefix: '' },
      });
    }
  }
  return [...pins.values()];
}
