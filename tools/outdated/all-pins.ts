import { actionPins } from './action-pins.ts';
import { chartPins, manifestPins, vendoredControllerPins } from './controller-pins.ts';
import { crdPins } from './crd-pins.ts';
import { goPins } from './go-pins.ts';
import { goToolchainPins } from './go-toolchain-pins.ts';
import { baseImagePin, kindPins } from './image-pins.ts';
import { npmPins } from './npm-pins.ts';
import type { Pin } from './pin.ts';

/** Every pin of the repository, read from the files that pin them; a file that cannot be read is named in the error. */
export function allPins(root: string): Pin[] {
  return [
    ...npmPins(root),
    baseImagePin(root),
    ...kindPins(root),
    ...manifestPins(root),
    ...vendoredControllerPins(),
    ...chartPins(),
    ...crdPins(root),
    ...goPins(root),
    ...actionPins(root),
    ...goToolchainPins(root),
  ];
}
