/**
 * The one-pass XML reader in front of the CIM-XML decoder: what it builds, what it skips, and
 * every way a document is refused (XML 1.0 §2.1, §2.3, §2.7, §3.1), with where it failed.
 */
import { expect } from 'chai';
import { XmlLimitError, parseXmlTree } from '../../src/cimxml/xml-tree.js';
import { XmlSyntaxError } from '../../src/cimxml/xml-text.js';

function syntaxError(xml: string): string {
  try {
    parseXmlTree(xml);
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(XmlSyntaxError);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${xml}`);
}

describe('cimxml xml-tree: what it builds', () => {
  it('builds elements, attributes, children and untrimmed text', () => {
    const root = parseXmlTree('<A x="1" y=\'two\'> a <B/>b<C z = "3" >c</C ></A>');
    expect(root.name).to.equal('A');
    expect({ ...root.attrs }).to.deep.equal({ x: '1', y: 'two' });
    expect(root.text).to.equal(' a b');
    expect(root.children.map((c) => c.name)).to.deep.equal(['B', 'C']);
    expect(root.children[0]!.children).to.deep.equal([]);
    expect(root.children[1]!.attrs['z']).to.equal('3');
    expect(root.children[1]!.text).to.equal('c');
  });

  it('decodes references in text and attribute values, and leaves quotes of the other kind alone', () => {
    const root = parseXmlTree(`<A v="&lt;&#x41;&#66;&amp;'" w='"&apos;'>&gt;&quot;&#233;</A>`);
    expect(root.attrs['v']).to.equal("<AB&'");
    expect(root.attrs['w']).to.equal(`"'`);
    expect(root.text).to.equal('>"é');
  });

  it('takes CDATA literally and skips comments, processing instructions, the declaration and a BOM', () => {
    const xml = '\uFEFF<?xml version="1.0" encoding="utf-8" ?>\n<!-- c <A> -->\n<?pi x?>' +
      '<A><!-- <B/> -->x<![CDATA[<B>&amp;]]>y<?pi <C/>?></A>\n<!-- after -->\n';
    const root = parseXmlTree(xml);
    expect(root.children).to.deep.equal([]);
    expect(root.text).to.equal('x<B>&amp;y');
  });

  it('accepts non-ASCII names and attribute values with ">"', () => {
    const root = parseXmlTree('<Été:x-1.b ä="a>b"/>');
    expect(root.name).to.equal('Été:x-1.b');
    expect(root.attrs['ä']).to.equal('a>b');
  });

  it('gives attributes no prototype', () => {
    const root = parseXmlTree('<A toString="x"/>');
    expect(Object.getPrototypeOf(root.attrs)).to.equal(null);
  });
});

