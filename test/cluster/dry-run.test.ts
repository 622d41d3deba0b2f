// The exact sequences of every cluster step, for both providers: what `--dry-run` prints is what the
// runner executes (both come from the same runbook), probes and checks included.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import { local } from '../../config/environments/local.ts';
import { runbookFor } from '../../tools/cluster/cli.ts';
import { describeRunbook } from '../../tools/cluster/runbook.ts';
import { upRunbook } from '../../tools/cluster/up.ts';
import { withRouting } from '../charts/render.ts';

/** An empty .cluster/ home: no earlier cluster:up, so smoke uses the default ports. */
const root = mkdtempSync(join(tmpdir(), 'sweetshop-dry-run-'));
after(() => rmSync(root, { recursive: true, force: true }));

function dryRun(...args: string[]): string[] {
  return dryRunIn({}, ...args);
}

/** The dry run with these variables as the whole process environment. */
function dryRunIn(processEnv: NodeJS.ProcessEnv, ...args: string[]): string[] {
  const parsed = runbookFor([...args, '--dry-run'], { processEnv, root });
  assert.notEqual(parsed, 'help');
  if (parsed === 'help') return [];
  assert.equal(parsed.dryRun, true);
  return describeRunbook(parsed.runbook);
}

const INGRESS_NGINX =
  'https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml';
const F5_NGINX_INGRESS = 'tools/cluster/f5-nginx-ingress.yaml';
const NO_INGRESS_NGINX_CLASS = (context: string) =>
  `kubectl --context ${context} get ingressclass nginx --ignore-not-found '--output=jsonpath={.spec.controller}'` +
  '  # no IngressClass nginx of k8s.io/ingress-nginx (ingress-nginx, retired)';
const METRICS_SERVER = 'https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.8.1/components.yaml';
const ENVOY_GATEWAY = 'https://github.com/envoyproxy/gateway/releases/download/v1.9.1/install.yaml';
const INSECURE_TLS_PATCH = `'[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'`;
const NODE_IMAGE = 'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5';

