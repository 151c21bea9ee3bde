/** Source positions and the one error type of the MOF compiler. */

/** A position in a MOF source: the file as shown to people, 1-based line and column. */
export interface Loc {
  file: string;
  line: number;
  col: number;
}

export function formatLoc(loc: Loc): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}

/**
 * A MOF syntax or semantic error. The message starts with `file:line:col:` so that start-up can
 * print it as is and an editor can jump to it.
 */
export class MofError extends Error {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The message without its location. */
  readonly reason: string;

  constructor(loc: Loc, reason: string) {
    super(`${formatLoc(loc)}: ${reason}`);
    this.name = 'MofError';
    this.file = loc.file;
    this.line = loc.line;
    this.col = loc.col;
    this.reason = reason;
  }
}

export function isMofError(e: unknown): e is MofError {
  return e instanceof MofError;
}

/** Source text quoted in a message, shortened: a hostile literal must not make a megabyte message. */
export function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