describe('cimxml xml-tree: refusals', () => {
  it('refuses a DTD where it is met', () => {
    expect(syntaxError('<!DOCTYPE A [<!ENTITY e "x">]><A>&e;</A>')).to.match(/^line 1, column 1: a document type declaration/);
    expect(syntaxError('<A>\n<!ENTITY e "x"></A>')).to.match(/^line 2, column 1: .*document type/);
    expect(syntaxError('<!doctype A><A/>')).to.match(/document type/);
    expect(syntaxError('<A><!ELEMENT A ANY></A>')).to.match(/unexpected "<!"/);
  });

  it('refuses mismatched, missing and stray end tags, saying where', () => {
    expect(syntaxError('<A>\n  <B></A></B>')).to.equal('line 2, column 6: end tag </A> does not match <B>');
    expect(syntaxError('<A><B></B>')).to.match(/unclosed element <A>/);
    expect(syntaxError('<A/></A>')).to.match(/end tag <\/A> without a start tag/);
    expect(syntaxError('<A></A x>')).to.match(/unexpected "x" in end tag/);
    expect(syntaxError('<A></A')).to.match(/unterminated end tag/);
  });

  it('refuses no root, two roots and text or CDATA outside the root', () => {
    expect(syntaxError('')).to.equal('no root element');
    expect(syntaxError('  <!-- only a comment -->  ')).to.equal('no root element');
    expect(syntaxError('<A/><B/>')).to.match(/line 1, column 5: more than one root element/);
    expect(syntaxError('<A/>x')).to.match(/line 1, column 5: text outside the root element/);
    expect(syntaxError('hello<A/>')).to.match(/text outside the root element/);
    expect(syntaxError('<![CDATA[x]]><A/>')).to.match(/CDATA section outside the root element/);
  });

  it('refuses bad attribute syntax', () => {
    expect(syntaxError('<A x/>')).to.match(/attribute x of <A> has no value/);
    expect(syntaxError('<A x=1/>')).to.match(/value of attribute x of <A> is not quoted/);
    expect(syntaxError('<A x="1/>')).to.match(/unterminated value of attribute x|"<" in the value/);
    expect(syntaxError('<A x="1"y="2"/>')).to.match(/white space before an attribute/);
    expect(syntaxError('<A x="1" x=\'2\'/>')).to.match(/line 1, column 10: duplicate attribute x in <A>/);
    expect(syntaxError('<A x="a<b"/>')).to.match(/line 1, column 8: "<" in the value of attribute x/);
    expect(syntaxError('<A x="1" / >')).to.match(/expected "\/>"/);
    expect(syntaxError('<A __proto__="1"/>')).to.match(/__proto__/);
    expect(syntaxError('<A><__proto__/></A>')).to.match(/__proto__/);
  });

  it('refuses invalid name characters', () => {
    expect(syntaxError('<1A/>')).to.match(/invalid character "1" where element name should start/);
    expect(syntaxError('< A/>')).to.match(/invalid character " "/);
    expect(syntaxError('<A -x="1"/>')).to.match(/where attribute name should start/);
    expect(syntaxError('<A b\u00d7="1"/>')).to.match(/has no value|invalid character/);
    expect(syntaxError('<A></ A>')).to.match(/where end tag name should start/);
  });

  it('refuses unterminated constructs', () => {
    expect(syntaxError('<A>x<')).to.match(/unterminated element/);
    expect(syntaxError('<A x="1"')).to.match(/unterminated start tag <A>/);
    expect(syntaxError('<A><!-- x</A>')).to.match(/unterminated comment/);
    expect(syntaxError('<A><![CDATA[x</A>')).to.match(/unterminated CDATA section/);
    expect(syntaxError('<?xml version="1.0"<A/>')).to.match(/unterminated processing instruction/);
    expect(syntaxError('<A></A><? ?>')).to.match(/processing instruction name should start/);
  });

  it('refuses an XML declaration that is malformed or not at the start (XML 1.0 §2.8)', () => {
    expect(() => parseXmlTree(`<?xml version='1.0' encoding="UTF-8" standalone='no'?><A/>`)).to.not.throw();
    expect(() => parseXmlTree('\uFEFF<?xml version="1.0"?><A/>')).to.not.throw();
    expect(syntaxError('\n<?xml version="1.0"?><A/>')).to.match(/line 2, column 1: the XML declaration is allowed only at the start/);
    expect(syntaxError('<A><?xml version="1.0"?></A>')).to.match(/only at the start/);
    for (const decl of ['<?xml?>', '<?xml version=1.0?>', '<?xml version="1.0" encoding="ut"f-8"?>', '<?xml ve\'sion="1.0"?>', '<?xml encoding="utf-8" version="1.0"?>']) {
      expect(syntaxError(`${decl}<A/>`), decl).to.match(/line 1, column 1: malformed XML declaration/);
    }
    expect(() => parseXmlTree('<?xml-stylesheet href="a"?><A/>')).to.not.throw();
  });

  it('reports reference errors as decodeReferences does, with where they are', () => {
    expect(syntaxError('<A>\nab&nbsp;</A>')).to.match(/^line 2, column 3: unknown entity reference "&nbsp;"/);
    expect(syntaxError('<A x="&#0;"/>')).to.match(/line 1, column 7: character reference to U\+0,/);
    expect(syntaxError('<A>a & b</A>')).to.match(/"&" that starts no reference/);
    // The wrong reference itself, not the first one of its text.
    expect(syntaxError('<A>&amp;&lt;x&bogus;</A>')).to.match(/^line 1, column 14: unknown entity reference "&bogus;"/);
    expect(syntaxError('<A v="&amp;&#1;"/>')).to.match(/^line 1, column 12: character reference to U\+1,/);
  });

  it('decodes every reference form, astral code points included, and refuses the malformed ones', () => {
    const root = parseXmlTree('<A x="&#x1F600;&#128512;&#X41;&#0066;">&lt;&gt;&amp;&quot;&apos;&#9;&#xD;</A>');
    expect(root.attrs['x']).to.equal('\u{1F600}\u{1F600}AB');
    expect(root.text).to.equal('<>&"\'\t\r');
    expect(syntaxError('<A>&#x41</A>')).to.match(/unknown entity reference "&#x41"/);
    expect(syntaxError('<A>&#x;</A>')).to.match(/unknown entity reference "&#x;"/);
    expect(syntaxError('<A>&#x123456789;</A>')).to.match(/unknown entity reference/);
    expect(syntaxError('<A>&constructor;</A>')).to.match(/unknown entity reference "&constructor;"/);
    expect(syntaxError('<A>&#xD800;</A>')).to.match(/character reference to U\+D800/);
    expect(syntaxError('<A>&#x110000;</A>')).to.match(/character reference to U\+110000/);
  });

  it('decodes millions of references, or refuses a text of stray "&", in linear time and memory', () => {
    // 16 MiB of "&" once took seconds and two gigabytes: every match was collected first.
    let t = Date.now();
    expect(syntaxError(`<A>${'&'.repeat(16 * 1024 * 1024)}</A>`)).to.match(/line 1, column 4: a "&" that starts no reference/);
    expect(Date.now() - t).to.be.below(1500);
    t = Date.now();
    expect(parseXmlTree(`<A>${'&lt;'.repeat(1_000_000)}</A>`).text).to.equal('<'.repeat(1_000_000));
    expect(Date.now() - t).to.be.below(3000);
  });

  it('refuses characters XML does not allow, raw in a name, a value, text or a comment, saying where', () => {
    expect(syntaxError('<A x="X\u0001Y"/>')).to.match(/^line 1, column 8: character U\+0001 is not allowed in XML/);
    expect(syntaxError('<A>\nok\u001f</A>')).to.match(/^line 2, column 3: character U\+001F/);
    expect(syntaxError('<A><!-- \u0000 --></A>')).to.match(/character U\+0000/);
    expect(syntaxError('<A>\uFFFE</A>')).to.match(/character U\+FFFE/);
    // Tab, LF and CR are characters.
    expect(parseXmlTree('<A x="a\tb">\r\n\t</A>').attrs['x']).to.equal('a\tb');
  });
});

