/** How to start the service: contracts.md's `npm run serve`, without npm's extra process. */
export interface ServiceCommand {
  readonly executable: string;
  readonly args: readonly string[];
  readonly cwd: string;
}