describe('cluster:up', () => {
  test('on kind: probes and checks first, the cluster unless it exists, the patch unless applied, then waits', () => {
    assert.deepEqual(dryRun('up', '--provider', 'kind'), [
      'kind version  # must be v0.33.0 or later',
      "# check: kind's node runtime (KIND_EXPERIMENTAL_PROVIDER, else docker, nerdctl/finch, podman as kind finds them) answers `info`",
      'kind get clusters  # unless it lists sweetshop:',
      '  # check: 127.0.0.1:80 and 127.0.0.1:443 are free, and publishable by a rootless runtime',
      `  # write .cluster/kind-config.yaml: tools/cluster/kind-config.yaml (node image ${NODE_IMAGE}) with host ports 127.0.0.1:80, 127.0.0.1:443`,
      '  kind create cluster --name sweetshop --config .cluster/kind-config.yaml --wait 120s',
      "# check: .cluster/kind-config.yaml publishes node port 80, where an Ingress (the controller's hostPort 80) listens",
      NO_INGRESS_NGINX_CLASS('kind-sweetshop'),
      `kubectl --context kind-sweetshop apply --filename ${F5_NGINX_INGRESS}`,
      'kubectl --context kind-sweetshop --namespace kube-system get deployment metrics-server --ignore-not-found --output=name' +
        '  # unless it prints deployment.apps/metrics-server:',
      `  kubectl --context kind-sweetshop apply --filename ${METRICS_SERVER}`,
      "kubectl --context kind-sweetshop --namespace kube-system get deployment metrics-server --output 'jsonpath={.spec.template.spec.containers[0].args[*]}'  # unless it has --kubelet-insecure-tls:",
      `  kubectl --context kind-sweetshop --namespace kube-system patch deployment metrics-server --type=json --patch ${INSECURE_TLS_PATCH}`,
      'kubectl --context kind-sweetshop --namespace nginx-ingress rollout status daemonset/nginx-ingress --timeout=180s',
      'kubectl --context kind-sweetshop --namespace kube-system rollout status deployment/metrics-server --timeout=180s',
    ]);
  });

  test('--host-ports changes the checked ports and the written config, nothing else', () => {
    const lines = dryRun('up', '--host-ports', '8080,8443');
    assert.equal(lines[3], '  # check: 127.0.0.1:8080 and 127.0.0.1:8443 are free, and publishable by a rootless runtime');
    assert.match(lines[4] ?? '', / with host ports 127\.0\.0\.1:8080, 127\.0\.0\.1:8443$/);
    assert.deepEqual([...lines.slice(0, 3), ...lines.slice(5)], [...dryRun('up').slice(0, 3), ...dryRun('up').slice(5)]);
  });

  test("on minikube: Calico (so NetworkPolicies are enforced), F5's controller from the same manifest (not the ingress addon: that is ingress-nginx), metrics-server, then waits", () => {
    assert.deepEqual(dryRun('up', '--provider', 'minikube'), [
      'minikube --profile sweetshop start --cni=calico --kubernetes-version=v1.37.0',
      NO_INGRESS_NGINX_CLASS('sweetshop'),
      `kubectl --context sweetshop apply --filename ${F5_NGINX_INGRESS}`,
      'minikube --profile sweetshop addons enable metrics-server',
      'kubectl --context sweetshop --namespace nginx-ingress rollout status daemonset/nginx-ingress --timeout=180s',
      'kubectl --context sweetshop --namespace kube-system rollout status deployment/metrics-server --timeout=180s',
    ]);
  });

  test('an environment naming the retired ingress-nginx still gets it: its final kind manifest, or the minikube addon', () => {
    const retired = withRouting(local, {
      ingress: { ...local.ingress!, controller: 'ingress-nginx', controllerNamespace: 'ingress-nginx' },
    });
    const onKind = describeRunbook(upRunbook('kind', retired, { env: {} }));
    const defaultOnKind = dryRun('up', '--provider', 'kind');
    assert.deepEqual(onKind.slice(0, 7), defaultOnKind.slice(0, 7));
    assert.deepEqual(onKind.slice(7, 8), [`kubectl --context kind-sweetshop apply --filename ${INGRESS_NGINX}`]);
    assert.equal(
      onKind.at(-2),
      'kubectl --context kind-sweetshop --namespace ingress-nginx rollout status deployment/ingress-nginx-controller --timeout=180s',
    );
    assert.deepEqual(describeRunbook(upRunbook('minikube', retired)), [
      'minikube --profile sweetshop start --cni=calico --kubernetes-version=v1.37.0',
      'minikube --profile sweetshop addons enable ingress',
      'minikube --profile sweetshop addons enable metrics-server',
      'kubectl --context sweetshop --namespace ingress-nginx rollout status deployment/ingress-nginx-controller --timeout=180s',
      'kubectl --context sweetshop --namespace kube-system rollout status deployment/metrics-server --timeout=180s',
    ]);
  });

  test('kind is the default provider', () => {
    assert.deepEqual(dryRun('up'), dryRun('up', '--provider', 'kind'));
  });
});

