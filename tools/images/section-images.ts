import { type EnvironmentConfig, SECTION_NAMES, type SectionName } from '../../config/index.ts';

/** One image to build: the section it serves and the exact reference its Deployment pulls. */
export interface SectionImage {
  readonly section: SectionName;
  /** `<repository>:<tag>` from the environment config, as written into the manifests. */
  readonly ref: string;
}

/** The images of one environment, in section order; `only` narrows to some sections. */
export function sectionImages(env: EnvironmentConfig, only: readonly string[] = []): SectionImage[] {
  for (const name of only) {
    if (!(SECTION_NAMES as readonly string[]).includes(name)) {
      throw new Error(`unknown section '${name}': choose from ${SECTION_NAMES.join(', ')}`);
    }
  }
  return SECTION_NAMES.filter((section) => only.length === 0 || only.includes(section)).map((section) => {
    const { repository, tag } = env.sections[section].image;
    return { section, ref: `${repository}:${tag}` };
  });
}
