/**
 * ExecQuery (DSP0200 §5.3.2.22) and the query of OpenQueryInstances. WQL and DMTF:CQL are
 * both accepted with the same subset (query/wql-parser.ts), each with its own LIKE patterns:
 * the subset is valid CQL, and a CQL feature outside it is reported as CIM_ERR_INVALID_QUERY
 * with its position.
 */
import { type CimClass, type CimInstance, type IntrinsicResponse, NameSet, cimError } from '../cim/index.js';
import type { OpContext } from './context.js';
import { encodeFlags } from './flags.js';
import { enumerateDeep, fullPath, withPath } from './instances.js';
import type { Params } from './params.js';
import { whereMatches } from './query/wql-eval.js';
import { type Expr, parseWql, referencedProperties } from './query/wql-parser.js';

const LANGUAGES = new Set(['wql', 'dmtf:cql', 'cql']);

export interface CompiledQuery {
  cls: CimClass;
  /** The SELECT list; null for SELECT *. */
  propertyList: NameSet | null;
  where: Expr | null;
}

export function compileQuery(ctx: OpContext, language: string, text: string): CompiledQuery {
  if (!LANGUAGES.has(language.trim().toLowerCase())) {
    throw cimError('QUERY_LANGUAGE_NOT_SUPPORTED', `query language "${language}" is not supported (use WQL or DMTF:CQL)`);
  }
  const q = parseWql(text, language.trim().toLowerCase() === 'wql' ? 'wql' : 'cql');
  const cls = ctx.repository.getClass(ctx.namespace, q.from);
  if (!cls) throw cimError('INVALID_QUERY', `position ${q.fromPos + 1}: class ${q.from} does not exist in namespace ${ctx.namespace}`);
  for (const { name, pos } of referencedProperties(q)) {
    if (name.toLowerCase() !== '__class' && !cls.properties.has(name)) {
      throw cimError('INVALID_QUERY', `position ${pos + 1}: class ${cls.name} has no property "${name}"`);
    }
  }
  const propertyList = q.properties ? new NameSet(q.properties.map((p) => cls.properties.spelling(p.name) ?? p.name)) : null;
  return { cls, propertyList, where: q.where };
}

/** The matching instances of the FROM class and its subclasses, with full paths. */
export async function runQuery(ctx: OpContext, q: CompiledQuery): Promise<CimInstance[]> {
  // The provider hint must include the WHERE properties, so it is only the SELECT list without WHERE.
  const all = await enumerateDeep(ctx, q.cls.name, q.where ? null : q.propertyList);
  const env = { isA: (c: string, a: string) => ctx.repository.isSubclassOf(ctx.namespace, c, a) };
  const out: CimInstance[] = [];
  // A WHERE clause may cost milliseconds per instance (up to 1,024 conditions, LIKE at pattern ×
  // text steps each): the evaluation gives the event loop back every few milliseconds, so one
  // costly query over many systems slows itself, not every other request.
  let since = performance.now();
  for (const inst of all) {
    if (whereMatches(q.where, inst, env)) out.push(withPath(inst, fullPath(ctx, inst.path!, ctx.namespace)));
    if (q.where && performance.now() - since > EVALUATION_SLICE_MS) {
      await new Promise<void>((r) => setImmediate(r));
      since = performance.now();
    }
  }
  return out;
}

/** How long the WHERE evaluation runs before it lets other requests in. */
const EVALUATION_SLICE_MS = 5;

export async function execQuery(ctx: OpContext, p: Params): Promise<IntrinsicResponse> {
  const q = compileQuery(ctx, p.requiredString('QueryLanguage'), p.requiredString('Query'));
  const instances = await runQuery(ctx, q);
  return { result: { kind: 'objectsWithPath', instances }, flags: encodeFlags(false, false, q.propertyList) };
}
