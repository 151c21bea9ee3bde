/** Shared pieces for the MOF tests: a small qualifier set and a one-call compile. */
import { expect } from 'chai';
import { Repository } from '../../src/repository/index.js';
import { compileMofText, MofError, type CompileResult } from '../../src/mof/index.js';

/** The qualifiers the tests use, with DSP0004 scopes and flavors. */
export const QUALIFIERS = `
Qualifier Association : boolean = false, Scope(association), Flavor(DisableOverride, ToSubclass);
Qualifier Indication : boolean = false, Scope(class, indication), Flavor(DisableOverride, ToSubclass);
Qualifier Abstract : boolean = false, Scope(class, association, indication), Flavor(EnableOverride, Restricted);
Qualifier Aggregate : boolean = false, Scope(reference), Flavor(DisableOverride, ToSubclass);
Qualifier Description : string = null, Scope(any), Flavor(EnableOverride, ToSubclass, Translatable);
Qualifier Key : boolean = false, Scope(property, reference), Flavor(DisableOverride, ToSubclass);
Qualifier In : boolean = true, Scope(parameter), Flavor(DisableOverride, ToSubclass);
Qualifier Out : boolean = false, Scope(parameter), Flavor(DisableOverride, ToSubclass);
Qualifier Override : string = null, Scope(property, reference, method), Flavor(EnableOverride, Restricted);
Qualifier ValueMap : string[], Scope(property, method, parameter);
Qualifier Values : string[], Scope(property, method, parameter), Flavor(EnableOverride, ToSubclass, Translatable);
Qualifier Version : string = null, Scope(class, association, indication), Flavor(EnableOverride, Restricted, Translatable);
Qualifier MaxLen : uint32 = null, Scope(property, method, parameter);
Qualifier Max : uint32 = null, Scope(reference);
Qualifier EmbeddedInstance : string = null, Scope(property, method, parameter);
Qualifier Write : boolean = false, Scope(property);
`;

export const NS = 'root/test';

export interface Compiled extends CompileResult {
  repo: Repository;
  warnings: string[];
}

/** Compiles `mof` (after the standard qualifiers unless `bare`) into a fresh repository. */
export async function compile(mof: string, opts: { bare?: boolean; file?: string; repo?: Repository } = {}): Promise<Compiled> {
  const repo = opts.repo ?? new Repository();
  const warnings: string[] = [];
  const text = opts.bare ? mof : QUALIFIERS + mof;
  const r = await compileMofText(text, opts.file ?? 'test.mof', repo, { namespace: NS, onWarning: (w) => warnings.push(w) });
  return { ...r, repo, warnings };
}

/** Expects `mof` to fail with a MofError whose message matches `pattern` (line numbers count from the mof text when `bare`). */
export async function compileError(mof: string, pattern: RegExp, opts: { bare?: boolean; file?: string } = {}): Promise<MofError> {
  try {
    await compile(mof, opts);
  } catch (e) {
    expect(e).to.be.instanceOf(MofError);
    expect((e as MofError).message).to.match(pattern);
    return e as MofError;
  }
  expect.fail(`expected a MofError matching ${pattern}`);
}
