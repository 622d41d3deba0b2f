// The rules for manifest values that local mode writes into nginx.conf (Service names as upstream
// names, Ingress paths as locations) or hands to a process (Deployment names, env). nginx.conf has no
// quoting local mode could rely on: a value outside these rules is refused, never escaped.

// RFC 3986 "unreserved" characters only: no ; { } quotes, whitespace, $ (nginx variables), # or %.
// ingress-nginx's strict path validation (pathType Exact/Prefix) is stricter still: no dots or tildes.
const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Kubernetes' env var name rule before 1.34 relaxed it (IsEnvVarName).
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export const PLAIN_URL_PATH_RULE = 'use letters, digits and - . _ ~ between single slashes (local mode writes it into nginx.conf)';
export const DNS_1035_LABEL_RULE = 'lower-case letters, digits and -, starting with a letter, at most 63 characters';
export const DNS_1123_SUBDOMAIN_RULE = 'lower-case letters, digits, - and ., at most 253 characters';
export const ENV_VAR_NAME_RULE = 'letters, digits, - . _, not starting with a digit';

/**
 * `/`, `/cakes`, `/cakes/`, `/v1.2/cakes`: an absolute path of plain segments. `//`, `.` and `..`
 * segments are refused too: nginx normalizes request paths, so such a location would never match.
 */
export function isPlainUrlPath(path: string): boolean {
  if (!path.startsWith('/')) return false;
  const segments = path.slice(1).split('/');
  if (segments.at(-1) === '') segments.pop(); // one trailing slash
  return segments.every((s) => PATH_SEGMENT.test(s) && s !== '.' && s !== '..');
}

/** What Kubernetes requires of a Service name; nginx takes it as an upstream name. */
export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && DNS_1035_LABEL.test(name);
}

/** What Kubernetes requires of most object names (Deployment, Ingress, HPA). */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && name.split('.').every((label) => label.length <= 63 && DNS_1123_LABEL.test(label));
}

export function isEnvVarName(name: string): boolean {
  return ENV_VAR_NAME.test(name);
}
