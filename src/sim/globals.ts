// Global options (before the sub-command, getopt "+vftTN"; xl-reference §0.1).
export interface Globals {
  dir: string;       // state directory of this host
  dryrun: boolean;   // -N
  verbose: number;   // -v (repeatable)
  force: boolean;    // -f
}

export type CommandFn = (cmd: string, argv: string[], g: Globals) => Promise<number> | number;
