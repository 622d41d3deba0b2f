// What synth and plan say about an environment that is valid but leans on something to move away from.
import type { EnvironmentConfig } from './types.ts';
import { isRoutingController, retiredControllerWarning } from './vocabulary.ts';

/** One line per thing to move away from (today: a retired controller); empty for a current environment. */
export function environmentWarnings(environment: EnvironmentConfig): string[] {
  const { ingress, gateway } = environment;
  const [at, controller] = ingress ? ['ingress', ingress.controller] : ['gateway', gateway?.controller];
  // An unknown controller is validation's to report, not a warning's.
  if (typeof controller !== 'string' || !isRoutingController(controller)) return [];
  const warning = retiredControllerWarning(`${environment.name}.${at}`, controller);
  return warning === undefined ? [] : [warning];
}
