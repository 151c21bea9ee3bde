/**
 * What each folder of src/ may import, and no import cycles between folders; inside
 * src/providers, the profile folders: each reaches another only through its index.ts, shared/
 * reaches none, and no cycles between them. Reads the TypeScript sources (type-only imports
 * count too: they are dependencies of design).
 */
import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './support/test-server.js';

const SRC = path.join(REPO_ROOT, 'src');

/** Folder → the folders (or single files, relative to src/) it may import besides itself. */
const ALLOWED: Record<string, string[]> = {
  cim: [],
  mof: ['cim', 'repository'],
  repository: ['cim'],
  cimxml: ['cim'],
  http: ['operations/provider.ts'],
  operations: ['cim', 'repository'],
  providers: ['cim', 'repository', 'virt', 'operations/provider.ts'],
  virt: [],
  'drivers/xl': ['virt'],
  sim: [],
  topology: ['virt'],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function folderOf(rel: string): string {
  if (rel.startsWith('drivers/xl/')) return 'drivers/xl';
  const first = rel.split('/')[0]!;
  return rel.includes('/') ? first : '(top)';
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g)) out.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*'([^']+)'\s*\)/g)) out.push(m[1]!);
  return out.filter((s) => s.startsWith('.'));
}

interface Edge {
  /** The importing file and the imported one, relative to src/. */
  file: string;
  target: string;
}

/** Every relative import of every source file, resolved to the file it names. */
function allImports(files: string[]): Edge[] {
  const out: Edge[] = [];
  for (const file of files) {
    const rel = path.relative(SRC, file).split(path.sep).join('/');
    for (const spec of imports(file)) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep).join('/').replace(/\.js$/, '.ts');
      out.push({ file: rel, target });
    }
  }
  return out;
}

/** Fails on the first cycle of the graph, naming it. */
function expectNoCycle(graph: Map<string, Set<string>>, what: string): void {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (n: string, trail: string[]): void => {
    if (done.has(n)) return;
    if (visiting.has(n)) expect.fail(`${what} import cycle: ${[...trail, n].join(' → ')}`);
    visiting.add(n);
    for (const m of graph.get(n) ?? []) visit(m, [...trail, n]);
    visiting.delete(n);
    done.add(n);
  };
  for (const n of graph.keys()) visit(n, []);
}

function graphOf(pairs: [string, string][]): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const [from, to] of pairs) {
    if (from === to) continue;
    if (!g.has(from)) g.set(from, new Set());
    g.get(from)!.add(to);
  }
  return g;
}

describe('architecture: folders and what they import', () => {
  const files = filesUnder(SRC);
  const all = allImports(files);
  const edges = graphOf(all.map((e) => [folderOf(e.file), folderOf(e.target)]));

  it('every folder imports only what it may', () => {
    const violations: string[] = [];
    for (const { file, target } of all) {
      const from = folderOf(file);
      const to = folderOf(target);
      if (to === from || from === '(top)') continue; // app, main, cli, config, dispatcher, demo: the wiring
      const allowed = ALLOWED[from];
      if (!allowed) {
        violations.push(`${file}: folder ${from} is not in the table`);
        continue;
      }
      if (!allowed.includes(to) && !allowed.includes(target)) violations.push(`${file} imports ${target}`);
    }
    expect(violations).to.deep.equal([]);
    // The scan sees real imports (guards against a pattern that matches nothing).
    expect([...edges.get('providers') ?? []]).to.include.members(['cim', 'virt', 'operations']);
    expect([...edges.get('drivers/xl') ?? []]).to.include('virt');
    expect([...edges.get('(top)') ?? []]).to.include.members(['http', 'cimxml', 'operations', 'providers']);
  });

  it('no cycles between folders, and nothing imports the wiring', () => {
    for (const [from, tos] of edges) {
      if (from !== '(top)') expect([...tos], `${from} imports the wiring`).to.not.include('(top)');
    }
    expectNoCycle(edges, 'folder');
  });
});

describe('architecture: the profile folders of src/providers', () => {
  const PROVIDERS = path.join(SRC, 'providers');
  const files = filesUnder(PROVIDERS);
  const inside = allImports(files).filter((e) => e.target.startsWith('providers/'));
  /** `shared`, a profile folder such as `dsp1057-virtual-system`, or `index.ts` (the registration). */
  const unitOf = (rel: string): string => rel.split('/')[1]!;

  it('src/providers holds index.ts, shared/ and one folder per DMTF profile', () => {
    const entries = readdirSync(PROVIDERS).sort();
    expect(entries.filter((e) => !statSync(path.join(PROVIDERS, e)).isDirectory())).to.deep.equal(['index.ts']);
    const folders = entries.filter((e) => e !== 'index.ts');
    expect(folders).to.include('shared');
    for (const f of folders.filter((x) => x !== 'shared')) {
      expect(f, 'a profile folder is named dspNNNN-<profile-name>').to.match(/^dsp\d{4}-[a-z0-9-]+$/);
      expect(statSync(path.join(PROVIDERS, f, 'index.ts')).isFile(), `${f}/index.ts`).to.equal(true);
    }
  });

  it('a profile reaches another only through its index.ts; shared/ reaches no profile', () => {
    const violations: string[] = [];
    for (const { file, target } of inside) {
      const from = unitOf(file);
      const to = unitOf(target);
      if (from === to || to === 'shared' || from === 'index.ts') continue;
      if (from === 'shared') violations.push(`${file} (shared) imports the profile file ${target}`);
      else if (to === 'index.ts') violations.push(`${file} imports the registration`);
      else if (!target.endsWith(`/${to}/index.ts`)) violations.push(`${file} imports ${target}, not ${to}/index.ts`);
    }
    expect(violations).to.deep.equal([]);
  });

  it('no cycles between profile folders, nor between the files of one', () => {
    const units = graphOf(inside.map((e) => [unitOf(e.file), unitOf(e.target)]));
    // The scan sees the dependencies the specifications imply (guards against a pattern that matches nothing).
    expect([...units.get('dsp1042-system-virtualization') ?? []]).to.include.members(['dsp1041-resource-allocation', 'dsp1057-virtual-system', 'shared']);
    expectNoCycle(units, 'profile');
    expectNoCycle(graphOf(inside.map((e) => [e.file, e.target])), 'file');
  });
});
