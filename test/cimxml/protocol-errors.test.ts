/**
 * Protocol-level refusals (DSP0200 §7.5): which status and CIMError header each
 * malformed, invalid, unsupported or hostile message gets; and the size/depth limits.
 */
import { expect } from 'chai';
import { CimXmlProtocolError, decodeRequest, type CimXmlErrorHeader } from '../../src/cimxml/index.js';
import { LNS, envelope, imethodcall } from './helpers.js';

function refusal(xml: string, limits?: { maxDepth?: number; maxElements?: number }): CimXmlProtocolError {
  try {
    decodeRequest(xml, limits);
  } catch (e) {
    expect(e).to.be.instanceOf(CimXmlProtocolError);
    return e as CimXmlProtocolError;
  }
  throw new Error('expected a CimXmlProtocolError');
}

function expectRefusal(xml: string, status: 400 | 501, header: CimXmlErrorHeader, message?: RegExp): void {
  const e = refusal(xml);
  expect(e.status, e.message).to.equal(status);
  expect(e.cimErrorHeader, e.message).to.equal(header);
  if (message) expect(e.message).to.match(message);
}

const OK_CALL = `<IMETHODCALL NAME="EnumerateClassNames">${LNS}</IMETHODCALL>`;

describe('cimxml decode: protocol errors', () => {
  it('400 request-not-well-formed for text that is not XML', () => {
    expectRefusal('', 400, 'request-not-well-formed');
    expectRefusal('hello', 400, 'request-not-well-formed');
    expectRefusal('<CIM CIMVERSION="2.0" DTDVERSION="2.0"><MESSAGE>', 400, 'request-not-well-formed');
    expectRefusal(envelope(OK_CALL).replace('</SIMPLEREQ>', '</SIMPLERSP>'), 400, 'request-not-well-formed');
    expectRefusal(envelope(OK_CALL) + '<CIM/>', 400, 'request-not-well-formed', /more than one root/);
    expectRefusal(imethodcall('X', '<IPARAMVALUE NAME="a"><VALUE>&nbsp;</VALUE></IPARAMVALUE>'), 400, 'request-not-well-formed', /unknown entity/);
    expectRefusal(imethodcall('X', '<IPARAMVALUE NAME="a"><VALUE>a & b</VALUE></IPARAMVALUE>'), 400, 'request-not-well-formed');
    expectRefusal(imethodcall('X', '<IPARAMVALUE NAME="a"><VALUE>&#0;</VALUE></IPARAMVALUE>'), 400, 'request-not-well-formed', /does not allow/);
    expectRefusal(imethodcall('X', '<IPARAMVALUE NAME="a" NAME="b"></IPARAMVALUE>'), 400, 'request-not-well-formed');
  });

  it('refuses any DTD before parsing, so entity bombs cost nothing', () => {
    const lol = ['<!ENTITY a0 "lol">'];
    for (let i = 1; i < 10; i++) lol.push(`<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`);
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE CIM [${lol.join('')}]>\n` + envelope(OK_CALL).replace(/^<\?xml[^>]*>\n/, '').replace('EnumerateClassNames', '&a9;');
    const t0 = Date.now();
    expectRefusal(bomb, 400, 'request-not-well-formed', /document type/);
    expect(Date.now() - t0).to.be.below(1000);
    expectRefusal('<!DOCTYPE CIM SYSTEM "http://example.com/cim.dtd">' + envelope(OK_CALL).replace(/^<\?xml[^>]*>\n/, ''), 400, 'request-not-well-formed');
  });

  it('400 request-not-valid for XML that is not a CIM-XML request', () => {
    expectRefusal('<FOO/>', 400, 'request-not-valid', /not <CIM>/);
    expectRefusal('<CIM DTDVERSION="2.0"><MESSAGE ID="1" PROTOCOLVERSION="1.0"/></CIM>', 400, 'request-not-valid', /CIMVERSION/);
    expectRefusal(envelope(OK_CALL).replace(' ID="42"', ''), 400, 'request-not-valid', /ID/);
    expectRefusal(envelope(OK_CALL, '1', 'SIMPLERSP'), 400, 'request-not-valid');
    expectRefusal(envelope(OK_CALL, '1', 'SIMPLEEXPREQ'), 400, 'request-not-valid');
    expectRefusal(envelope(''), 400, 'request-not-valid');
    expectRefusal(envelope(OK_CALL + OK_CALL), 400, 'request-not-valid');
    expectRefusal(envelope('<IMETHODCALL NAME="GetClass"></IMETHODCALL>'), 400, 'request-not-valid', /LOCALNAMESPACEPATH/);
    expectRefusal(envelope(`<IMETHODCALL>${LNS}</IMETHODCALL>`), 400, 'request-not-valid', /NAME/);
    expectRefusal(envelope('<METHODCALL NAME="M"></METHODCALL>'), 400, 'request-not-valid', /LOCALINSTANCEPATH/);
    expectRefusal(imethodcall('GetInstance', '<IPARAMVALUE NAME="InstanceName"><INSTANCENAME><KEYBINDING NAME="a"><KEYVALUE>1</KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE>'), 400, 'request-not-valid', /CLASSNAME/);
    expectRefusal(imethodcall('GetInstance', '<IPARAMVALUE NAME="InstanceName"><INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="a"><KEYVALUE VALUETYPE="date">1</KEYVALUE></KEYBINDING></INSTANCENAME></IPARAMVALUE>'), 400, 'request-not-valid', /VALUETYPE/);
    expectRefusal(imethodcall('GetClass', '<IPARAMVALUE NAME="ClassName"><CLASSNAME NAME="A"/><CLASSNAME NAME="B"/></IPARAMVALUE>'), 400, 'request-not-valid', /at most one/);
    expectRefusal(imethodcall('GetClass', '<IPARAMVALUE NAME="ClassName"><BOGUS/></IPARAMVALUE>'), 400, 'request-not-valid', /BOGUS/);
    expectRefusal(imethodcall('CreateInstance', '<IPARAMVALUE NAME="NewInstance"><INSTANCE CLASSNAME="X"><PROPERTY NAME="a" TYPE="int"></PROPERTY></INSTANCE></IPARAMVALUE>'), 400, 'request-not-valid', /not a CIM type/);
  });

  it('501 for unsupported versions and for multi-requests', () => {
    expectRefusal(envelope(OK_CALL).replace('CIMVERSION="2.0"', 'CIMVERSION="3.0"'), 501, 'unsupported-cim-version');
    expectRefusal(envelope(OK_CALL).replace('DTDVERSION="2.0"', 'DTDVERSION="1.1"'), 501, 'unsupported-dtd-version');
    expectRefusal(envelope(OK_CALL).replace('PROTOCOLVERSION="1.0"', 'PROTOCOLVERSION="2.0"'), 501, 'unsupported-protocol-version');
    expectRefusal(envelope(`<SIMPLEREQ>${OK_CALL}</SIMPLEREQ><SIMPLEREQ>${OK_CALL}</SIMPLEREQ>`, '1', 'MULTIREQ'), 501, 'multiple-requests-unsupported');
  });

  it('tolerates a byte order mark, comments and processing instructions', () => {
    const xml = '\uFEFF' + envelope(`<!-- c --><?pi x?><IMETHODCALL NAME="EnumerateClassNames"><!-- x -->${LNS}</IMETHODCALL>`);
    expect(decodeRequest(xml).method).to.equal('EnumerateClassNames');
  });

  it('refuses prototype-polluting names as not well-formed', () => {
    expectRefusal(envelope(`<IMETHODCALL NAME="A" __proto__="x">${LNS}</IMETHODCALL>`), 400, 'request-not-well-formed');
    expectRefusal(envelope(`<IMETHODCALL NAME="A">${LNS}<__proto__/></IMETHODCALL>`), 400, 'request-not-well-formed');
  });

  it('accepts any 2.x CIM/DTD version and 1.x protocol version', () => {
    const xml = envelope(OK_CALL).replace('CIMVERSION="2.0"', 'CIMVERSION="2.6"').replace('DTDVERSION="2.0"', 'DTDVERSION="2.4"').replace('PROTOCOLVERSION="1.0"', 'PROTOCOLVERSION="1.4"');
    expect(decodeRequest(xml).protocolVersion).to.equal('1.4');
  });
});

describe('cimxml decode: limits', () => {
  const nested = (depth: number) => {
    // CIM, MESSAGE, SIMPLEREQ, IMETHODCALL, IPARAMVALUE, VALUE.ARRAY, then VALUE nesting (invalid, but limits come first).
    const extra = depth - 6;
    return imethodcall('X', `<IPARAMVALUE NAME="a"><VALUE.ARRAY>${'<VALUE>'.repeat(extra)}x${'</VALUE>'.repeat(extra)}</VALUE.ARRAY></IPARAMVALUE>`);
  };

  it('refuses nesting deeper than 64 by default, and a configured depth', () => {
    const e = refusal(nested(65));
    expect(e.status).to.equal(400);
    expect(e.cimErrorHeader).to.equal('request-not-valid');
    expect(e.message).to.match(/nested deeper than 64/);
    // 64 levels pass the limit (and then fail validation, not the limit).
    expect(refusal(nested(64)).message).to.not.match(/nested deeper/);
    expect(refusal(nested(12), { maxDepth: 10 }).message).to.match(/deeper than 10/);
  });

  it('refuses a deep document fast', () => {
    const deep = '<CIM>' + '<A>'.repeat(200_000) + '</A>'.repeat(200_000) + '</CIM>';
    const t0 = Date.now();
    expect(refusal(deep).message).to.match(/nested deeper/);
    expect(Date.now() - t0).to.be.below(1000);
  });

  it('refuses more elements than allowed', () => {
    const many = imethodcall('GetInstance', `<IPARAMVALUE NAME="PropertyList"><VALUE.ARRAY>${'<VALUE>p</VALUE>'.repeat(30)}</VALUE.ARRAY></IPARAMVALUE>`);
    expect(() => decodeRequest(many)).to.not.throw();
    const e = refusal(many, { maxElements: 20 });
    expect(e.cimErrorHeader).to.equal('request-not-valid');
    expect(e.message).to.match(/more than 20 elements/);
    const flat = `<CIM>${'<X/>'.repeat(200_001)}</CIM>`;
    expect(refusal(flat).message).to.match(/more than 200000 elements/);
  });

  it('counts markup correctly around comments, CDATA and quoted ">"', () => {
    const xml = imethodcall('ExecQuery', `<!-- <a><b><c> --><IPARAMVALUE NAME="Query"><VALUE><![CDATA[<x><y><z>]]></VALUE></IPARAMVALUE><IPARAMVALUE NAME="QueryLanguage"><VALUE>WQL</VALUE></IPARAMVALUE>`)
      .replace('<IMETHODCALL NAME="ExecQuery">', '<IMETHODCALL NAME="ExecQuery" X="a>b">');
    const r = decodeRequest(xml, { maxDepth: 6 });
    expect(r.kind === 'intrinsic' && r.params.get('Query')!.value).to.equal('<x><y><z>');
  });
});
