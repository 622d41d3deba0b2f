import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (no trailing slash); tools and tests resolve paths from it. */
export const REPO_ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
