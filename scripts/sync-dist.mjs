#!/usr/bin/env node
// Run after `tsc -p tsconfig.json` (incremental), before the tests:
// - removes compiled files whose TypeScript source is gone (a test moved or deleted): tsc never
//   deletes its old outputs, and mocha runs every dist/test/**/*.test.js;
// - marks outputs as fresh when tsc left them alone because their source's content did not
//   change (a checkout or rebase only touched its mtime): bin/xen-wbem compares mtimes and
//   would otherwise rebuild dist/src in the middle of the tests that run it.
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const now = new Date();

function sync(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      sync(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
      continue;
    }
    const m = /^(.*)\.js(\.map)?$/.exec(entry.name);
    if (!m) continue;
    const source = path.join(root, path.relative(dist, dir), `${m[1]}.ts`);
    if (!existsSync(source)) rmSync(p);
    else if (statSync(p).mtimeMs < statSync(source).mtimeMs) utimesSync(p, now, now);
  }
}

for (const top of ['src', 'test', 'bench']) {
  const d = path.join(dist, top);
  if (existsSync(d)) sync(d);
}
