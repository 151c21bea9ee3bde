/**
 * Qualifier declarations and qualifier usages (DSP0004 §5.6, DSP0221 §7.4). A usage takes its
 * type from the declaration in the target namespace; its flavor is the declaration's flavor with
 * the usage's explicit flavor words applied on top.
 */
import {
  CimQualifier, CimQualifierDeclaration, DEFAULT_FLAVOR, newQualifierList,
  type QualifierFlavor, type QualifierList, type QualifierScope,
} from '../cim/index.js';
import type { FlavorWord, QualifierDeclNode, QualifierNode } from './ast.js';
import { MofError } from './errors.js';
import { convertValue } from './values.js';

/** The element a qualifier list is attached to. */
export type ElementScope = Exclude<QualifierScope, 'any'>;

export type DeclLookup = (name: string) => CimQualifierDeclaration | undefined;

const SCOPES: ReadonlySet<string> = new Set(['class', 'association', 'indication', 'property', 'reference', 'method', 'parameter', 'any']);
/** DSP0221 v2 meta-elements with no counterpart in CIM-XML: accepted and dropped. */
const IGNORED_SCOPES: ReadonlySet<string> = new Set(['schema', 'qualifier']);

export function compileQualifierDecl(node: QualifierDeclNode): CimQualifierDeclaration {
  const scopes: QualifierScope[] = [];
  for (const s of node.scopes) {
    if (SCOPES.has(s.word)) {
      if (!scopes.includes(s.word as QualifierScope)) scopes.push(s.word as QualifierScope);
    } else if (!IGNORED_SCOPES.has(s.word)) {
      throw new MofError(s.loc, `unknown scope '${s.word}' (expected class, association, indication, property, reference, method, parameter or any)`);
    }
  }
  const value = node.value ? convertValue(node.value, node.type, node.array.isArray, { what: `qualifier ${node.name}` }) : null;
  const flavor = applyFlavorWords({ ...DEFAULT_FLAVOR }, node.flavors);
  return new CimQualifierDeclaration(node.name, node.type, value, node.array.isArray, node.array.size, scopes, flavor);
}

/** Applies flavor keywords; contradicting words in one list are an error. */
export function applyFlavorWords(base: QualifierFlavor, words: FlavorWord[]): QualifierFlavor {
  const f = { ...base };
  const seen = new Set<string>();
  for (const w of words) {
    const other = OPPOSITE[w.word];
    if (other && seen.has(other)) throw new MofError(w.loc, `flavors ${label(other)} and ${label(w.word)} contradict each other`);
    seen.add(w.word);
    switch (w.word) {
      case 'enableoverride': f.overridable = true; break;
      case 'disableoverride': f.overridable = false; break;
      case 'tosubclass': f.toSubclass = true; break;
      case 'restricted': f.toSubclass = false; break;
      case 'translatable': f.translatable = true; break;
      case 'toinstance': f.toInstance = true; break;
    }
  }
  return f;
}

const OPPOSITE: Record<string, string> = {
  enableoverride: 'disableoverride', disableoverride: 'enableoverride', tosubclass: 'restricted', restricted: 'tosubclass',
};

function label(word: string): string {
  return ({
    enableoverride: 'EnableOverride', disableoverride: 'DisableOverride', tosubclass: 'ToSubclass',
    restricted: 'Restricted', translatable: 'Translatable', toinstance: 'ToInstance',
  } as Record<string, string>)[word] ?? word;
}

/**
 * Compiles a `[...]` list for an element of the given scope. Scope(class) also admits
 * associations and indications, which DSP0004 §5.1.2.8/§5.1.2.9 define as kinds of class;
 * property and reference stay distinct, as DSP0004 keeps them.
 */
export function compileQualifierList(
  nodes: QualifierNode[], scope: ElementScope | 'instance', lookup: DeclLookup, namespace: string, where: string,
): QualifierList {
  const out = newQualifierList();
  for (const q of nodes) {
    const decl = lookup(q.name);
    if (!decl) {
      throw new MofError(q.loc, `qualifier ${q.name} is not declared in namespace ${namespace} (declare it with 'Qualifier ${q.name} : type, Scope(...);' before use)`);
    }
    if (out.has(q.name)) throw new MofError(q.loc, `qualifier ${decl.name} is given twice on ${where}`);
    if (scope !== 'instance' && !scopeAllows(decl, scope)) {
      throw new MofError(q.loc, `qualifier ${decl.name} cannot be used on ${scope} ${where} (its Scope is ${decl.scopes.join(', ') || 'empty'})`);
    }
    const value = q.value === undefined
      ? implicitValue(decl)
      : convertValue(q.value, decl.type, decl.isArray, { what: `qualifier ${decl.name}`, scalarAsArray: !q.braces });
    const flavor = applyFlavorWords(decl.flavor, q.flavors);
    out.set(decl.name, new CimQualifier(decl.name, decl.type, value, decl.isArray, flavor));
  }
  return out;
}

function scopeAllows(decl: CimQualifierDeclaration, scope: ElementScope): boolean {
  if (decl.appliesTo(scope)) return true;
  return (scope === 'association' || scope === 'indication') && decl.appliesTo('class');
}

/** DSP0221 §7.4.1: a boolean qualifier named without a value is TRUE; others take the declared default. */
function implicitValue(decl: CimQualifierDeclaration) {
  return decl.type === 'boolean' && !decl.isArray ? true : decl.value;
}
