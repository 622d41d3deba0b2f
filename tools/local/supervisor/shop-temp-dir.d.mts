/** A new `$TMPDIR/sweetshop-local-XXXXXX` directory, mode 0755 (nginx workers may run as another user). */
export function makeShopTempDir(): string;

/**
 * Removes a directory makeShopTempDir() made (an absolute path named sweetshop-local-XXXXXX, a real
 * directory, not a symlink); anything else is left alone. Returns whether it removed one.
 */
export function removeShopTempDir(dir: string): boolean;
