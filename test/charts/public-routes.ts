/**
 * Test helper: what the rendered routing objects expose to the outside, and which of them a request path
 * takes, by the path-matching rules of the Kubernetes Ingress API and the Gateway API.
 */
import type { Manifest } from './render.ts';

export interface PublicRoute {
  /** `Ingress/<name>` or `HTTPRoute/<name>`. */
  readonly owner: string;
  readonly match: 'Prefix' | 'Exact';
  readonly path: string;
  /** The Service the route forwards to. */
  readonly service: string;
}

/** Every path an Ingress or HTTPRoute in `manifests` routes, with its backend Service. */
export function publicRoutes(manifests: readonly Manifest[]): PublicRoute[] {
  return manifests.flatMap((m) => {
    if (m.kind === 'Ingress') return ingressRoutes(m);
    if (m.kind === 'HTTPRoute') return httpRouteRoutes(m);
    return [];
  });
}

function ingressRoutes(ingress: Manifest): PublicRoute[] {
  const owner = `Ingress/${ingress.metadata.name}`;
  if (ingress.spec.defaultBackend) throw new Error(`${owner}: a defaultBackend routes every path`);
  return (ingress.spec.rules ?? []).flatMap((rule: any) =>
    (rule.http?.paths ?? []).map((entry: any) => {
      if (entry.pathType !== 'Prefix' && entry.pathType !== 'Exact') {
        throw new Error(`${owner}: pathType ${entry.pathType} is controller-specific; cannot tell what it exposes`);
      }
      return { owner, match: entry.pathType, path: entry.path, service: entry.backend.service.name };
    }),
  );
}

function httpRouteRoutes(route: Manifest): PublicRoute[] {
  const owner = `HTTPRoute/${route.metadata.name}`;
  return (route.spec.rules ?? []).flatMap((rule: any) => {
    const services: string[] = (rule.backendRefs ?? []).map((ref: any) => ref.name);
    // A rule without matches matches every request (the Gateway API defaults to PathPrefix /).
    const matches: any[] = rule.matches?.length ? rule.matches : [{ path: { type: 'PathPrefix', value: '/' } }];
    return matches.flatMap((match) => {
      const path = match.path ?? { type: 'PathPrefix', value: '/' };
      if (path.type !== 'PathPrefix' && path.type !== 'Exact')
        throw new Error(`${owner}: path type ${path.type}; cannot tell what it exposes`);
      const kind: PublicRoute['match'] = path.type === 'Exact' ? 'Exact' : 'Prefix';
      return services.map((service) => ({ owner, match: kind, path: path.value ?? '/', service }));
    });
  });
}

/**
 * The route a request for `path` takes: an Exact match first, else the longest Prefix that matches element
 * by element (`/chocolates` matches `/chocolates` and `/chocolates/x`, never `/chocolatesx`), as both APIs
 * specify. `path` is what the controller matches on: decoded, dot segments resolved.
 */
export function routeFor(routes: readonly PublicRoute[], path: string): PublicRoute | undefined {
  const exact = routes.find((route) => route.match === 'Exact' && route.path === path);
  if (exact) return exact;
  const elements = (text: string) => text.split('/').filter((element) => element !== '');
  const request = elements(path);
  const prefixes = routes
    .filter((route) => route.match === 'Prefix')
    .filter((route) => elements(route.path).every((element, index) => request[index] === element))
    .sort((a, b) => elements(b.path).length - elements(a.path).length);
  return prefixes[0];
}

/**
 * The path nginx matches a raw request path on: percent-decoded, repeated slashes merged (merge_slashes is on
 * by default), dot segments resolved. The upstream still receives the raw path.
 */
export function normalizedPath(raw: string): string {
  const merged = decodeURIComponent(raw).replace(/\/{2,}/g, '/');
  return new URL(`http://controller.invalid${merged}`).pathname;
}