describe('cimxml xml-tree: limits', () => {
  it('counts depth as it goes, self-closing elements included', () => {
    expect(() => parseXmlTree('<A><B><C/></B></A>', { maxDepth: 3 })).to.not.throw();
    expect(() => parseXmlTree('<A><B><C><D/></C></B></A>', { maxDepth: 3 })).to.throw(XmlLimitError, /nested deeper than 3/);
  });

  it('counts elements as it goes, before the rest of the document is read', () => {
    expect(() => parseXmlTree('<A><B/><B/></A>', { maxElements: 3 })).to.not.throw();
    // The garbage after the fourth element is never reached.
    expect(() => parseXmlTree('<A><B/><B/><B/><<<', { maxElements: 3 })).to.throw(XmlLimitError, /more than 3 elements/);
  });
});

describe('cimxml xml-tree: line ends', () => {
  it('normalises CR LF and lone CR to LF in text, CDATA and attribute values, but not in references', () => {
    const root = parseXmlTree('<A x="a\r\nb\rc&#13;">1\r\n2\r3&#13;&#10;<![CDATA[4\r\n5]]></A>');
    expect(root.attrs['x']).to.equal('a\nb\nc\r');
    expect(root.text).to.equal('1\n2\n3\r\n4\n5');
  });
});
