/** Flattens a manifest into the set of field paths it uses (`spec.template.spec.containers[].name`). */

// Fields whose keys are data (label names), not API fields: their contents are not listed.
const MAP_FIELDS = new Set(['labels', 'annotations', 'matchLabels', 'nodeSelector']);

export function fieldPaths(manifest: Record<string, unknown>): string[] {
  const paths = new Set<string>();
  const mapAt = new Set(manifest.kind === 'Service' ? ['spec.selector'] : []);
  const walk = (value: unknown, path: string, key: string): void => {
    if (Array.isArray(value)) {
      paths.add(`${path}[]`);
      for (const item of value) walk(item, `${path}[]`, key);
    } else if (value !== null && typeof value === 'object') {
      paths.add(path);
      if (MAP_FIELDS.has(key) || mapAt.has(path)) return;
      for (const [childKey, child] of Object.entries(value)) walk(child, path === '' ? childKey : `${path}.${childKey}`, childKey);
    } else {
      paths.add(path);
    }
  };
  walk(manifest, '', '');
  paths.delete('');
  return [...paths].sort();
}
