import type { EnvironmentConfig } from '../config/types.ts';
import { SECTION_NAMES, type SectionName } from '../config/vocabulary.ts';
import { PORT_NAME, type SweetShopService } from './sweetshop-service.ts';

/** The name of every routing object: the Ingress, or the HTTPRoute, its Gateway and its policy. */
export const ROUTING_NAME = 'sweetshop';

/** A section's name as the start of its construct ids (`chocolates` -> `Chocolates`): ids are API, see construct-ids.test.ts. */
export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Where a route sends one section's traffic: its path prefix and its Service's port (by name and number). */
export interface SectionBackend {
  readonly path: string;
  readonly service: string;
  /** An Ingress names the port; an HTTPRoute's backendRef needs its number. */
  readonly portName: string;
  readonly port: number;
}

/** Every section's backend, from the environment's paths and the sections' Services. */
export function sectionBackends(
  environment: EnvironmentConfig,
  sections: Readonly<Record<SectionName, SweetShopService>>,
): Record<SectionName, SectionBackend> {
  const backend = (section: SectionName): SectionBackend => {
    const { service } = sections[section];
    const port = service.ports.find((each) => each.name === PORT_NAME);
    if (!port) throw new Error(`Service ${service.name} has no port named ${PORT_NAME}`);
    return { path: environment.sections[section].path, service: service.name, portName: PORT_NAME, port: port.port };
  };
  return Object.fromEntries(SECTION_NAMES.map((section) => [section, backend(section)])) as Record<SectionName, SectionBackend>;
}
