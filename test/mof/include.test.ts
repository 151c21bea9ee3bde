import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Repository } from '../../src/repository/index.js';
import { compileMofFile, compileMofText, MofError } from '../../src/mof/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../../../test/mof/fixtures/${name}`, import.meta.url));
const shown = (name: string) => relative(process.cwd(), fixture(name));

async function fails(p: Promise<unknown>): Promise<MofError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(MofError);
    return e as MofError;
  }
  return expect.fail('expected a MofError');
}

describe('mof include and namespace pragmas', () => {
  it('follows includes relative to the including file and switches namespaces', async () => {
    const repo = new Repository();
    const r = await compileMofFile(fixture('main.mof'), repo, { namespace: 'root/default' });
    expect(r).to.deep.include({ classes: 5, qualifiers: 4 });
    expect(repo.namespaces().sort()).to.deep.equal(['root/default', 'root/first', 'root/second']);
    expect(repo.classNames('root/first')).to.deep.equal(['Fx_Base', 'Fx_Derived', 'Fx_AfterInclude']);
    expect(repo.classNames('root/second')).to.deep.equal(['Fx_Base', 'Fx_Derived']);
    expect(repo.classNames('root/default')).to.deep.equal([]);
    expect(repo.requireClass('root/second', 'Fx_Derived').keyNames).to.deep.equal(['Name']);
    expect(repo.getQualifierDeclaration('root/first', 'description')!.flavor.translatable).to.equal(true);
  });

  it('names the included file in errors', async () => {
    const e = await fails(compileMofFile(fixture('broken.mof'), new Repository(), { namespace: 'root/x' }));
    expect(e.message).to.equal(`${shown('sub/broken-class.mof')}:4:4: expected ';' after property declaration, found 'string'`);
    expect(e).to.include({ line: 4, col: 4, file: shown('sub/broken-class.mof') });
  });

  it('reports a missing include at the pragma', async () => {
    const e = await fails(compileMofFile(fixture('missing.mof'), new Repository(), { namespace: 'root/x' }));
    expect(e.message).to.match(new RegExp(`^${shown('missing.mof')}:2:4: cannot read included file .*nowhere\\.mof: no such file$`));
  });

  it('reports a missing top-level file', async () => {
    const e = await fails(compileMofFile(fixture('absent.mof'), new Repository(), { namespace: 'root/x' }));
    expect(e.message).to.match(/absent\.mof:1:1: cannot read MOF file: no such file/);
  });

  it('refuses include cycles', async () => {
    const e = await fails(compileMofFile(fixture('cycle-a.mof'), new Repository(), { namespace: 'root/x' }));
    expect(e.message).to.match(/cycle-b\.mof:1:1: include cycle: .*cycle-a\.mof → .*cycle-b\.mof → .*cycle-a\.mof/);
  });

  it('resolves includes of compileMofText against the virtual file directory', async () => {
    const repo = new Repository();
    const r = await compileMofText('#pragma include ("qualifiers.mof")\n#pragma include ("sub/base.mof")\nclass Fx_Mine : Fx_Base { };',
      fixture('virtual.mof'), repo, { namespace: 'root/v' });
    expect(r.classes).to.equal(2);
    expect(repo.requireClass('root/v', 'Fx_Mine').keyNames).to.deep.equal(['Name']);
  });

  it('refuses to include what is not a regular file (a FIFO would wait forever, /dev/zero fill memory)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mof-fifo-'));
    try {
      const fifo = join(dir, 'pipe.mof');
      execFileSync('mkfifo', [fifo]);
      for (const target of [fifo, '/dev/zero', dir]) {
        const e = await fails(compileMofText(`#pragma include ("${target}")`, 'v.mof', new Repository(), { namespace: 'root/v' }));
        expect(e.message).to.match(/^v\.mof:1:1: cannot read included file .*: (not a regular file|EISDIR)/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a namespace pragma without a name', async () => {
    const e = await fails(compileMofText('#pragma namespace ("")', 'v.mof', new Repository(), { namespace: 'root/v' }));
    expect(e.message).to.match(/^v\.mof:1:1: #pragma namespace takes one non-empty string/);
  });
});

describe('mof file encodings', () => {
  it('reads UTF-16 files that start with a byte-order mark', async () => {
    const repo = new Repository();
    await compileMofFile(fixture('utf16.mof'), repo, { namespace: 'root/u' });
    expect(repo.requireClass('root/u', 'U16_A').qualifiers.get('Description')!.value).to.equal('café ✓');
  });
});
