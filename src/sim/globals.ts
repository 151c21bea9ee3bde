// Global options (before the sub-command, getopt "+vftTN"; docs/xl-toolstack.md §1), and the host
// this invocation works on.
export interface Globals {
  dir: string;       // state directory of this host
  /** Names other hosts for `xl migrate` (registry.ts); undefined: sibling directories only. */
  hostsFile: string | undefined;
  dryrun: boolean;   // -N
  verbose: number;   // -v (repeatable)
  force: boolean;    // -f
  /** A `crash` fault rule matched: a command that models it dies half-way (migrate). */
  crashMidway?: boolean;
  /** A `crash` rule with `at: "handover"`: migrate dies between writing the target's state and its own. */
  crashInHandover?: boolean;
  /** A `handshake` rule: migrate's link breaks after the permission to start (faults.ts). */
  brokenHandshake?: { started: boolean };
}

export type CommandFn = (cmd: string, argv: string[], g: Globals) => Promise<number> | number;
