/** The CIM object model: values, types, names, classes, instances, errors (src/cim). */
export * from './names.js';
export * from './errors.js';
export * from './types.js';
export * from './datetime.js';
export * from './values.js';
export * from './qualifiers.js';
export * from './instance-name.js';
export * from './class.js';
export * from './instance.js';
export * from './uri.js';
export * from './operation.js';
