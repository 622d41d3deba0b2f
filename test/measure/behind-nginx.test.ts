import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { environmentNamed } from '../../config/index.ts';
import { startReplicaBehindNginx } from '../../tools/measure/behind-nginx.ts';
import { buildService } from '../../tools/measure/replica.ts';
import { SCRATCH_DIR } from '../../tools/measure/scratch.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';

const options = (section: string) => ({
  environment: environmentNamed('local'),
  section,
  manifestsDir: join(SCRATCH_DIR, `manifests-behind-nginx-test-${process.pid}`),
  onWarning: (message: string) => assert.fail(`unexpected warning: ${message}`),
});

describe('a replica behind nginx, as the capacity curve loads it', {
  skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light'),
}, () => {
  test('the url is nginx, the pid the compiled replica that answers through it', async () => {
    buildService(() => {});
    const replica = await startReplicaBehindNginx(options('cakes'));
    try {
      const response = await fetch(`${replica.url}/cakes`);
      assert.equal(response.status, 200);
      const servedBy = response.headers.get('x-served-by');
      assert.match(servedBy ?? '', /^cakes-/, 'answered by a cakes replica');
      assert.match(readFileSync(`/proc/${replica.pid}/cmdline`, 'utf8'), /service\/build\/server\.js/);
      const replicaId = readFileSync(`/proc/${replica.pid}/environ`, 'utf8')
        .split('\0')
        .find((v) => v.startsWith('REPLICA_ID='));
      assert.equal(replicaId, `REPLICA_ID=${servedBy}`, 'the pid is the replica that served the request, not nginx');
    } finally {
      await replica.stop();
    }
  });

  test('a section the shop does not run is an error that names it, and leaves nothing running', async () => {
    await assert.rejects(startReplicaBehindNginx(options('pies')), /behind nginx: the shop started no pies replica/);
  });
});
