import { expect } from 'chai';
import { CIM_ERR, CimDateTime, type CimInstance } from '../../src/cim/index.js';
import { parseCqlPattern, parseWql } from '../../src/operations/query/wql-parser.js';
import { cqlLikeMatch, likeMatch } from '../../src/operations/query/wql-eval.js';
import { admin, cn, code, error, run, world, type World } from './fixtures/setup.js';

function names(list: CimInstance[]): string[] {
  return list.map((i) => i.path!.keyString('Name') ?? i.path!.keyString('InstanceID')!).sort();
}

/** The error parseWql throws for `text` (fails the test when it parses). */
function parseError(text: string): { code: number; description: string } {
  try {
    parseWql(text);
  } catch (e) {
    return e as { code: number; description: string };
  }
  return expect.fail('no error');
}

describe('operations: WQL parser', () => {
  it('parses SELECT *, property lists, WHERE with precedence', () => {
    const q = parseWql("select Name, T_System.Vcpus FROM T_System where a = 1 or b = 'x' and not c <> TRUE");
    expect(q.properties!.map((p) => p.name)).to.deep.equal(['Name', 'Vcpus']);
    expect(q.from).to.equal('T_System');
    expect(q.where!.kind).to.equal('or');
    expect(parseWql('SELECT * FROM X').properties).to.equal(null);
  });

  it('refuses a WHERE clause nested or chained without end as an invalid query (not a stack overflow later)', () => {
    const cases = [
      `SELECT * FROM X WHERE ${'('.repeat(5000)}a = 1${')'.repeat(5000)}`,
      `SELECT * FROM X WHERE ${'NOT '.repeat(6000)}a = 1`,
      `SELECT * FROM X WHERE ${Array.from({ length: 8000 }, (_, i) => `a = ${i}`).join(' OR ')}`,
    ];
    for (const text of cases) {
      const err = parseError(text);
      expect(err.code).to.equal(CIM_ERR.INVALID_QUERY);
      expect(err.description).to.match(/nests parentheses and NOT deeper than 64|has more than 1024 conditions/);
    }
    expect(parseWql(`SELECT * FROM X WHERE ${'('.repeat(60)}a = 1${')'.repeat(60)}`).where).to.not.equal(null);
  });

  it('refuses a query text longer than 256 KiB at once, before it is split into tokens', () => {
    for (const text of [`SELECT * FROM X WHERE ${'('.repeat(16 << 20)}`, `SELECT ${'a,'.repeat(4 << 20)}b FROM X`]) {
      const t0 = performance.now();
      const err = parseError(text);
      expect(err.code).to.equal(CIM_ERR.INVALID_QUERY);
      expect(err.description).to.match(/at most 262144 are accepted/);
      expect(performance.now() - t0, 'it took seconds and gigabytes to tokenise').to.be.below(500);
    }
    const long = `SELECT * FROM X WHERE a = '${'x'.repeat(200_000)}'`;
    expect((parseWql(long).where as { right: { value: string } }).right.value).to.have.length(200_000);
  });

  it('LIKE matches in one pass: % any run, _ one character, case ignored; a pattern of many %_ pairs takes no time', () => {
    const m = (p: string, t: string) => likeMatch(Array.from(p.toLowerCase()), t);
    expect([m('HOST%', 'host1'), m('_eb', 'web'), m('_eb', 'webb'), m('%a%b%', 'xxaYYbzz'), m('%', ''), m('a_', 'a'), m('a%%', 'a')])
      .to.deep.equal([true, true, false, true, true, false, true]);
    expect([m('é_', 'ÉA'), m('%.*%', 'x.*y'), m('[ab]', '[ab]'), m('%😀_', 'a😀b')]).to.deep.equal([true, true, true, true]);
    const t0 = performance.now();
    expect(m(`${'%_'.repeat(40)}#`, 'x'.repeat(200))).to.equal(false);
    expect(performance.now() - t0, 'a regular expression took hours here').to.be.below(200);
  });

  it('reports syntax errors as CIM_ERR_INVALID_QUERY with the position', () => {
    for (const [text, pos] of [['SELECT FROM X', 8], ['SELECT * FROM X WHERE', 22], ["SELECT * FROM X WHERE a = 'open", 27], ['SELECT * FROM X WHERE a ~ 1', 25], ['SELECT * X', 10]] as const) {
      try {
        parseWql(text);
        expect.fail(`no error for ${text}`);
      } catch (e) {
        const err = e as { code: number; description: string };
        expect(err.code, text).to.equal(CIM_ERR.INVALID_QUERY);
        expect(err.description, text).to.contain(`position ${pos}`);
      }
    }
  });
});