describe('cluster:up for Gateway API routing (--env local-gateway)', () => {
  const classWrite =
    '# write .cluster/envoy-gateway-class.yaml: GatewayClass eg (Envoy Gateway) with an EnvoyProxy: proxy Service NodePort 30080';

  test("on kind: host ports map to Envoy's node ports, Envoy Gateway server-side, then its GatewayClass once it runs", () => {
    const lines = dryRun('up', '--provider', 'kind', '--env', 'local-gateway');
    assert.deepEqual(lines.slice(0, 3), dryRun('up').slice(0, 3), 'the same kind checks');
    assert.deepEqual(lines.slice(3), [
      '  # check: 127.0.0.1:80 and 127.0.0.1:443 are free, and publishable by a rootless runtime',
      `  # write .cluster/kind-config.yaml: tools/cluster/kind-config.yaml (node image ${NODE_IMAGE}) with host ports 127.0.0.1:80, 127.0.0.1:443 -> node ports 30080, 30443`,
      '  kind create cluster --name sweetshop --config .cluster/kind-config.yaml --wait 120s',
      "# check: .cluster/kind-config.yaml publishes node port 30080, where Gateway API (Envoy's NodePort 30080) listens",
      `kubectl --context kind-sweetshop apply --server-side --filename ${ENVOY_GATEWAY}`,
      'kubectl --context kind-sweetshop --namespace kube-system get deployment metrics-server --ignore-not-found --output=name' +
        '  # unless it prints deployment.apps/metrics-server:',
      `  kubectl --context kind-sweetshop apply --filename ${METRICS_SERVER}`,
      "kubectl --context kind-sweetshop --namespace kube-system get deployment metrics-server --output 'jsonpath={.spec.template.spec.containers[0].args[*]}'  # unless it has --kubelet-insecure-tls:",
      `  kubectl --context kind-sweetshop --namespace kube-system patch deployment metrics-server --type=json --patch ${INSECURE_TLS_PATCH}`,
      'kubectl --context kind-sweetshop --namespace envoy-gateway-system rollout status deployment/envoy-gateway --timeout=180s',
      classWrite,
      'kubectl --context kind-sweetshop apply --filename .cluster/envoy-gateway-class.yaml',
      'kubectl --context kind-sweetshop --namespace kube-system rollout status deployment/metrics-server --timeout=180s',
    ]);
  });

  test('on minikube: Calico, Envoy Gateway server-side instead of the ingress addon, metrics-server, then the GatewayClass', () => {
    assert.deepEqual(dryRun('up', '--provider', 'minikube', '--env', 'local-gateway'), [
      'minikube --profile sweetshop start --cni=calico --kubernetes-version=v1.37.0',
      `kubectl --context sweetshop apply --server-side --filename ${ENVOY_GATEWAY}`,
      'minikube --profile sweetshop addons enable metrics-server',
      'kubectl --context sweetshop --namespace envoy-gateway-system rollout status deployment/envoy-gateway --timeout=180s',
      classWrite,
      'kubectl --context sweetshop apply --filename .cluster/envoy-gateway-class.yaml',
      'kubectl --context sweetshop --namespace kube-system rollout status deployment/metrics-server --timeout=180s',
    ]);
  });

  test('an environment on an existing Gateway is refused: cluster:up would not create that Gateway', () => {
    assert.throws(() => dryRun('up', '--env', 'production'), {
      message:
        'production.gateway attaches to the existing Gateway gateway-infra/public, which cluster:up does not create: ' +
        'use --env local-gateway (it renders its own Gateway), or create that Gateway first',
    });
  });

  test('deploy waits for the rendered Gateway to be programmed after the rollouts', () => {
    const lines = dryRun('deploy', '--env', 'local-gateway');
    assert.ok(lines.includes('npm run --silent synth -- --env local-gateway --out .cluster/manifests/local-gateway'), lines.join('\n'));
    assert.equal(
      lines.at(-1),
      'kubectl --context kind-sweetshop --namespace sweetshop wait --for=condition=Programmed gateway/sweetshop --timeout=180s',
    );
    const production = dryRun('deploy', '--env', 'production');
    assert.ok(!production.some((line) => line.includes('condition=Programmed')), 'no Gateway of its own to wait for');
    assert.match(production.at(-1)!, /rollout status deployment\/cakes /);
  });

  test("smoke: kind's mapped host port as for an Ingress; minikube's node IP on Envoy's NodePort", () => {
    assert.equal(dryRun('smoke', '--env', 'local-gateway')[0], 'GET http://127.0.0.1/chocolates x12 (prints X-Served-By per replica)');
    assert.deepEqual(dryRun('smoke', '--provider', 'minikube', '--env', 'local-gateway', '--requests', '2').slice(0, 2), [
      'minikube --profile sweetshop ip',
      'GET http://$(minikube --profile sweetshop ip):30080/chocolates x2 (prints X-Served-By per replica)',
    ]);
  });
});

