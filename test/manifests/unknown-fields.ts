/**
 * Fields the Kubernetes OpenAPI schema does not know, found by watching the kubernetes-models validator.
 *
 * kubernetes-models does not reject unknown fields, but its generated validator reads every property its
 * schema defines (and iterates the keys of map types such as labels). Running it over a Proxy that
 * records each property read shows which keys of the object it never looked at: those are unknown.
 */
export function unknownFields(model: { validate(): void }): string[] {
  const accessed = new WeakMap<object, Set<PropertyKey>>();
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    let proxy = proxies.get(value);
    if (!proxy) {
      accessed.set(value, new Set());
      proxy = new Proxy(value, {
        get(target, key, receiver) {
          accessed.get(target)!.add(key);
          return wrap(Reflect.get(target, key, receiver));
        },
      });
      proxies.set(value, proxy);
    }
    return proxy;
  };
  model.validate.call(wrap(model));

  const unknown: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (value === null || typeof value !== 'object') return;
    const seen = accessed.get(value) ?? new Set();
    for (const [key, child] of Object.entries(value)) {
      const childPath = Array.isArray(value) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
      if (seen.has(key)) walk(child, childPath);
      else unknown.push(childPath);
    }
  };
  walk(model, '');
  return unknown;
}
