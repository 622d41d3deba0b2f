import { findExecutable } from '../lib/find-executable.ts';

/** Where to get each tool the cluster steps call; npm and mkdir come with Node and the OS. */
const INSTALL_HINTS: Readonly<Record<string, string>> = {
  docker: 'https://docs.docker.com/get-docker/',
  podman: 'https://podman.io/docs/installation',
  nerdctl: 'https://github.com/containerd/nerdctl#install',
  finch: 'https://runfinch.com/docs/getting-started/installation/',
  kind: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  minikube: 'https://minikube.sigs.k8s.io/docs/start/',
  kubectl: 'https://kubernetes.io/docs/tasks/tools/',
  helm: 'https://helm.sh/docs/intro/install/',
};

/**
 * One line naming every missing tool and where to get it, or undefined when all are installed.
 * Tools without an install hint (npm, mkdir) come with Node and the OS and are not checked.
 */
export function missingToolsMessage(
  tools: readonly string[],
  find: (tool: string) => string | undefined = (tool) => findExecutable(tool),
): string | undefined {
  const missing = tools.filter((tool) => INSTALL_HINTS[tool] !== undefined && find(tool) === undefined);
  const [only] = missing;
  if (only === undefined) return undefined;
  if (missing.length === 1) return `${only} is not installed: install it from ${INSTALL_HINTS[only]}`;
  const names = `${missing.slice(0, -1).join(', ')} and ${missing.at(-1)}`;
  return `${names} are not installed: install ${missing.map((tool) => `${tool} from ${INSTALL_HINTS[tool]}`).join(', ')}`;
}