describe('cluster:load', () => {
  const dockerBuilds = ['chocolates', 'candies', 'cakes'].map(
    (section) => `docker build --file service/Dockerfile --build-arg SHOP_SECTION=${section} --tag sweetshop/${section}:0.1.0 .`,
  );

  test('on kind with docker: builds the three images named by the local environment, then kind load docker-image', () => {
    assert.deepEqual(dryRun('load', '--provider', 'kind', '--builder', 'docker'), [
      ...dockerBuilds,
      'kind load docker-image --name sweetshop sweetshop/chocolates:0.1.0',
      'kind load docker-image --name sweetshop sweetshop/candies:0.1.0',
      'kind load docker-image --name sweetshop sweetshop/cakes:0.1.0',
    ]);
  });

  test('on minikube with docker: builds, then minikube image load', () => {
    assert.deepEqual(dryRun('load', '--provider', 'minikube', '--builder', 'docker'), [
      ...dockerBuilds,
      'minikube --profile sweetshop image load sweetshop/chocolates:0.1.0',
      'minikube --profile sweetshop image load sweetshop/candies:0.1.0',
      'minikube --profile sweetshop image load sweetshop/cakes:0.1.0',
    ]);
  });

  test('with podman: saves docker.io-qualified archives (the name the cluster resolves) and loads those', () => {
    const lines = dryRun('load', '--provider', 'kind', '--builder', 'podman');
    assert.equal(lines[0], 'podman build --file service/Dockerfile --build-arg SHOP_SECTION=chocolates --tag sweetshop/chocolates:0.1.0 .');
    assert.deepEqual(lines.slice(3, 7), [
      'mkdir -p .cluster/images',
      'podman tag sweetshop/chocolates:0.1.0 docker.io/sweetshop/chocolates:0.1.0',
      'podman save --format docker-archive --output .cluster/images/chocolates.tar docker.io/sweetshop/chocolates:0.1.0',
      'kind load image-archive --name sweetshop .cluster/images/chocolates.tar',
    ]);
    assert.equal(lines.length, 3 + 1 + 3 * 3);
    assert.equal(
      dryRun('load', '--provider', 'minikube', '--builder', 'podman').at(-1),
      'minikube --profile sweetshop image load .cluster/images/cakes.tar',
    );
  });

  test('kind on podman (KIND_EXPERIMENTAL_PROVIDER) builds with podman and loads archives, whatever docker is installed', () => {
    const lines = dryRunIn({ KIND_EXPERIMENTAL_PROVIDER: 'podman' }, 'load');
    assert.match(lines[0] ?? '', /^podman build /);
    assert.equal(lines.at(-1), 'kind load image-archive --name sweetshop .cluster/images/cakes.tar');
  });

  test('--builder docker with kind on podman is refused: kind load docker-image would look in podman', () => {
    assert.throws(() => dryRunIn({ KIND_EXPERIMENTAL_PROVIDER: 'podman' }, 'load', '--builder', 'docker'), {
      message:
        'kind runs on podman here (KIND_EXPERIMENTAL_PROVIDER=podman), so `kind load docker-image` would look for the images in podman: use --builder podman',
    });
  });

  test('buildah is refused with the builders that work', () => {
    assert.throws(() => dryRun('load', '--builder', 'buildah'), {
      message: 'buildah images cannot be handed to kind/minikube directly: use --builder docker or --builder podman',
    });
  });
});

describe('deploy', () => {
  const ID = 'applyset-vA5HMZkz3J-UN8j8vWaPlyj6o4E1kRCC4P2X_IwDLf4-v1';
  const APPLY = 'apply --server-side --prune --applyset=secrets/sweetshop-applyset';
  for (const [provider, context] of [
    ['kind', 'kind-sweetshop'],
    ['minikube', 'sweetshop'],
  ] as const) {
    test(`on ${provider}: the committed dist/ (checked current), the diff, what pruning deletes (guarded), then the pruning apply`, () => {
      assert.deepEqual(dryRun('deploy', '--provider', provider), [
        'kubectl version --client --output=json  # must be v1.27 or later (--applyset)',
        `kubectl config get-contexts ${context} --output=name --no-headers  # must list ${context}`,
        '# check: dist/ is what the local environment renders now (else: npm run synth, review, commit)',
        `kubectl --context ${context} get namespace sweetshop --ignore-not-found --output=name  # unless it prints namespace/sweetshop:`,
        `  kubectl --context ${context} create namespace sweetshop`,
        "# Deployments in sweetshop whose immutable spec.selector differs from dist/ (another environment's) are deleted before the diff, with --yes or a yes at the prompt",
        `# write .cluster/diff/local.k8s.yaml: dist/ with the label the apply adds to every object (applyset.kubernetes.io/part-of=${ID})`,
        `kubectl --context ${context} diff --server-side --filename .cluster/diff/local.k8s.yaml  # exit 1 means it found differences (printed); nothing is changed`,
        `KUBECTL_APPLYSET=true kubectl --context ${context} --namespace sweetshop ${APPLY} --dry-run=server --filename dist` +
          '  # lists the objects --prune would delete from the cluster; needs --yes or a yes at the prompt',
        `KUBECTL_APPLYSET=true kubectl --context ${context} --namespace sweetshop ${APPLY} --filename dist`,
        `kubectl --context ${context} --namespace sweetshop rollout status deployment/chocolates --timeout=180s`,
        `kubectl --context ${context} --namespace sweetshop rollout status deployment/candies --timeout=180s`,
        `kubectl --context ${context} --namespace sweetshop rollout status deployment/cakes --timeout=180s`,
      ]);
    });
  }

  test('another environment is synthesized into .cluster/manifests/<env> (never dist/) and applied from there', () => {
    const lines = dryRun('deploy', '--env', 'production');
    assert.deepEqual(lines.slice(3, 5), [
      'mkdir -p .cluster/manifests',
      'npm run --silent synth -- --env production --out .cluster/manifests/production',
    ]);
    assert.equal(
      lines[11],
      `KUBECTL_APPLYSET=true kubectl --context kind-sweetshop --namespace sweetshop ${APPLY} --filename .cluster/manifests/production`,
    );
    assert.ok(
      lines.every((line) => !/\bdist\b/.test(line)),
      'dist/ is not involved',
    );
  });

  test("an environment on an existing Gateway (production's platform one) first checks this cluster has it", () => {
    assert.equal(
      dryRun('deploy', '--env', 'production')[2],
      'kubectl --context kind-sweetshop --namespace gateway-infra get gateways.gateway.networking.k8s.io public --ignore-not-found --output=name' +
        '  # must print gateway.gateway.networking.k8s.io/public',
    );
    assert.ok(
      !dryRun('deploy', '--env', 'local-gateway').some((line) => line.includes('gateway-infra')),
      'a rendered Gateway needs no probe',
    );
  });

  test('--yes approves the deletions up front; it is refused on any other step', () => {
    assert.match(
      dryRun('deploy', '--yes')[8] ?? '',
      /--dry-run=server --filename dist {2}# lists the objects --prune would delete from the cluster; --yes given: no question$/,
    );
    assert.throws(() => dryRun('up', '--yes'), { message: '--yes applies to deploy only (it allows the deletions pruning lists)' });
  });
});

