// The one place for Kubernetes' name rules (k8s.io/apimachinery/pkg/util/validation): environment
// validation (config/) and local mode's manifest reading (tools/local/manifests/) both check with these.
// Imports nothing.

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL_MAX = 63;
const DNS_SUBDOMAIN_MAX = 253;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const QUALIFIED_NAME_MAX = 63;
// The env var name rule before Kubernetes 1.34 relaxed it (IsEnvVarName): what every supported minor accepts.
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export const DNS_1123_LABEL_RULE = 'lower-case letters, digits and -, starting and ending with a letter or digit, at most 63 characters';
export const DNS_1035_LABEL_RULE = 'lower-case letters, digits and -, starting with a letter, at most 63 characters';
export const DNS_1123_SUBDOMAIN_RULE = 'lower-case letters, digits, - and ., at most 253 characters';
export const ENV_VAR_NAME_RULE = 'letters, digits, - . _, not starting with a digit';

/** RFC 1123 label (IsDNS1123Label): a Namespace's name, a Gateway listener's sectionName. */
export function isDns1123Label(name: string): boolean {
  return name.length <= DNS_LABEL_MAX && DNS_1123_LABEL.test(name);
}

/** RFC 1035 label (IsDNS1035Label): a Service's name, which becomes a DNS name of its own. */
export function isDns1035Label(name: string): boolean {
  return name.length <= DNS_LABEL_MAX && DNS_1035_LABEL.test(name);
}

/** RFC 1123 subdomain (IsDNS1123Subdomain): most object names (Deployment, Ingress, HPA, Gateway, GatewayClass). */
export function isDns1123Subdomain(name: string): boolean {
  // Kubernetes bounds the whole name, not each dot-separated part.
  return name.length <= DNS_SUBDOMAIN_MAX && name.split('.').every((part) => DNS_1123_LABEL.test(part));
}

/** A label key (IsQualifiedName): `name` or `prefix/name`, the prefix a DNS subdomain. */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (slash !== -1 && !isDns1123Subdomain(key.slice(0, slash))) return false;
  return name.length <= QUALIFIED_NAME_MAX && QUALIFIED_NAME.test(name);
}

/** A label value (IsValidLabelValue): empty, or a qualified name without prefix. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= QUALIFIED_NAME_MAX && QUALIFIED_NAME.test(value));
}

/** An env var name (IsEnvVarName, as before 1.34). */
export function isEnvVarName(name: string): boolean {
  return ENV_VAR_NAME.test(name);
}
