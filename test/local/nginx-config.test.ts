import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { findExecutable } from '../../tools/lib/find-executable.ts';
import { pollUntil } from '../../tools/lib/poll-until.ts';
import { acceptsConnections, ephemeralPort } from '../../tools/lib/process/ports.ts';
import { deploymentBodyLimit } from '../../tools/local/manifests/body-limit.ts';
import { type BalancerConfigInput, renderBalancerConfig, renderFrontConfig } from '../../tools/local/nginx/nginx-config.ts';
import { skipUnlessInstalled } from '../support/system-tool.ts';

const INPUT: BalancerConfigInput = {
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

describe('renderBalancerConfig', () => {
  const config = renderBalancerConfig(INPUT);

  test('one upstream per Service with its replicas, keep-alive on', () => {
    assert.match(
      config,
      /upstream chocolates \{\n {4}server 127\.0\.0\.1:8000 max_fails=0;\n {4}server 127\.0\.0\.1:8001 max_fails=0;\n {4}keepalive 320;/,
    );
    assert.match(config, /proxy_http_version 1\.1;/);
    assert.match(config, /proxy_set_header Connection "";/);
  });

  test('retries connection errors and timeouts on the next replica', () => {
    assert.match(config, /proxy_next_upstream error timeout http_502 http_503;/);
    assert.doesNotMatch(config, /proxy_next_upstream [^;]*non_idempotent/);
  });

  test('round robin is nginx default (no directive); least connections adds least_conn to every upstream', () => {
    assert.doesNotMatch(config, /least_conn/);
    const leastConn = renderBalancerConfig({ ...INPUT, balance: 'least-connections' });
    assert.equal(leastConn.match(/least_conn;/g)?.length, 2);
  });

  test('a Prefix path matches the path and its subpaths, not a longer word; everything else is a JSON 404', () => {
    assert.match(config, /location = \/chocolates \{ proxy_pass http:\/\/chocolates; \}/);
    assert.match(config, /location \/chocolates\/ \{ proxy_pass http:\/\/chocolates; \}/);
    assert.match(config, /location \/ \{\n\s+return 404 '\{"error"/);
  });

  test('every file nginx writes lives under the prefix', () => {
    for (const line of config.split('\n').filter((l: string) => /(pid|error_log|_temp_path) /.test(l)))
      assert.match(line, /\/tmp\/sweetshop-local-test\//);
  });

  test("a location with a body limit refuses larger bodies itself, with the replicas' JSON 413", () => {
    const limited = renderBalancerConfig({
      ...INPUT,
      locations: INPUT.locations.map((l) => ({ ...l, maxBodyBytes: 16384 })),
    });
    // Every error page again in the location: one that sets any error_page inherits none from the server.
    assert.match(
      limited,
      /location = \/chocolates \{ client_max_body_size 16384; [^}]*error_page 413 \/_sweetshop_nginx_error\/413-16384; [^}]*error_page 502 \/_sweetshop_nginx_error\/502; [^}]*proxy_pass/,
    );
    assert.match(
      limited,
      /413-16384 \{ internal; client_max_body_size 0; return 413 '\{"error":"request body is larger than 16 KiB"\}\\n'; \}/,
    );
    // Broken twin: without a limit, no directive (nginx's 1 MiB default, which the replica reads and discards).
    assert.doesNotMatch(config, /location = \/chocolates \{ client_max_body_size/);
  });

  test('nginx own errors are JSON pages; replicas are never taken out by nginx; Host is never empty', () => {
    for (const code of [400, 405, 413, 414, 501, 502, 503, 504, 505]) {
      assert.match(config, new RegExp(`error_page ${code} /_sweetshop_nginx_error/${code};`));
      assert.match(config, new RegExp(`location = /_sweetshop_nginx_error/${code} \\{ internal; [^}]*return ${code} '\\{"error":`));
    }
    assert.doesNotMatch(config, /server 127\.0\.0\.1:\d+;/, 'every server has max_fails=0');
    assert.match(config, /map \$host \$sweetshop_host \{\n\s+'' localhost;/);
    assert.match(config, /proxy_set_header Host \$sweetshop_host;/);
  });

  test("a Deployment's MAX_BODY_BYTES is its limit; a value that is not bytes is refused, naming it", () => {
    assert.equal(deploymentBodyLimit({ name: 'cakes', env: [{ name: 'MAX_BODY_BYTES', value: '16384' }] }), 16384);
    assert.equal(deploymentBodyLimit({ name: 'cakes', env: [] }), undefined);
    assert.throws(
      () => deploymentBodyLimit({ name: 'cakes', env: [{ name: 'MAX_BODY_BYTES', value: '16k; return 200' }] }),
      /Deployment cakes: MAX_BODY_BYTES must be a number of bytes, got "16k; return 200"/,
    );
  });

  test('a location naming an unknown upstream is an error', () => {
    assert.throws(
      () => renderBalancerConfig({ ...INPUT, locations: [{ path: '/x', pathType: 'Prefix', upstream: 'fudge' }] }),
      /location \/x: no upstream fudge/,
    );
  });
});

describe('renderFrontConfig', () => {
  const config = renderFrontConfig({ prefix: '/tmp/sweetshop-local-test', listenPort: 8080, balancerPort: 41000 });

  test('listens on LOCAL_PORT and forwards everything to the balancer over keep-alive', () => {
    assert.match(config, /listen 127\.0\.0\.1:8080;/);
    assert.match(config, /upstream balancer \{[^}]*server 127\.0\.0\.1:41000 max_fails=0;[^}]*keepalive 320;/);
    assert.match(config, /location \/ \{[^}]*proxy_pass http:\/\/balancer;[^}]*proxy_set_header Connection "";/);
  });

  test('retries connection errors only (POST included), never timeouts: the balancer 502/404 answers pass through', () => {
    assert.match(config, /proxy_next_upstream error non_idempotent;/);
  });
});

describe('nginx configs with the real nginx', { skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light') }, () => {
  const prefix = mkdtempSync(join(tmpdir(), 'sweetshop-nginx-config-test-'));
  after(() => rmSync(prefix, { recursive: true, force: true }));

  const configs: Array<[string, () => string]> = [
    ['round-robin balancer', () => renderBalancerConfig({ ...INPUT, prefix, balance: 'round-robin' })],
    ['least-connections balancer', () => renderBalancerConfig({ ...INPUT, prefix, balance: 'least-connections' })],
    ['front', () => renderFrontConfig({ prefix, listenPort: 18080, balancerPort: 41000 })],
    [
      'body-limited balancer',
      () => renderBalancerConfig({ ...INPUT, prefix, locations: INPUT.locations.map((l) => ({ ...l, maxBodyBytes: 16384 })) }),
    ],
    ['body-limited front', () => renderFrontConfig({ prefix, listenPort: 18080, balancerPort: 41000, maxBodyBytes: 16384 })],
  ];
  for (const [name, render] of configs) {
    test(`nginx -t accepts the ${name} config`, () => {
      for (const dir of ['logs', 'temp']) mkdirSync(join(prefix, dir), { recursive: true });
      writeFileSync(join(prefix, 'nginx.conf'), render());
      const nginx = findExecutable('nginx')!;
      execFileSync(nginx, ['-p', prefix, '-e', join(prefix, 'logs', 'error.log'), '-c', join(prefix, 'nginx.conf'), '-t', '-q'], {
        stdio: 'pipe',
      });
    });
  }
});

describe('a body-limited balancer run by the real nginx', { skip: skipUnlessInstalled('nginx', 'apt-get install nginx-light') }, () => {
  const prefix = mkdtempSync(join(tmpdir(), 'sweetshop-nginx-run-test-'));
  let nginx: ChildProcess | undefined;
  let port = 0;
  after(() => {
    nginx?.kill('SIGQUIT');
    rmSync(prefix, { recursive: true, force: true });
  });

  test("its own 502 (no replica listening) and 413 on a limited section route are the replicas' JSON, not nginx's HTML", async () => {
    port = await ephemeralPort();
    const dead = await ephemeralPort(); // nothing listens there: nginx answers 502 itself
    for (const dir of ['logs', 'temp']) mkdirSync(join(prefix, dir), { recursive: true });
    const config = renderBalancerConfig({
      ...INPUT,
      prefix,
      listenPort: port,
      upstreams: [
        { name: 'chocolates', ports: [dead] },
        { name: 'cakes', ports: [dead] },
      ],
      locations: INPUT.locations.map((l) => ({ ...l, maxBodyBytes: 16384 })),
    });
    writeFileSync(join(prefix, 'nginx.conf'), config);
    nginx = spawn(
      findExecutable('nginx')!,
      ['-p', prefix, '-e', join(prefix, 'logs', 'error.log'), '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'],
      {
        stdio: 'ignore',
      },
    );
    assert.ok(await pollUntil(() => acceptsConnections(port), 5_000, 50), 'nginx listens');
    const badGateway = await fetch(`http://127.0.0.1:${port}/chocolates`);
    assert.equal(badGateway.status, 502);
    assert.match(badGateway.headers.get('content-type') ?? '', /application\/json/);
    assert.ok((await badGateway.json()).error, 'a JSON body with an error');
    const tooLarge = await fetch(`http://127.0.0.1:${port}/chocolates`, { method: 'POST', body: 'x'.repeat(20_000) });
    assert.equal(tooLarge.status, 413);
    assert.deepEqual(await tooLarge.json(), { error: 'request body is larger than 16 KiB' });
  });
});
