/**
 * EncodeFlags for results (DSP0200 §5.3 IncludeQualifiers, IncludeClassOrigin, PropertyList):
 * the encoder applies them while writing, so results are never copied to be filtered.
 */
import { type CimClass, type EncodeFlags, NameSet } from '../cim/index.js';

/** `named`: the client's own PropertyList when `propertyList` was narrowed (restrictToClass). */
export function encodeFlags(
  includeQualifiers: boolean, includeClassOrigin: boolean, propertyList: NameSet | null, named?: NameSet | null,
): EncodeFlags {
  return named === undefined ? { includeQualifiers, includeClassOrigin, propertyList } : { includeQualifiers, includeClassOrigin, propertyList, namedProperties: named };
}

export const NO_FLAGS: EncodeFlags = Object.freeze({ includeQualifiers: false, includeClassOrigin: false, propertyList: null }) as EncodeFlags;

/**
 * EnumerateInstances with DeepInheritance=false returns only the properties of the requested
 * class (DSP0200 §5.3.2.11): the PropertyList becomes its intersection with that class's
 * properties, which the encoder then applies to every instance, subclass instances included.
 */
export function restrictToClass(cls: CimClass, propertyList: NameSet | null): NameSet {
  const out = new NameSet();
  for (const name of cls.properties.names()) if (propertyList === null || propertyList.has(name)) out.add(name);
  return out;
}
