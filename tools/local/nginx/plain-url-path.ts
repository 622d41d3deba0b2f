// The rule for the paths local mode writes into nginx.conf as locations (Ingress paths, HTTPRoute
// matches). nginx.conf has no quoting local mode could rely on: a path outside it is refused, never
// escaped. Names (Service, Deployment, env) follow Kubernetes' rules, config/kubernetes-names.ts.

// RFC 3986 "unreserved" characters only: no ; { } quotes, whitespace, $ (nginx variables), # or %.
// ingress-nginx's strict path validation (pathType Exact/Prefix) is stricter still: no dots or tildes.
const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;

export const PLAIN_URL_PATH_RULE = 'use letters, digits and - . _ ~ between single slashes (local mode writes it into nginx.conf)';

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
