/** One parsed manifest object, as read-manifests.ts passes it. */
interface ManifestObject {
  readonly kind: string;
  readonly name: string;
  readonly source: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * Why a route's backend Service is not one local mode can run: a Service without a selector (its
 * endpoints come from elsewhere: an EndpointSlice, an ExternalName) is there but has no Deployment.
 */
export function missingServiceReason(name: string, objects: readonly ManifestObject[]): string {
  const service = objects.find((object) => object.kind === 'Service' && object.name === name);
  if (!service) return `backend Service ${name} is not in the manifests`;
  return (
    `backend Service ${name} has no spec.selector (${service.source}): local mode routes a Service to the one ` +
    'Deployment its selector matches, and cannot run endpoints kept elsewhere'
  );
}
