/**
 * bin/xen-wbem rebuilds when a source is newer than dist/. Run on a fixture checkout whose
 * "tsc" is a stand-in that counts its runs and writes dist/src/main.js in two halves with a
 * pause between (a torn file to whoever reads it then), so what is checked is the launcher's
 * own behaviour when several launches start at once.
 */
import { expect } from 'chai';
import { execa } from 'execa';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/test-server.js';

const FAKE_TSC = `
const fs = require('node:fs'), path = require('node:path');
const root = path.resolve(__dirname, '..', '..', '..');
fs.appendFileSync(path.join(root, 'tsc-runs.log'), process.pid + '\\n');
const out = path.join(root, 'dist', 'src', 'main.js');
fs.mkdirSync(path.dirname(out), { recursive: true });
const fd = fs.openSync(out, 'w');
fs.writeSync(fd, 'console.log(');
const until = Date.now() + 400; while (Date.now() < until) { /* a slow compile */ }
fs.writeSync(fd, '"served " + process.argv.slice(2).join(" "));\\n');
fs.closeSync(fd);
`;

describe('cli: bin/xen-wbem rebuilds a stale dist/ once, whatever the number of launches', function () {
  this.timeout(60_000);
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'xen-wbem-launcher-'));
    mkdirSync(path.join(root, 'bin'));
    copyFileSync(path.join(REPO_ROOT, 'bin', 'xen-wbem'), path.join(root, 'bin', 'xen-wbem'));
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src', 'main.ts'), 'export {};\n');
    mkdirSync(path.join(root, 'node_modules', 'typescript', 'bin'), { recursive: true });
    writeFileSync(path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), FAKE_TSC);
    writeFileSync(path.join(root, 'node_modules', 'typescript', 'package.json'), '{"type":"commonjs"}\n');
    writeFileSync(path.join(root, 'package.json'), '{"type":"module"}\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const launch = () => execa(process.execPath, [path.join(root, 'bin', 'xen-wbem'), 'serve'], { reject: false, timeout: 30_000 });
  const runs = () => readFileSync(path.join(root, 'tsc-runs.log'), 'utf8').trim().split('\n').length;

  it('four launches at once: one build, the others wait for it and all run the complete output', async () => {
    const results = await Promise.all([launch(), launch(), launch(), launch()]);
    for (const r of results) {
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('served serve');
    }
    expect(runs()).to.equal(1);
    // Fresh now: the next launch builds nothing.
    const again = await launch();
    expect(again.stdout).to.equal('served serve');
    expect(again.stderr).to.equal('');
    expect(runs()).to.equal(1);
  });

  it('a build lock left by a killed launch is taken over', async () => {
    mkdirSync(path.join(root, 'dist'));
    writeFileSync(path.join(root, 'dist', '.build.lock'), JSON.stringify({ pid: 2 ** 22 + 7, start: '1' }) + '\n');
    const r = await launch();
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('served serve');
    expect(runs()).to.equal(1);
  });

  it('a source edited after the build is built again', async () => {
    expect((await launch()).stdout).to.equal('served serve');
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(root, 'src', 'main.ts'), later, later);
    const r = await launch();
    expect(r.stderr).to.contain('src/main.ts changed since the last build');
    expect(runs()).to.equal(2);
  });
});
