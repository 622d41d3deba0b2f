// The host-port checks cluster:up runs before `kind create cluster`, against real listeners on free
// loopback ports (never 80, 443 or 8080 themselves).
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { after, describe, test } from 'node:test';

import {
  assertPortsFree,
  assertRootlessCanPublish,
  ingressUrl,
  parseHostPorts,
  portHolder,
  unprivilegedPortStart,
} from '../../tools/cluster/host-ports.ts';

const servers: Server[] = [];
after(() => {
  for (const server of servers) server.close();
});

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** An nginx look-alike: answers every request with its Server header. */
function fakeNginx(): Promise<number> {
  return listen(
    createHttpServer((_req, res) => {
      res.setHeader('Server', 'nginx/1.22.1');
      res.end('Welcome to nginx!');
    }),
  );
}

/** A listener that accepts connections and never says anything. */
function silentListener(): Promise<number> {
  return listen(createServer(() => {}));
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('--host-ports', () => {
  test('two different ports as <http>,<https>', () => {
    assert.deepEqual(parseHostPorts('8080,8443'), { http: 8080, https: 8443 });
    for (const bad of ['8080', '8080,8080', '0,443', '80,65536', '80,https', '80,443,8443', '']) {
      assert.throws(() => parseHostPorts(bad), {
        message: `--host-ports must be two different ports from 1 to 65535 as <http>,<https> (e.g. 8080,8443), got '${bad}'`,
      });
    }
  });

  test('the ingress URL carries the port unless it is 80', () => {
    assert.equal(ingressUrl({ http: 80, https: 443 }), 'http://127.0.0.1');
    assert.equal(ingressUrl({ http: 8080, https: 8443 }), 'http://127.0.0.1:8080');
  });
});

describe('who holds a port', () => {
  test('a free port: nobody', async () => {
    assert.equal(await portHolder(await freePort()), undefined);
  });

  test('an HTTP server is named by its Server header', async () => {
    assert.equal(await portHolder(await fakeNginx()), 'an HTTP server (Server: nginx/1.22.1)');
  });

  test('a listener that does not speak HTTP is still found', async () => {
    assert.equal(await portHolder(await silentListener()), 'a process that does not answer HTTP');
  });
});

describe('the ports check before kind create cluster', () => {
  test('both free: passes', async () => {
    await assertPortsFree({ http: await freePort(), https: await freePort() });
  });

  test("a taken port: one line naming it, its holder, how to see it, Debian's nginx fix and the alternative ports", async () => {
    const taken = await fakeNginx();
    const free = await freePort();
    await assert.rejects(assertPortsFree({ http: taken, https: free }, 'linux'), {
      message:
        `127.0.0.1:${taken} is taken by an HTTP server (Server: nginx/1.22.1); see it with: sudo ss -ltnp 'sport = :${taken}'. ` +
        "Free the port (Debian's nginx package: sudo systemctl disable --now nginx), or publish the ingress on other ports: " +
        'npm run cluster:up -- --host-ports 8080,8443',
    });
  });

  test('both taken, on macOS: both named on the same line, with lsof', async () => {
    const [http, https] = [await silentListener(), await silentListener()];
    await assert.rejects(assertPortsFree({ http, https }, 'darwin'), (error: Error) => {
      assert.equal(error.message.split('\n').length, 1);
      assert.match(
        error.message,
        new RegExp(
          `^127\\.0\\.0\\.1:${http} is taken by a process that does not answer HTTP; see it with: sudo lsof -nP -iTCP:${http} -sTCP:LISTEN; 127\\.0\\.0\\.1:${https} is taken`,
        ),
      );
      assert.doesNotMatch(error.message, /systemctl/);
      return true;
    });
  });
});

describe('rootless runtimes', () => {
  test('ports below the unprivileged start are refused with the ports that work and the sysctl', () => {
    assert.throws(() => assertRootlessCanPublish('podman', { http: 80, https: 443 }, 1024), {
      message:
        'podman runs rootless and this host lets unprivileged processes bind ports from 1024 up ' +
        '(net.ipv4.ip_unprivileged_port_start), so kind cannot publish 127.0.0.1:80 and 127.0.0.1:443: ' +
        'npm run cluster:up -- --host-ports 8080,8443 (smoke follows them), or sudo sysctl net.ipv4.ip_unprivileged_port_start=80',
    });
  });

  test('ports at or above the start, or a host where it cannot be read (macOS), pass', () => {
    assertRootlessCanPublish('podman', { http: 8080, https: 8443 }, 1024);
    assertRootlessCanPublish('docker', { http: 80, https: 443 }, 80);
    assertRootlessCanPublish('podman', { http: 80, https: 443 }, undefined);
  });

  test("the start is read from Linux's sysctl file, undefined when it is missing", () => {
    assert.equal(unprivilegedPortStart('/nonexistent/ip_unprivileged_port_start'), undefined);
    if (process.platform === 'linux') assert.ok(Number.isInteger(unprivilegedPortStart()));
  });
});
