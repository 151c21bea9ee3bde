/**
 * The MOF compiler (DSP0221): compiles schema files into a Repository at start-up and returns
 * the instances they declare. Errors are MofError, whose message begins `file:line:col:`.
 */
import { resolve } from 'node:path';
import type { Repository } from '../repository/index.js';
import { MofCompiler, type CompileOptions, type CompileResult } from './compile.js';

export { MofError, isMofError, formatLoc, type Loc } from './errors.js';
export type { CompileOptions, CompileResult } from './compile.js';
export { parseMof } from './parser.js';
export { tokenize, type Token, type TokenKind } from './lexer.js';

/** Compiles a MOF file (and what it includes) into `repo`, starting in `opts.namespace`. */
export async function compileMofFile(path: string, repo: Repository, opts: CompileOptions): Promise<CompileResult> {
  const c = new MofCompiler(repo, opts);
  await c.compileFile(path);
  return c.finish();
}

/**
 * Compiles MOF text as if read from `virtualFileName`: messages name it, and `#pragma include`
 * paths are relative to its directory.
 */
export async function compileMofText(text: string, virtualFileName: string, repo: Repository, opts: CompileOptions): Promise<CompileResult> {
  const c = new MofCompiler(repo, opts);
  await c.compileText(text, virtualFileName, resolve(virtualFileName));
  return c.finish();
}
