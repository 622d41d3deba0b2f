import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { findExecutable } from '../../tools/lib/find-executable.ts';
import { type NginxConfigInput, renderNginxConfig } from '../../tools/local/nginx-config.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';

const INPUT: NginxConfigInput = {
  prefix: '/tmp/sweetshop-local-test',
  listenPort: 18080,
  balance: 'round-robin',
  upstreams: [
    { name: 'chocolates', ports: [8000, 8001] },
    { name: 'cakes', ports: [8002] },
  ],
  locations: [
    { path: '/chocolates', pathType: 'Prefix', upstream: 'chocolates' },
    { path: '/cakes', pathType: 'Prefix', upstream: 'cakes' },
  ],
};

describe('renderNginxConfig', () => {
  const config = renderNginxConfig(INPUT);

  test('one upstream per Service with its replicas, keep-alive on', () => {
    assert.match(config, /upstream chocolates \{\n    server 127\.0\.0\.1:8000;\n    server 127\.0\.0\.1:8001;\n    keepalive 32;/);
    assert.match(config, /proxy_http_version 1\.1;/);
    assert.match(config, /proxy_set_header Connection "";/);
  });

  test('retries connection errors and timeouts on the next replica', () => {
    assert.match(config, /proxy_next_upstream error timeout http_502 http_503;/);
    assert.doesNotMatch(config, /proxy_next_upstream [^;]*non_idempotent/);
  });

  test('round robin is nginx default (no directive); least connections adds least_conn to every upstream', () => {
    assert.doesNotMatch(config, /least_conn/);
    const leastConn = renderNginxConfig({ ...INPUT, balance: 'least-connections' });
    assert.equal(leastConn.match(/least_conn;/g)?.length, 2);
  });

  test('a Prefix path matches the path and its subpaths, not a longer word; everything else is a JSON 404', () => {
    assert.match(config, /location = \/chocolates \{ proxy_pass http:\/\/chocolates; \}/);
    assert.match(config, /location \/chocolates\/ \{ proxy_pass http:\/\/chocolates; \}/);
    assert.match(config, /location \/ \{\n\s+return 404 '\{"error"/);
  });

  test('every file nginx writes lives under the prefix', () => {
    for (const line of config.split('\n').filter((l) => /(pid|error_log|_temp_path) /.test(l))) assert.match(line, /\/tmp\/sweetshop-local-test\//);
  });

  test('a location naming an unknown upstream is an error', () => {
    assert.throws(() => renderNginxConfig({ ...INPUT, locations: [{ path: '/x', pathType: 'Prefix', upstream: 'fudge' }] }), /location \/x: no upstream fudge/);
  });
});

describe('renderNginxConfig with the real nginx', { skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light') }, () => {
  const prefix = mkdtempSync(join(tmpdir(), 'sweetshop-nginx-config-test-'));
  after(() => rmSync(prefix, { recursive: true, force: true }));

  for (const balance of ['round-robin', 'least-connections'] as const) {
    test(`nginx -t accepts the ${balance} config`, () => {
      for (const dir of ['logs', 'temp']) mkdirSync(join(prefix, dir), { recursive: true });
      writeFileSync(join(prefix, 'nginx.conf'), renderNginxConfig({ ...INPUT, prefix, balance }));
      const nginx = findExecutable('nginx')!;
      execFileSync(nginx, ['-p', prefix, '-e', join(prefix, 'logs', 'error.log'), '-c', join(prefix, 'nginx.conf'), '-t', '-q'], { stdio: 'pipe' });
    });
  }
});
