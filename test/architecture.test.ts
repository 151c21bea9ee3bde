/**
 * DESIGN §2: what each folder of src/ may import, and no import cycles between folders.
 * Reads the TypeScript sources (type-only imports count too: they are dependencies of design).
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

describe('architecture (DESIGN §2)', () => {
  const files = filesUnder(SRC);
  const edges = new Map<string, Set<string>>();

  it('every folder imports only what it may', () => {
    const violations: string[] = [];
    for (const file of files) {
      const rel = path.relative(SRC, file).split(path.sep).join('/');
      const from = folderOf(rel);
      for (const spec of imports(file)) {
        const target = path.relative(SRC, path.resolve(path.dirname(file), spec)).split(path.sep).join('/').replace(/\.js$/, '.ts');
        const to = folderOf(target);
        if (to === from) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
        if (from === '(top)') continue; // app, main, cli, config, dispatcher, demo: the wiring
        const allowed = ALLOWED[from];
        if (!allowed) {
          violations.push(`${rel}: folder ${from} is not in the table`);
          continue;
        }
        if (!allowed.includes(to) && !allowed.includes(target)) violations.push(`${rel} imports ${target}`);
      }
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
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (n: string, trail: string[]): void => {
      if (done.has(n)) return;
      if (visiting.has(n)) expect.fail(`import cycle: ${[...trail, n].join(' → ')}`);
      visiting.add(n);
      for (const m of edges.get(n) ?? []) visit(m, [...trail, n]);
      visiting.delete(n);
      done.add(n);
    };
    for (const n of edges.keys()) visit(n, []);
  });
});
