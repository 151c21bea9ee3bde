/**
 * The compiler driver: runs productions in order against a Repository, following
 * `#pragma include` (relative to the including file) and `#pragma namespace` (DSP0221 §7.3,
 * Annex B). Order matters as in DSP0221: a qualifier is declared before use and a superclass is
 * defined before its subclasses; only `Class REF` targets may come later in the same compile.
 * The namespace set by a pragma stays in force after the included file ends, as in the
 * OpenPegasus and SFCB compilers, until another pragma or the end of the compile.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import {
  isCimError, nameKey, normalizeNamespace, type CimClass, type CimInstance, type CimInstanceName,
} from '../cim/index.js';
import type { Repository } from '../repository/index.js';
import type { ClassNode, InstanceNode, PragmaNode, Production } from './ast.js';
import { buildLocalClass } from './classes.js';
import { MofError, formatLoc, type Loc } from './errors.js';
import { buildInstanceFromMof } from './instances.js';
import { parseMof } from './parser.js';
import { compileQualifierDecl } from './qualifiers.js';

export interface CompileOptions {
  /** The target namespace until a `#pragma namespace` changes it; created when missing. */
  namespace: string;
  onWarning?: (msg: string) => void;
}

export interface CompileResult {
  classes: number;
  qualifiers: number;
  /** Instances from `instance of`, in source order; each path carries its namespace. */
  instances: CimInstance[];
}

/** DSP0221 pragmas that have no effect on a repository: accepted silently. */
const IGNORED_PRAGMAS: ReadonlySet<string> = new Set([
  'locale', 'instancelocale', 'nonlocal', 'nonlocaltype', 'source', 'sourcetype', 'comment', 'ident',
]);

interface PendingRef {
  namespace: string;
  refClass: string;
  loc: Loc;
  where: string;
  /** For an overriding reference: the class it overrides, which refClass must be or derive from. */
  ancestor?: string;
}

export class MofCompiler {
  private namespace: string;
  private readonly result: CompileResult = { classes: 0, qualifiers: 0, instances: [] };
  /** Aliases by folded name → instance path (DSP0221 §7.7.1). */
  private readonly aliases = new Map<string, CimInstanceName>();
  /** Where each class was defined in this compile, for "defined twice" messages. */
  private readonly defined = new Map<string, Loc>();
  private readonly pending: PendingRef[] = [];
  /** Absolute paths of the files being compiled, to refuse include cycles. */
  private readonly stack: string[] = [];

  constructor(private readonly repo: Repository, private readonly opts: CompileOptions) {
    this.namespace = this.useNamespace(opts.namespace);
  }

  async compileFile(path: string, from?: Loc): Promise<void> {
    const abs = resolve(path);
    let text: string;
    try {
      text = decode(await readMofFile(abs));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      if (from) throw new MofError(from, `cannot read included file ${displayPath(abs)}: ${why}`);
      throw new MofError({ file: displayPath(abs), line: 1, col: 1 }, `cannot read MOF file: ${why}`);
    }
    await this.compileText(text, displayPath(abs), abs, from);
  }

  /** Compiles `text`; `absPath` locates includes (its directory) and detects cycles. */
  async compileText(text: string, display: string, absPath: string, from?: Loc): Promise<void> {
    if (this.stack.includes(absPath)) {
      throw new MofError(from ?? { file: display, line: 1, col: 1 }, `include cycle: ${[...this.stack, absPath].map(displayPath).join(' → ')}`);
    }
    const productions = parseMof(text, display);
    this.stack.push(absPath);
    try {
      for (const p of productions) await this.run(p, absPath);
    } finally {
      this.stack.pop();
    }
  }

  /** Ends the compile: references to classes that never appeared are errors now. */
  finish(): CompileResult {
    for (const r of this.pending) {
      if (!this.repo.getClass(r.namespace, r.refClass)) {
        throw new MofError(r.loc, `class ${r.refClass}, referenced by ${r.where}, is not defined in namespace ${r.namespace}`);
      }
      if (r.ancestor !== undefined && !this.repo.isSubclassOf(r.namespace, r.refClass, r.ancestor)) {
        throw new MofError(r.loc, `${r.where} overrides a reference to ${r.ancestor} with ${r.refClass}, which is not ${r.ancestor} or a subclass of it`);
      }
    }
    return this.result;
  }

  private async run(p: Production, absPath: string): Promise<void> {
    switch (p.kind) {
      case 'pragma':
        return this.pragma(p, absPath);
      case 'qualifierDecl':
        this.repo.addQualifierDeclaration(this.namespace, compileQualifierDecl(p));
        this.result.qualifiers++;
        return;
      case 'class':
        return this.defineClass(p);
      case 'instance':
        return this.defineInstance(p);
    }
  }