describe('smoke', () => {
  test('on kind: requests every section through the port-mapped ingress on 127.0.0.1', () => {
    assert.deepEqual(dryRun('smoke', '--provider', 'kind'), [
      'GET http://127.0.0.1/chocolates x12 (prints X-Served-By per replica)',
      'GET http://127.0.0.1/candies x12 (prints X-Served-By per replica)',
      'GET http://127.0.0.1/cakes x12 (prints X-Served-By per replica)',
    ]);
  });

  test('on minikube: asks minikube for the node IP first', () => {
    assert.deepEqual(dryRun('smoke', '--provider', 'minikube', '--requests', '5'), [
      'minikube --profile sweetshop ip',
      'GET http://$(minikube --profile sweetshop ip)/chocolates x5 (prints X-Served-By per replica)',
      'GET http://$(minikube --profile sweetshop ip)/candies x5 (prints X-Served-By per replica)',
      'GET http://$(minikube --profile sweetshop ip)/cakes x5 (prints X-Served-By per replica)',
    ]);
  });

  test('an environment with a host (production: on its HTTPRoute) prints the Host header', () => {
    assert.equal(
      dryRun('smoke', '--env', 'production', '--requests', '1')[0],
      "GET http://127.0.0.1/chocolates -H 'Host: shop.example.com' x1 (prints X-Served-By per replica)",
    );
  });

  test('--url replaces the provider default (e.g. minikube tunnel on Docker Desktop)', () => {
    assert.deepEqual(dryRun('smoke', '--provider', 'minikube', '--url', 'http://127.0.0.1:8080/'), [
      'GET http://127.0.0.1:8080/chocolates x12 (prints X-Served-By per replica)',
      'GET http://127.0.0.1:8080/candies x12 (prints X-Served-By per replica)',
      'GET http://127.0.0.1:8080/cakes x12 (prints X-Served-By per replica)',
    ]);
  });
});

describe('cluster:down', () => {
  test('deletes only the sweetshop cluster', () => {
    assert.deepEqual(dryRun('down', '--provider', 'kind'), ['kind delete cluster --name sweetshop']);
    assert.deepEqual(dryRun('down', '--provider', 'minikube'), ['minikube --profile sweetshop delete']);
  });
});

describe('bad arguments', () => {
  test('name the argument, the allowed values and what was given', () => {
    assert.throws(() => dryRun('up', '--provider', 'k3d'), { message: "--provider must be one of kind, minikube, kwok, got 'k3d'" });
    assert.throws(() => dryRun('launch'), { message: "unknown step 'launch': choose one of up, load, deploy, smoke, down" });
    assert.throws(() => dryRun('smoke', '--requests', 'many'), { message: "--requests must be an integer from 1 to 1000, got 'many'" });
    assert.throws(() => dryRun('deploy', '--env', 'staging'), /unknown environment 'staging'/);
    assert.throws(() => dryRun('up', '--host-ports', '80'), /^Error: --host-ports must be two different ports/);
    assert.throws(() => dryRun('up', '--provider', 'minikube', '--host-ports', '8080,8443'), {
      message: '--host-ports applies to cluster:up on kind only (smoke reads them from .cluster/kind-config.yaml)',
    });
    assert.throws(() => dryRun('smoke', '--host-ports', '8080,8443'), /^Error: --host-ports applies to cluster:up on kind only/);
  });
});

