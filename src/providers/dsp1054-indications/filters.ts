/**
 * The filters of the subscriptions as compiled queries (DSP1054 §7.2): each query is compiled once
 * (at CreateInstance, and for a stored filter on first use) and evaluated against every
 * indication by the server's query engine. Source instances live in root/virt and indications in
 * root/interop, so ISA looks in both.
 */
import { type CimInstance, cimError } from '../../cim/index.js';
import { type IndicationFilterQuery, compileIndicationFilter, filterSelects, projectIndication } from '../../operations/provider.js';
import type { Repository } from '../../repository/index.js';
import { INTEROP_NS, VIRT_NS } from '../shared/naming.js';
import type { FilterRecord } from './store.js';

export class FilterMatcher {
  private readonly compiled = new Map<string, { query: string; q: IndicationFilterQuery | undefined }>();
  readonly env: { isA(className: string, ancestor: string): boolean };

  constructor(private readonly repo: Repository, private readonly log: (line: string) => void = () => {}) {
    this.env = {
      isA: (c, a) => c.toLowerCase() === a.toLowerCase() || repo.isSubclassOf(INTEROP_NS, c, a) || repo.isSubclassOf(VIRT_NS, c, a),
    };
  }

  /**
   * Compiles a query for a new filter, or throws CIM_ERR_INVALID_PARAMETER naming the problem. A
   * class the WHERE clause tests for (`SourceInstance ISA X`, CQL's `SourceInstance.X::Prop`) must
   * exist here: one misspelt made a filter that was accepted and could never select anything.
   */
  compile(language: string, query: string): IndicationFilterQuery {
    const q = compileIndicationFilter(language, query, { getClass: (n) => this.repo.getClass(INTEROP_NS, n), isA: this.env.isA });
    const { conditions, likeChars } = weight(q.where);
    if (conditions > MAX_CONDITIONS) {
      throw cimError('INVALID_PARAMETER', `Query: an indication filter has at most ${MAX_CONDITIONS} conditions, this one ${conditions} (each is evaluated against every indication, for every subscription)`);
    }
    if (likeChars > MAX_LIKE_CHARS) {
      throw cimError('INVALID_PARAMETER', `Query: the LIKE patterns of an indication filter hold at most ${MAX_LIKE_CHARS} characters together, these ${likeChars} (each is matched against every indication, for every subscription)`);
    }
    for (const name of testedClasses(q.where)) {
      if (!this.repo.getClass(VIRT_NS, name) && !this.repo.getClass(INTEROP_NS, name)) {
        throw cimError('INVALID_PARAMETER', `Query: class ${name} is not known in ${VIRT_NS} or ${INTEROP_NS}: the filter could never select anything`);
      }
    }
    return q;
  }

  /** A filter's compiled query; undefined (logged once) when a stored filter no longer compiles. */
  query(id: string, f: FilterRecord): IndicationFilterQuery | undefined {
    const c = this.compiled.get(id);
    if (c && c.query === f.query) return c.q;
    let q: IndicationFilterQuery | undefined;
    try {
      q = this.compile(f.queryLanguage, f.query);
    } catch (e) {
      this.log(`indication filter ${f.keys.Name} is ignored: ${(e as { description?: string }).description ?? String(e)}`);
    }
    this.compiled.set(id, { query: f.query, q });
    return q;
  }

  /** Whether the filter's FROM class covers an indication class (checked before the indication is built). */
  covers(q: IndicationFilterQuery, indicationClass: string): boolean {
    return this.env.isA(indicationClass, q.from);
  }

  /** The indication as the filter delivers it, or undefined when the filter does not select it. */
  select(q: IndicationFilterQuery, indication: CimInstance): CimInstance | undefined {
    return filterSelects(q, indication, this.env) ? projectIndication(q, indication) : undefined;
  }

  forget(id: string): void {
    this.compiled.delete(id);
  }
}

/**
 * What one filter may cost per indication. Every indication is evaluated against the filter of
 * every enabled subscription (up to MaxActiveSubscriptions, 1,000, all of one reader if they
 * like), synchronously: with ExecQuery's own bounds (1,024 conditions, a 64 KiB query) one filter
 * of 670 LIKEs like '%___…_z' took 16.6 ms per indication (measured, shared machine), so 1,000 of
 * them stalled the server some 16 s at every event; 1,024 plain conditions took 0.7 ms. A LIKE
 * costs its pattern's length times the text's; at these bounds the costliest filter took 0.07 ms.
 */
const MAX_CONDITIONS = 64;
const MAX_LIKE_CHARS = 128;

type Where = IndicationFilterQuery['where'];

/** A WHERE clause's conditions (comparisons, LIKE, ISA, IS NULL) and the characters of its LIKE patterns. */
function weight(e: Where): { conditions: number; likeChars: number } {
  if (!e) return { conditions: 0, likeChars: 0 };
  switch (e.kind) {
    case 'and': case 'or': {
      const l = weight(e.left);
      const r = weight(e.right);
      return { conditions: l.conditions + r.conditions, likeChars: l.likeChars + r.likeChars };
    }
    case 'not': return weight(e.expr);
    case 'like': return { conditions: 1, likeChars: e.pattern.length };
    default: return { conditions: 1, likeChars: 0 };
  }
}
type Operand = Extract<NonNullable<Where>, { kind: 'cmp' }>['left'];

/** The classes a WHERE clause tests instances for: ISA's class, and the class scoping an embedded property. */
function testedClasses(e: Where): string[] {
  if (!e) return [];
  const scope = (o: Operand): string[] => (o.kind === 'prop' && o.scope !== undefined ? [o.scope] : []);
  switch (e.kind) {
    case 'and': case 'or': return [...testedClasses(e.left), ...testedClasses(e.right)];
    case 'not': return testedClasses(e.expr);
    case 'cmp': return [...scope(e.left), ...scope(e.right)];
    case 'isa': return [e.className, ...scope(e.prop)];
    default: return scope(e.prop);
  }
}

/** Whether a filter watches root/virt, where every source instance of this server lives. */
export function watchesVirt(f: Pick<FilterRecord, 'sourceNamespaces'>): boolean {
  return f.sourceNamespaces.length === 0 || f.sourceNamespaces.some((n) => n.toLowerCase() === VIRT_NS);
}
