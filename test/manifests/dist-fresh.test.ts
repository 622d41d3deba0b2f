// dist/ is committed (what `kubectl apply -f dist/` deploys): it must be exactly what the local
// environment synthesizes today.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

import { synthesizeInto } from '../../app/synth-to-dir.ts';
import { environments } from '../../config/index.ts';
import { DIST_DIR } from './load-manifests.ts';

const workdir = mkdtempSync(join(tmpdir(), 'sweetshop-dist-fresh-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

test('committed dist/ matches a fresh synth of the default (local) environment: run `npm run synth` if this fails', () => {
  const fresh = join(workdir, 'dist');
  const files = synthesizeInto(environments.local, fresh);
  assert.deepEqual(readdirSync(DIST_DIR).sort(), files, 'dist/ holds exactly the synthesized files: run `npm run synth`');
  for (const file of files) {
    assert.equal(
      readFileSync(join(DIST_DIR, file), 'utf8'),
      readFileSync(join(fresh, file), 'utf8'),
      `dist/${file} is stale: run \`npm run synth\``,
    );
  }
});