test('the npm script prints the same sequence and runs nothing', () => {
  const stdout = execFileSync(process.execPath, ['tools/cluster/main.ts', 'up', '--provider', 'minikube', '--dry-run'], {
    encoding: 'utf8',
    env: { ...process.env, PATH: '/nonexistent' }, // nothing could run even if it tried
  });
  assert.deepEqual(stdout.trim().split('\n'), dryRun('up', '--provider', 'minikube'));
});

describe('--provider kwok', () => {
  const inRoot = (lines: string[]) => lines.map((line) => line.replaceAll(root, '<root>'));
  const kubectl = '.control-plane/bin/kubectl --context kwok-sweetshop';
  const kwokctl = 'KWOK_WORKDIR=<root>/.cluster/kwok PATH=.control-plane/bin:$PATH .control-plane/bin/kwokctl --name sweetshop --v=WARN';

  test('cluster:up builds what is missing, starts the control plane, then adds nodes, CRDs, the platform and Envoy Gateway', () => {
    const lines = inRoot(dryRun('up', '--provider', 'kwok'));
    assert.deepEqual(lines.slice(0, 10), [
      'npm run --silent control-plane:build',
      '# write <root>/.cluster/kwok/kwokctl.yaml: kwokctl configuration (programs from .control-plane/bin)',
      `${kwokctl} --config <root>/.cluster/kwok/kwokctl.yaml create cluster --wait 120s`,
      `${kubectl} get --raw /readyz  # must print ok (kwokctl create exits 0 even when its wait timed out)`,
      '# write <root>/.cluster/kwok/nodes.yaml: fake nodes, 2 in each of 3 zone(s) (tools/cluster/kwok-nodes.ts)',
      `${kubectl} apply --server-side --filename <root>/.cluster/kwok/nodes.yaml`,
      `${kubectl} wait --for=condition=Ready nodes --all --timeout=60s`,
      `${kubectl} wait --for=condition=Available apiservice/v1beta1.metrics.k8s.io --timeout=180s`,
      `${kubectl} apply --server-side --filename .control-plane/manifests/gateway-api-crds --filename .control-plane/manifests/envoy-gateway-crds --filename crds/prometheus-operator-v0.93.0`,
      `${kubectl} wait --for=condition=Established crd --all --timeout=60s`,
    ]);
    assert.ok(lines.includes(`${kubectl} apply --server-side --filename <root>/.cluster/kwok/platform.yaml`));
    assert.match(lines.at(-2) ?? '', /^# start Envoy Gateway's controller in the background unless it runs/);
    assert.equal(lines.at(-1), `${kubectl} --namespace gateway-infra wait --for=condition=Programmed gateway/public --timeout=60s`);
  });

  test('cluster:down stops Envoy Gateway, deletes the cluster, then its folder', () => {
    assert.deepEqual(inRoot(dryRun('down', '--provider', 'kwok')), [
      "# stop Envoy Gateway's controller if it runs (pid <root>/.cluster/kwok/envoy-gateway/envoy-gateway.pid)",
      `${kwokctl} delete cluster`,
      '# remove <root>/.cluster/kwok (the configuration, nodes, certificates and logs cluster:up wrote)',
    ]);
  });

  test('deploy uses the kubectl built with the control plane; what needs containers is refused', () => {
    const lines = dryRun('deploy', '--provider', 'kwok', '--env', 'production');
    assert.equal(
      lines[1],
      `${kubectl.replace(' --context kwok-sweetshop', '')} config get-contexts kwok-sweetshop --output=name --no-headers  # must list kwok-sweetshop`,
    );
    assert.ok(lines.slice(1).every((line) => line.startsWith('#') || line.startsWith('  ') || !line.startsWith('kubectl ')));
    assert.throws(
      () => dryRun('load', '--provider', 'kwok'),
      /^Error: cluster:load does not apply to --provider kwok: its pods run no containers/,
    );
    assert.throws(() => dryRun('smoke', '--provider', 'kwok'), /^Error: smoke does not apply to --provider kwok/);
    assert.throws(() => dryRun('up', '--provider', 'kwok', '--monitoring'), /^Error: --monitoring does not apply to --provider kwok/);
  });
});
