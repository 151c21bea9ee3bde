/**
 * The class repository: namespaces, their qualifier declarations and classes, the subclass
 * index, and inheritance (DSP0004 §5.1.2, §5.6.1.3 propagation). Classes are stored resolved:
 * each holds its inherited properties, methods and ToSubclass qualifiers, so lookups on the
 * request path never walk the hierarchy.
 */
import {
  CimClass, type CimQualifierDeclaration, NameMap, cimError, nameKey, normalizeNamespace,
} from '../cim/index.js';
import { resolveClass } from './resolve.js';

class Namespace {
  readonly classes = new NameMap<CimClass>();
  readonly qualifiers = new NameMap<CimQualifierDeclaration>();
  /** Direct subclasses by superclass name; '' holds the root classes. */
  readonly children = new Map<string, string[]>();
  constructor(readonly name: string) {}
}

export class Repository {
  private readonly spaces = new NameMap<Namespace>();

  addNamespace(ns: string): void {
    const n = normalizeNamespace(ns);
    if (!this.spaces.has(n)) this.spaces.set(n, new Namespace(n));
  }

  namespaces(): string[] {
    return this.spaces.names();
  }

  hasNamespace(ns: string): boolean {
    return this.spaces.has(normalizeNamespace(ns));
  }

  /** The namespace's canonical spelling; CIM_ERR_INVALID_NAMESPACE when unknown. */
  requireNamespace(ns: string): string {
    return this.space(ns).name;
  }

  addQualifierDeclaration(ns: string, decl: CimQualifierDeclaration): void {
    this.space(ns).qualifiers.set(decl.name, decl);
  }

  getQualifierDeclaration(ns: string, name: string): CimQualifierDeclaration | undefined {
    return this.space(ns).qualifiers.get(name);
  }

  qualifierDeclarations(ns: string): CimQualifierDeclaration[] {
    return this.space(ns).qualifiers.values();
  }

  /**
   * Adds a class given with its local declarations only; it is resolved against its superclass,
   * which must already be present (CIM_ERR_INVALID_SUPERCLASS otherwise). Re-adding replaces.
   */
  addClass(ns: string, local: CimClass): CimClass {
    const space = this.space(ns);
    let superCls: CimClass | undefined;
    if (local.superClass) {
      superCls = space.classes.get(local.superClass);
      if (!superCls) {
        throw cimError('INVALID_SUPERCLASS', `superclass ${local.superClass} of ${local.name} is not defined in ${space.name}`);
      }
    }
    const resolved = resolveClass(local, superCls, (q) => space.qualifiers.get(q));
    const existed = space.classes.get(local.name);
    space.classes.set(resolved.name, resolved);
    if (!existed) {
      const parent = superCls ? nameKey(superCls.name) : '';
      const list = space.children.get(parent) ?? [];
      list.push(resolved.name);
      space.children.set(parent, list);
    }
    return resolved;
  }

  getClass(ns: string, name: string): CimClass | undefined {
    return this.space(ns).classes.get(name);
  }

  /** The class; CIM_ERR_INVALID_NAMESPACE or CIM_ERR_INVALID_CLASS when absent. */
  requireClass(ns: string, name: string): CimClass {
    const cls = this.space(ns).classes.get(name);
    if (!cls) throw cimError('INVALID_CLASS', `class ${name} does not exist in namespace ${this.space(ns).name}`);
    return cls;
  }

  classNames(ns: string): string[] {
    return this.space(ns).classes.names();
  }

  /**
   * Subclass names of `name` (or the root classes when undefined): direct ones, or all
   * descendants in depth-first order when `deep`.
   */
  subclassNames(ns: string, name: string | undefined, deep: boolean): string[] {
    const space = this.space(ns);
    const out: string[] = [];
    const walk = (key: string) => {
      for (const child of space.children.get(key) ?? []) {
        out.push(child);
        if (deep) walk(nameKey(child));
      }
    };
    walk(name ? nameKey(name) : '');
    return out;
  }

  /** True when `name` is `ancestor` or derives from it. */
  isSubclassOf(ns: string, name: string, ancestor: string): boolean {
    const space = this.space(ns);
    let cur: CimClass | undefined = space.classes.get(name);
    const target = nameKey(ancestor);
    while (cur) {
      if (nameKey(cur.name) === target) return true;
      cur = cur.superClass ? space.classes.get(cur.superClass) : undefined;
    }
    return false;
  }

  /** The class and its ancestors, nearest first. */
  superclassChain(ns: string, name: string): string[] {
    const space = this.space(ns);
    const out: string[] = [];
    let cur = space.classes.get(name);
    while (cur) {
      out.push(cur.name);
      cur = cur.superClass ? space.classes.get(cur.superClass) : undefined;
    }
    return out;
  }

  /** Association classes in the namespace (used by generic association traversal). */
  associationClasses(ns: string): CimClass[] {
    return this.space(ns).classes.values().filter((c) => c.isAssociation);
  }

  private space(ns: string): Namespace {
    const s = this.spaces.get(normalizeNamespace(ns));
    if (!s) throw cimError('INVALID_NAMESPACE', `namespace ${ns} does not exist`);
    return s;
  }
}
