/**
 * Encode → decode round trips: an instance encoded for embedding comes back through
 * parseEmbeddedObject and through a request PARAMVALUE with the same values; a class comes
 * back with its members; and XML escaping keeps every legal character.
 */
import { expect } from 'chai';
import {
  CimClass, CimDateTime, CimInstance, CimInstanceName, type CimValue, type ExtrinsicRequest, type IntrinsicRequest,
} from '../../src/cim/index.js';
import {
  EMBED_FLAGS, decodeRequest, encodeClass, encodeInstance, escapeAttr, escapeText, parseEmbeddedObject,
} from '../../src/cimxml/index.js';
import { flags, vmClass, vmInstance } from './fixtures.js';
import { imethodcall, methodcall, NO_SELF_CLOSE } from './helpers.js';

/** Comparable form of a value (NaN, bigints, dates and names as text). */
function plain(v: CimValue | undefined): unknown {
  if (v === null || v === undefined) return v;
  if (Array.isArray(v)) return v.map((e) => plain(e));
  if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof CimDateTime) return `dt:${v}`;
  if (v instanceof CimInstanceName) return `ref:${v.toString()}`;
  if (v instanceof CimInstance) return { className: v.className, props: Object.fromEntries(v.properties.values().map((p) => [p.name, plain(p.value)])) };
  return v;
}

/** What survives XML 1.0: characters it cannot carry become U+FFFD. */
const NASTY_AFTER = 'a\r\nb\tc\uFFFDd\uFFFDe😀f]]>';

/** Every value survives; a NULL property is not written, so it reads back as absent. */
function expectSameInstance(back: CimInstance, orig: CimInstance): void {
  expect(back.className).to.equal(orig.className);
  expect(back.properties.names()).to.deep.equal(orig.properties.values().filter((p) => p.value !== null).map((p) => p.name));
  for (const p of orig.properties.values()) {
    if (p.value === null) {
      expect(back.properties.has(p.name), p.name).to.equal(false);
      continue;
    }
    const q = back.properties.get(p.name)!;
    expect([q.type, q.isArray], p.name).to.deep.equal([p.type, p.isArray]);
    const want = p.name === 'Nasty' ? NASTY_AFTER : plain(p.value);
    expect(plain(q.value), p.name).to.deep.equal(want);
  }
}

describe('cimxml round trips', () => {
  it('encodeInstance → parseEmbeddedObject keeps every value', () => {
    const orig = vmInstance();
    const xml = encodeInstance(orig, EMBED_FLAGS);
    expect(xml).to.not.match(NO_SELF_CLOSE);
    const back = parseEmbeddedObject(xml) as CimInstance;
    expectSameInstance(back, orig);
    expect(back.properties.get('Settings')!.embeddedObject).to.equal('instance');
    expect(back.properties.get('Host')!.referenceClass).to.equal('CIM_System');
    expect((back.get('Host') as CimInstanceName).host).to.equal('h1');
  });

  it('an encoded instance embedded in a request (escaped, as pywbem does) decodes the same', () => {
    const orig = vmInstance();
    const text = escapeText(encodeInstance(orig, EMBED_FLAGS));
    const r = decodeRequest(methodcall('DefineSystem', `<PARAMVALUE NAME="SystemSettings" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>${text}</VALUE></PARAMVALUE>`)) as ExtrinsicRequest;
    expectSameInstance(r.params[0]!.value as CimInstance, orig);
  });

  it('an encoded instance as CreateInstance NewInstance, with qualifiers and class origin', () => {
    const orig = vmInstance();
    const xml = encodeInstance(orig, flags({ includeQualifiers: true, includeClassOrigin: true }));
    const r = decodeRequest(imethodcall('CreateInstance', `<IPARAMVALUE NAME="NewInstance">${xml}</IPARAMVALUE>`)) as IntrinsicRequest;
    const back = r.params.get('NewInstance')!.value as CimInstance;
    expectSameInstance(back, orig);
    expect(back.qualifiers!.get('Description')!.value).to.equal('An instance qualifier');
    expect(back.properties.get('Name')!.qualifiers.get('Key')!.flavor.overridable).to.equal(false);
    expect(back.properties.get('Name')!.classOrigin).to.equal('CIM_System');
  });

  it('encodeClass → parseEmbeddedObject keeps members, qualifiers and flags', () => {
    const orig = vmClass();
    const back = parseEmbeddedObject(encodeClass(orig, flags({ includeQualifiers: true, includeClassOrigin: true }))) as CimClass;
    expect(back).to.be.instanceOf(CimClass);
    expect(back.superClass).to.equal('CIM_ComputerSystem');
    expect(back.properties.names()).to.deep.equal(orig.properties.names());
    expect(back.keyNames).to.deep.equal(['Name']);
    expect(back.properties.get('Name')!.propagated).to.equal(true);
    expect(back.properties.get('Dedicated')!.arraySize).to.equal(4);
    expect(back.properties.get('Settings')!.embeddedInstanceClass).to.equal('CIM_SettingData');
    expect(back.qualifiers.get('Description')!.flavor.translatable).to.equal(true);
    const m = back.methods.get('RequestStateChange')!;
    expect(m.classOrigin).to.equal('CIM_EnabledLogicalElement');
    expect(m.parameters.values().map((p) => [p.name, p.type, p.isArray, p.referenceClass ?? null])).to.deep.equal([
      ['RequestedState', 'uint16', false, null],
      ['Job', 'reference', false, 'CIM_ConcreteJob'],
      ['Affected', 'reference', true, 'CIM_ManagedElement'],
      ['Names', 'string', true, null],
    ]);
    expect(m.parameters.get('Job')!.isOut).to.equal(true);
  });
});

describe('cimxml escaping', () => {
  it('escapes markup in text and attributes, and leaves plain strings alone', () => {
    const s = 'plain text 123';
    expect(escapeText(s)).to.equal(s);
    expect(escapeText('a<b>&c"d\'')).to.equal('a&lt;b&gt;&amp;c"d\'');
    expect(escapeAttr('a<b>&c"d\'')).to.equal('a&lt;b&gt;&amp;c&quot;d\'');
    expect(escapeText(']]>')).to.equal(']]&gt;');
  });

  it('keeps CR (and TAB/LF in attributes) as character references', () => {
    expect(escapeText('a\r\nb\tc')).to.equal('a&#13;\nb\tc');
    expect(escapeAttr('a\r\nb\tc')).to.equal('a&#13;&#10;b&#9;c');
  });

  it('replaces characters XML 1.0 cannot carry with U+FFFD, keeps astral characters', () => {
    expect(escapeText('\u0000\u0008\u000B\u001F\uFFFE\uFFFF')).to.equal('\uFFFD'.repeat(6));
    expect(escapeText('x\uD800y\uDC00z')).to.equal('x\uFFFDy\uFFFDz');
    expect(escapeText('😀 é ü 中')).to.equal('😀 é ü 中');
    expect(escapeAttr('\u0001')).to.equal('\uFFFD');
  });

  it('strings with every kind of special character survive a request round trip', () => {
    const nasty = 'x < y && "q" \'s\' ]]> \r\n\t end ';
    const r = decodeRequest(imethodcall('ExecQuery', `<IPARAMVALUE NAME="Query"><VALUE>${escapeText(nasty)}</VALUE></IPARAMVALUE><IPARAMVALUE NAME="${escapeAttr('QueryLanguage')}"><VALUE>WQL</VALUE></IPARAMVALUE>`)) as IntrinsicRequest;
    expect(r.params.get('Query')!.value).to.equal(nasty);
  });
});
