/**
 * Small accessors over the element tree that report DTD violations (DSP0203) as
 * 400 request-not-valid, naming the element and what it lacks.
 */
import { notValid } from './errors.js';
import type { XNode } from './xml-tree.js';

export function attr(n: XNode, name: string): string | undefined {
  return n.attrs[name];
}

export function reqAttr(n: XNode, name: string): string {
  const v = n.attrs[name];
  if (v === undefined) throw notValid(`<${n.name}> lacks the required ${name} attribute`);
  return v;
}

/** A DSP0201 boolean attribute ("true"/"false", case-insensitive), or its DTD default. */
export function boolAttr(n: XNode, name: string, dflt: boolean): boolean {
  const v = n.attrs[name];
  if (v === undefined) return dflt;
  const t = v.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw notValid(`<${n.name}> ${name}="${v}" is neither "true" nor "false"`);
}

/** A non-negative integer attribute such as ARRAYSIZE, or undefined. */
export function sizeAttr(n: XNode, name: string): number | undefined {
  const v = n.attrs[name];
  if (v === undefined) return undefined;
  if (!/^\s*\d{1,9}\s*$/.test(v)) throw notValid(`<${n.name}> ${name}="${v}" is not a whole number`);
  return Number(v);
}

export function childrenNamed(n: XNode, name: string): XNode[] {
  return n.children.filter((c) => c.name === name);
}

export function firstChild(n: XNode, name: string): XNode | undefined {
  return n.children.find((c) => c.name === name);
}

export function reqChild(n: XNode, name: string): XNode {
  const c = firstChild(n, name);
  if (!c) throw notValid(`<${n.name}> lacks a <${name}> element`);
  return c;
}

/** The single child element, undefined when there is none; more than one is a DTD violation. */
export function optionalOnlyChild(n: XNode): XNode | undefined {
  if (n.children.length > 1) {
    throw notValid(`<${n.name}> has ${n.children.length} child elements (${n.children.map((c) => c.name).join(', ')}); at most one is allowed`);
  }
  return n.children[0];
}

export function unexpected(parent: XNode, child: XNode): Error {
  return notValid(`<${child.name}> is not allowed inside <${parent.name}>`);
}