  private async pragma(p: PragmaNode, absPath: string): Promise<void> {
    if (p.name === 'include' || p.name === 'namespace') {
      if (p.args.length !== 1 || !p.args[0]) throw new MofError(p.loc, `#pragma ${p.name} takes one non-empty string, e.g. #pragma ${p.name} ("${p.name === 'include' ? 'file.mof' : 'root/cimv2'}")`);
    }
    if (p.name === 'include') {
      const target = p.args[0]!;
      await this.compileFile(isAbsolute(target) ? target : resolve(dirname(absPath), target), p.loc);
    } else if (p.name === 'namespace') {
      this.namespace = this.useNamespace(p.args[0]!);
    } else if (!IGNORED_PRAGMAS.has(p.name)) {
      this.warn(p.loc, `unknown #pragma ${p.name} ignored`);
    }
  }

  private defineClass(node: ClassNode): void {
    const ns = this.namespace;
    const key = `${nameKey(ns)}:${nameKey(node.name)}`;
    if (this.repo.getClass(ns, node.name)) {
      const first = this.defined.get(key);
      throw new MofError(node.loc, `class ${node.name} is already defined in namespace ${ns}${first ? ` (at ${formatLoc(first)})` : ''}`);
    }
    let superClass: CimClass | undefined;
    if (node.superClass) {
      superClass = this.repo.getClass(ns, node.superClass);
      if (!superClass) {
        throw new MofError(node.superLoc ?? node.loc, `superclass ${node.superClass} of ${node.name} is not defined in namespace ${ns} (a superclass must be compiled before its subclasses)`);
      }
    }
    const local = buildLocalClass(node, {
      namespace: ns,
      lookup: (q) => this.repo.getQualifierDeclaration(ns, q),
      ...(superClass ? { superClass } : {}),
      unresolvedRef: (refClass, loc, where) => this.pending.push({ namespace: ns, refClass, loc, where }),
      narrowedRef: (refClass, ancestor, loc, where) => this.pending.push({ namespace: ns, refClass, loc, where, ancestor }),
      classExists: (name) => this.repo.getClass(ns, name) !== undefined,
      alias: (name) => this.aliases.get(nameKey(name)),
      warn: (loc, msg) => this.warn(loc, msg),
    });
    try {
      this.repo.addClass(ns, local);
    } catch (e) {
      if (isCimError(e)) throw new MofError(node.loc, e.description);
      throw e;
    }
    this.defined.set(key, node.loc);
    this.result.classes++;
  }

  private defineInstance(node: InstanceNode): void {
    const ns = this.namespace;
    const cls = this.repo.getClass(ns, node.className);
    if (!cls) throw new MofError(node.loc, `instance of undefined class ${node.className} in namespace ${ns}`);
    const inst = buildInstanceFromMof(node, cls, {
      namespace: ns,
      lookup: (q) => this.repo.getQualifierDeclaration(ns, q),
      alias: (name) => this.aliases.get(nameKey(name)),
    });
    if (node.alias !== undefined) {
      if (this.aliases.has(nameKey(node.alias))) throw new MofError(node.loc, `alias $${node.alias} is already defined`);
      this.aliases.set(nameKey(node.alias), inst.path!);
    }
    this.result.instances.push(inst);
  }

  private useNamespace(ns: string): string {
    const n = normalizeNamespace(ns);
    this.repo.addNamespace(n);
    return this.repo.requireNamespace(n);
  }

  private warn(loc: Loc, msg: string): void {
    this.opts.onWarning?.(`${formatLoc(loc)}: warning: ${msg}`);
  }
}

/** Far above the whole DMTF schema (about 8 MB): a MOF file larger than this is refused. */
export const MAX_MOF_FILE_BYTES = 64 * 1024 * 1024;

/**
 * A MOF file's bytes. Only a regular file of bounded size: reading a FIFO would wait forever and
 * /dev/zero would fill memory (an include naming either must fail, not hang start-up).
 */
async function readMofFile(abs: string): Promise<Buffer> {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const fh = await open(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_MOF_FILE_BYTES) throw new Error(`larger than ${MAX_MOF_FILE_BYTES} bytes`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** DSP0221 §5.3: MOF files are UTF-8, or UTF-16 when they start with a byte-order mark. */
function decode(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return Buffer.from(buf.subarray(2)).swap16().toString('utf16le');
  return buf.toString('utf8');
}

/** A path as people should see it: relative to the working directory when below it. */
export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}
