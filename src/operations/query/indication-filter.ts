/**
 * The query of an indication filter (DSP1054 §7.2, CIM_IndicationFilter.Query): WQL or DMTF:CQL,
 * `SELECT * | list FROM <indication class> [WHERE ...]`, compiled once when the filter is created
 * and evaluated against every indication with the same parser and evaluator as ExecQuery.
 * Conditions may read the embedded instances (`SourceInstance ISA Xen_ComputerSystem AND
 * SourceInstance.EnabledState = 3`, `PreviousInstance.EnabledState <> SourceInstance.EnabledState`).
 * The SELECT list projects what the listener receives: the indication's own properties named, and
 * of an embedded instance only the properties named through it (`SourceInstance.Name`).
 */
import { type CimClass, CimInstance, isCimError, cimError } from '../../cim/index.js';
import { type EvalEnv, whereMatches } from './wql-eval.js';
import { type Expr, type PropRef, parseWql, referencedProperties } from './wql-parser.js';

/** The query languages a filter may use (DSP1054 §7.2: WQL and DMTF:CQL; CQL is the older spelling). */
const LANGUAGES = new Set(['wql', 'dmtf:cql', 'cql']);

/**
 * Kept whatever the SELECT list says: how a listener tells which filter sent an indication and
 * where it is in the destination's sequence (DSP1054 §7.6).
 */
const ALWAYS = ['IndicationIdentifier', 'IndicationFilterName', 'SequenceContext', 'SequenceNumber'];

export interface IndicationFilterQuery {
  /** The class after FROM, as the schema spells it. */
  from: string;
  where: Expr | null;
  /** null for SELECT *. */
  select: PropRef[] | null;
}

/** What compiling needs of the schema: the interop namespace's classes. */
export interface IndicationSchema extends EvalEnv {
  getClass(name: string): CimClass | undefined;
}

/**
 * Compiles a filter's query, or refuses it with CIM_ERR_INVALID_PARAMETER naming the problem
 * (the error DSP0200 §5.3.2.6 gives CreateInstance for a bad property value).
 */
export function compileIndicationFilter(language: string, text: string, schema: IndicationSchema): IndicationFilterQuery {
  if (!LANGUAGES.has(language.trim().toLowerCase())) {
    throw cimError('INVALID_PARAMETER', `QueryLanguage "${language}" is not supported (use WQL or DMTF:CQL)`);
  }
  let q;
  try {
    q = parseWql(text, language.trim().toLowerCase() === 'wql' ? 'wql' : 'cql');
  } catch (e) {
    if (isCimError(e)) throw cimError('INVALID_PARAMETER', `Query is not a valid ${language} query: ${e.description}`);
    throw e;
  }
  const cls = schema.getClass(q.from);
  if (!cls) throw cimError('INVALID_PARAMETER', `Query: position ${q.fromPos + 1}: class ${q.from} is not known`);
  if (!schema.isA(cls.name, 'CIM_Indication')) throw cimError('INVALID_PARAMETER', `Query: ${cls.name} is not an indication class (CIM_Indication or a subclass)`);
  for (const p of referencedProperties(q)) {
    // The indication's own property: the name itself, or what an embedded path goes through.
    const own = p.via !== undefined && !schema.getClass(p.via) ? p.via : p.name;
    if (own.toLowerCase() !== '__class' && !cls.properties.has(own)) {
      throw cimError('INVALID_PARAMETER', `Query: position ${p.pos + 1}: class ${cls.name} has no property "${own}"`);
    }
  }
  return { from: cls.name, where: q.where, select: q.properties };
}


/** Whether the filter selects this indication: its class ISA the FROM class and the WHERE clause is true. */
export function filterSelects(q: IndicationFilterQuery, indication: CimInstance, env: EvalEnv): boolean {
  return env.isA(indication.className, q.from) && whereMatches(q.where, indication, env);
}

/** The indication as the filter's SELECT list shapes it (the same instance for SELECT *). */
export function projectIndication(q: IndicationFilterQuery, indication: CimInstance): CimInstance {
  if (!q.select) return indication;
  const own = new Set(ALWAYS.map((n) => n.toLowerCase()));
  const inner = new Map<string, Set<string> | 'all'>();
  for (const p of q.select) {
    const embedded = p.via !== undefined && indication.get(p.via) instanceof CimInstance;
    if (!embedded) {
      own.add(p.name.toLowerCase());
      if (indication.get(p.name) instanceof CimInstance) inner.set(p.name.toLowerCase(), 'all');
      continue;
    }
    const key = p.via!.toLowerCase();
    own.add(key);
    const names = inner.get(key);
    if (names !== 'all') inner.set(key, (names ?? new Set()).add(p.name.toLowerCase()));
  }
  const out = keepOnly(indication, own);
  for (const [key, names] of inner) {
    const e = out.get(key);
    if (names !== 'all' && e instanceof CimInstance) out.set(key, keepOnly(e, names));
  }
  return out;
}

function keepOnly(inst: CimInstance, names: Set<string>): CimInstance {
  const c = inst.clone();
  for (const n of c.properties.names()) if (!names.has(n.toLowerCase())) c.properties.delete(n);
  return c;
}
