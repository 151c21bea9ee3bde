#!/usr/bin/env node
// Removes compiled files in dist/ whose TypeScript source is gone (a test file moved or
// deleted). tsc never deletes its old outputs, and mocha runs every dist/test/**/*.test.js,
// so without this a removed test would keep running from its stale build.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

function prune(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
      continue;
    }
    const m = /^(.*)\.js(\.map)?$/.exec(entry.name);
    if (!m) continue;
    const source = path.join(root, path.relative(dist, dir), `${m[1]}.ts`);
    if (!existsSync(source)) rmSync(p);
  }
}

for (const top of ['src', 'test', 'bench']) {
  const d = path.join(dist, top);
  if (existsSync(d)) prune(d);
}