describe('operations: ExecQuery', () => {
  let w: World;
  beforeEach(() => { w = world(); });
  afterEach(() => w.ops.close());

  async function q(query: string, lang = 'WQL'): Promise<CimInstance[]> {
    const r = await run(w, 'ExecQuery', { QueryLanguage: lang, Query: query });
    if (r.result.kind !== 'objectsWithPath') throw new Error();
    return r.result.instances;
  }

  it('a costly WHERE clause over many instances lets other requests in while it is evaluated', async () => {
    for (let i = 0; i < 400; i++) {
      w.systems.add(w.cls('T_VirtualSystem'), { CreationClassName: 'T_VirtualSystem', Name: `bulk${i}`, ElementName: 'x'.repeat(200), Vcpus: 1, EnabledState: 2, Memory: 64 });
    }
    // 300 LIKE conditions that never match, each at pattern × text steps against ElementName.
    const where = Array.from({ length: 300 }, () => `ElementName LIKE '%${'_%'.repeat(40)}z'`).join(' OR ');
    const order: string[] = [];
    const query = q(`SELECT * FROM T_VirtualSystem WHERE ${where}`).then((r) => { order.push('query'); return r; });
    // Started once the query is under way: answered before the query ends.
    await new Promise((r) => setImmediate(r));
    const quick = run(w, 'GetClass', { ClassName: cn('T_Host') }).then(() => order.push('GetClass'));
    expect(await query).to.deep.equal([]);
    await quick;
    expect(order).to.deep.equal(['GetClass', 'query']);
  });

  it('SELECT * over a class and its subclasses, paths with namespace and host', async () => {
    const r = await q('SELECT * FROM T_System');
    expect(names(r)).to.deep.equal(['host1', 'vm1', 'vm2']);
    expect(r[0]!.path!.namespace).to.equal('root/test');
    expect(r[0]!.path!.host).to.equal('testhost');
  });

  it('the SELECT list becomes the PropertyList of the encoding', async () => {
    const r = await run(w, 'ExecQuery', { QueryLanguage: 'wql', Query: 'SELECT name, vcpus FROM T_VirtualSystem' });
    expect([...r.flags.propertyList!]).to.deep.equal(['Name', 'Vcpus']);
  });

  it('comparisons, AND/OR/NOT, parentheses, numbers, strings, booleans, case-insensitive names', async () => {
    expect(names(await q('SELECT * FROM T_System WHERE memory >= 4096'))).to.deep.equal(['host1', 'vm2']);
    expect(names(await q("SELECT * FROM T_System WHERE ElementName = 'web' OR (Memory < 2000 AND NOT EnabledState = 2)"))).to.deep.equal(['vm1']);
    expect(names(await q('SELECT * FROM T_System WHERE EnabledState <> 2'))).to.deep.equal(['vm2']);
    expect(names(await q('SELECT * FROM T_System WHERE EnabledState != 2'))).to.deep.equal(['vm2']);
    expect(names(await q("SELECT * FROM T_System WHERE Memory = '1024'"))).to.deep.equal(['vm1']);
    expect(names(await q('SELECT * FROM T_Setting WHERE Quantity > 1000.5'))).to.deep.equal(['vm1/mem', 'vm2/mem']);
    expect(names(await q("SELECT * FROM T_System WHERE ElementName >= 'd' AND ElementName < 'w'"))).to.deep.equal(['vm2']);
  });

  it('a long number, or a long string read as a number, costs time in proportion to its length', async () => {
    const digits = '9'.repeat(100_000);
    const t0 = Date.now();
    // Malformed: refused at parse (the number pattern used to backtrack quadratically here).
    expect(await code(run(w, 'ExecQuery', { QueryLanguage: 'WQL', Query: `SELECT * FROM T_System WHERE Memory = ${digits}a` }))).to.equal(CIM_ERR.INVALID_QUERY);
    // A string compared with a number property is read as a number, for every instance.
    expect(names(await q(`SELECT * FROM T_System WHERE Memory = '${digits}x'`))).to.deep.equal([]);
    expect(names(await q(`SELECT * FROM T_System WHERE Memory < '${digits}'`))).to.deep.equal(['host1', 'vm1', 'vm2']);
    expect(names(await q(`SELECT * FROM T_System WHERE Memory > '-${digits}.5'`))).to.deep.equal(['host1', 'vm1', 'vm2']);
    expect(names(await q(`SELECT * FROM T_System WHERE Memory < ${digits}`))).to.deep.equal(['host1', 'vm1', 'vm2']);
    expect(Date.now() - t0).to.be.below(3000);
    // Exact integer comparison is kept where it matters (beyond 2^53).
    expect(names(await q("SELECT * FROM T_System WHERE Memory < '18446744073709551615'"))).to.deep.equal(['host1', 'vm1', 'vm2']);
  });

  it('IS [NOT] NULL, NULL comparisons are unknown, arrays match any element, LIKE', async () => {
    expect(names(await q('SELECT * FROM T_Setting WHERE Note IS NULL'))).to.deep.equal(['vm2/mem']);
    expect(names(await q('SELECT * FROM T_Setting WHERE Note IS NOT NULL'))).to.deep.equal(['vm1/mem']);
    expect(names(await q("SELECT * FROM T_Setting WHERE NOT Note = 'memory'"))).to.deep.equal([]);
    expect(names(await q("SELECT * FROM T_System WHERE Tags = 'web'"))).to.deep.equal(['vm1']);
    expect(names(await q("SELECT * FROM T_System WHERE ElementName LIKE 'HOST%'"))).to.deep.equal(['host1']);
    expect(names(await q("SELECT * FROM T_System WHERE ElementName NOT LIKE '_eb'"))).to.deep.equal(['host1', 'vm2']);
  });

  it('ISA on the instance class (__Class) and on reference properties', async () => {
    expect(names(await q('SELECT * FROM T_System WHERE __Class ISA T_VirtualSystem'))).to.deep.equal(['vm1', 'vm2']);
    const refs = await q('SELECT * FROM T_HostedDependency WHERE Antecedent ISA T_Host');
    expect(refs).to.have.length(2);
    expect(await q("SELECT * FROM T_System WHERE __Class = 'T_Host'")).to.have.length(1);
  });

  it('datetime and reference comparisons with string literals', async () => {
    w.systems.store.get('t_host')![0]!.set('Created', CimDateTime.tryParse('20240101120000.000000+000')!);
    expect(names(await q("SELECT * FROM T_System WHERE Created > '20230101000000.000000+000'"))).to.deep.equal(['host1']);
    expect(await q(`SELECT * FROM T_HostedDependency WHERE Dependent = 'T_VirtualSystem.CreationClassName="T_VirtualSystem",Name="vm1"'`)).to.have.length(1);
  });

  it('DMTF:CQL is accepted with the same subset; other languages → 14', async () => {
    expect(await q('SELECT * FROM T_Host', 'DMTF:CQL')).to.have.length(1);
    expect(await code(run(w, 'ExecQuery', { QueryLanguage: 'XPath', Query: 'x' }))).to.equal(CIM_ERR.QUERY_LANGUAGE_NOT_SUPPORTED);
  });

  it('DMTF:CQL LIKE is the DSP0202 pattern (. any character, * repeats, \\ escapes, case kept), not the WQL one', async () => {
    expect(names(await q("SELECT * FROM T_System WHERE ElementName LIKE 'Host.*'", 'DMTF:CQL'))).to.deep.equal(['host1']);
    expect(names(await q("SELECT * FROM T_System WHERE ElementName LIKE 'Host%'", 'DMTF:CQL'))).to.deep.equal([]);
    expect(names(await q("SELECT * FROM T_System WHERE ElementName LIKE 'host.*'", 'DMTF:CQL'))).to.deep.equal([]);
    expect(names(await q("SELECT * FROM T_System WHERE ElementName LIKE 'd*b'", 'DMTF:CQL'))).to.deep.equal(['vm2']);
    expect(names(await q("SELECT * FROM T_System WHERE ElementName NOT LIKE '.e.'", 'DMTF:CQL'))).to.deep.equal(['host1', 'vm2']);
    expect(names(await q("SELECT * FROM T_System WHERE ElementName LIKE 'host%'", 'WQL'))).to.deep.equal(['host1']);
    const e = await error(run(w, 'ExecQuery', { QueryLanguage: 'DMTF:CQL', Query: "SELECT * FROM T_System WHERE ElementName LIKE '*x'" }));
    expect(e.code).to.equal(CIM_ERR.INVALID_QUERY);
    expect(e.description).to.match(/position 48: .*"\*"/);
  });

  it('the CQL pattern matcher: each element once or repeated, escapes, no exponential backtracking', () => {
    const m = (p: string, t: string) => cqlLikeMatch(parseCqlPattern(p, 0), t);
    expect([m('a.c', 'abc'), m('a.c', 'ac'), m('a*b', 'b'), m('a*b', 'aaab'), m('.*', ''), m('x\\.y', 'x.y'), m('x\\.y', 'xzy'), m('\\*', '*'), m('😀.', '😀x')])
      .to.deep.equal([true, false, true, true, true, true, false, true, true]);
    const t0 = performance.now();
    expect(m(`${'.*'.repeat(40)}#`, 'x'.repeat(2000))).to.equal(false);
    expect(performance.now() - t0).to.be.below(500);
  });

  it('invalid queries: unknown class or property → 15 naming it; missing parameters → 4', async () => {
    const e = await error(run(w, 'ExecQuery', { QueryLanguage: 'WQL', Query: 'SELECT Bogus FROM T_System' }));
    expect(e.code).to.equal(CIM_ERR.INVALID_QUERY);
    expect(e.description).to.contain('Bogus');
    expect(await code(run(w, 'ExecQuery', { QueryLanguage: 'WQL', Query: 'SELECT * FROM T_Nope' }))).to.equal(CIM_ERR.INVALID_QUERY);
    expect(await code(run(w, 'ExecQuery', { QueryLanguage: 'WQL', Query: 'SELECT * FROM T_System WHERE Nope = 1' }))).to.equal(CIM_ERR.INVALID_QUERY);
    expect(await code(run(w, 'ExecQuery', { QueryLanguage: 'WQL' }, admin))).to.equal(CIM_ERR.INVALID_PARAMETER);
  });
});
