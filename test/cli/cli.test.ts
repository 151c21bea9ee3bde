/** The `xen-wbem` command line as a user runs it (bin/xen-wbem, built output). */
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/test-server.js';
import { parseUsers, verifyPassword } from '../../src/http/users.js';

const BIN = path.join(REPO_ROOT, 'bin', 'xen-wbem');

describe('cli: xen-wbem', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('user add / list / remove on a fresh data directory', async () => {
    const data = path.join(dir, 'var');
    const add = await execa(BIN, ['user', 'add', 'admin', '--role', 'admin', '--data', data], { env: { XEN_WBEM_PASSWORD: 'secret' }, reject: false });
    expect(add.exitCode, add.stderr).to.equal(0);
    expect(statSync(path.join(data, 'users.json')).mode & 0o777).to.equal(0o600);
    const viaStdin = await execa(BIN, ['user', 'add', 'viewer', '--role', 'reader', '--password-stdin', '--data', data], { input: 'pw\n', reject: false });
    expect(viaStdin.exitCode, viaStdin.stderr).to.equal(0);
    const list = await execa(BIN, ['user', 'list', '--data', data]);
    expect(list.stdout.split('\n')).to.deep.equal(['admin\tadmin', 'viewer\treader']);
    expect((await execa(BIN, ['user', 'remove', 'viewer', '--data', data])).exitCode).to.equal(0);
    expect((await execa(BIN, ['user', 'list', '--data', data])).stdout).to.equal('admin\tadmin');
  });

  it('refuses bad input with a clear message and a non-zero status', async () => {
    // Independent invocations: run them at once.
    const [noPw, badRole, badPort, beyond, relDir, badPeer, badSsh] = await Promise.all([
      execa(BIN, ['user', 'add', 'x', '--role', 'admin', '--data', dir], { env: { XEN_WBEM_PASSWORD: '' }, reject: false }),
      execa(BIN, ['user', 'add', 'x', '--role', 'root', '--data', dir], { env: { XEN_WBEM_PASSWORD: 'p' }, reject: false }),
      execa(BIN, ['serve', '--port', 'http'], { reject: false }),
      execa(BIN, ['serve', '--listen', '0.0.0.0', '--port', '0', '--data', path.join(dir, 'serve'), '--no-demo'], { reject: false, timeout: 20_000 }),
      execa(BIN, ['serve', '--image-dir', '/var/lib/xen/images', '--image-dir', 'images'], { reject: false }),
      execa(BIN, ['serve', '--peer', 'hostB'], { reject: false }),
      execa(BIN, ['serve', '--migration-ssh', ' '], { reject: false }),
    ]);
    expect(noPw.exitCode).to.not.equal(0);
    expect(noPw.stderr).to.contain('password');
    expect(badRole.stderr).to.contain('--role');
    expect(badPort.exitCode).to.not.equal(0);
    expect(badPort.stderr).to.contain('--port');
    expect(beyond.exitCode, 'no auth beyond loopback').to.not.equal(0);
    expect(beyond.stderr).to.match(/auth/i);
    expect(relDir.exitCode).to.not.equal(0);
    expect(relDir.stderr).to.contain('--image-dir needs an absolute directory, got "images"');
    expect(badPeer.exitCode).to.not.equal(0);
    expect(badPeer.stderr).to.contain('--peer hostB: expected NAME=URL');
    expect(badSsh.stderr).to.contain('--migration-ssh must be a command');
  });

  it('a number option given empty or not in digits is refused, not read as 0 (an empty $PORT served on a random port)', async () => {
    const runs = await Promise.all([
      ['--port', ''], ['--https-port', '0x10'], ['--metrics-interval', ''], ['--max-connections', '1e3'],
    ].map((opt) => execa(BIN, ['serve', ...opt, '--data', path.join(dir, 'never')], { reject: false, timeout: 20_000 })));
    const says = ['--port must be a port number, got ""', '--https-port must be a port number, got "0x10"',
      '--metrics-interval must be seconds between 0 and 86400, got ""', '--max-connections must be a positive integer, got "1e3"'];
    runs.forEach((r, i) => {
      expect(r.exitCode, says[i]).to.equal(1);
      expect(r.stderr).to.contain(says[i]);
    });
    const url = await execa(BIN, ['network', 'apply', path.join(REPO_ROOT, 'examples', 'network.yaml'), '--url', 'garbage'], { reject: false });
    expect(url.stderr).to.equal('xen-wbem: --url must be an http: or https: URL such as http://127.0.0.1:5988, got "garbage"');
  });
});

describe('cli: help, version and user management', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'xen-wbem-cli-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 }));

  it('--help for every command, --version', async () => {
    const helps = [
      [['--help'], 'serve'], [['serve', '--help'], '--https-only'], [['serve', '-h'], '--log-level'],
      [['user', '--help'], '--force'], [['user', 'add', '--help'], '--password-stdin'], [['user', 'remove', '-h'], 'user remove'],
    ] as const;
    // Independent invocations: run them at once.
    const [version, short, unknown, ...helped] = await Promise.all([
      execa(BIN, ['--version']), execa(BIN, ['-V']), execa(BIN, ['serve', '--bogus'], { reject: false }),
      ...helps.map(([args]) => execa(BIN, [...args], { reject: false })),
    ]);
    expect(version.stdout).to.match(/^xen-wbem \d+\.\d+\.\d+$/);
    expect(short.stdout).to.equal(version.stdout);
    helps.forEach(([args, shows], i) => {
      const r = helped[i]!;
      expect(r.exitCode, args.join(' ')).to.equal(0);
      expect(r.stdout, args.join(' ')).to.contain('Usage').and.contain(shows);
    });
    expect(unknown.exitCode).to.not.equal(0);
    expect(unknown.stderr).to.contain('--bogus').and.contain('serve --help');
  });

  it('--password-stdin at a terminal asks for the password and does not show it', async () => {
    const file = path.join(dir, 'users.json');
    // script(1) runs the command on a pseudo-terminal, and copies what the terminal shows to its output.
    const term = execa('script', ['-qec', `${BIN} user add ann --role admin --password-stdin --users ${file}`, '/dev/null'], { reject: false, timeout: 30_000 });
    let shown = '';
    term.stdout!.on('data', (c: Buffer) => {
      const before = shown;
      shown += c.toString();
      if (!before.includes('password for ann: ') && shown.includes('password for ann: ')) term.stdin!.write('s3cr\u007fret-pw\r');
    });
    const r = await term;
    expect(r.exitCode, shown).to.equal(0);
    expect(shown).to.contain('password for ann: ').and.contain('user ann (admin) written').and.not.contain('s3c').and.not.contain('ret-pw');
    const [ann] = parseUsers(readFileSync(file, 'utf8'), file);
    expect(await verifyPassword('s3cret-pw', ann!.hash)).to.equal(true);
  });

  it('user add refuses an existing user without --force; remove of an unknown user is an error', async () => {
    const env = { XEN_WBEM_PASSWORD: 'one' };
    expect((await execa(BIN, ['user', 'add', 'ann', '--role', 'reader', '--data', dir], { env })).exitCode).to.equal(0);
    const again = await execa(BIN, ['user', 'add', 'ann', '--role', 'admin', '--data', dir], { env, reject: false });
    expect(again.exitCode).to.equal(1);
    expect(again.stderr).to.contain('already exists').and.contain('--force');
    expect((await execa(BIN, ['user', 'list', '--data', dir])).stdout).to.equal('ann\treader');
    expect((await execa(BIN, ['user', 'add', 'ann', '--role', 'admin', '--force', '--data', dir], { env })).exitCode).to.equal(0);
    expect((await execa(BIN, ['user', 'list', '--data', dir])).stdout).to.equal('ann\tadmin');
    const ghost = await execa(BIN, ['user', 'remove', 'ghost', '--data', dir], { reject: false });
    expect(ghost.exitCode).to.equal(1);
    expect(ghost.stderr).to.contain('no user "ghost"');
    expect(ghost.stdout).to.equal('');
    // A --users FILE that is not there (a typo) is said, as serve says it, not listed as no users.
    const typo = await execa(BIN, ['user', 'list', '--users', path.join(dir, 'usres.json')], { reject: false });
    expect(typo.exitCode).to.equal(1);
    expect(typo.stderr).to.contain(`users file ${path.join(dir, 'usres.json')} does not exist`);
  });

  it('--password-stdin from a pipe left open (ssh without a terminal) takes the first line, without waiting for the end of input; a line without end is bounded', async () => {
    const data = path.join(dir, 'var');
    const open = execa(BIN, ['user', 'add', 'admin', '--role', 'admin', '--password-stdin', '--data', data], { reject: false, timeout: 20_000 });
    open.stdin!.write('s3cret\n');           // typed, Enter; the pipe stays open
    const r = await open;
    expect([r.exitCode, r.timedOut], r.stderr).to.deep.equal([0, false]);
    const [admin] = parseUsers(readFileSync(path.join(data, 'users.json'), 'utf8'), 'users.json');
    expect(await verifyPassword('s3cret', admin!.hash)).to.equal(true);
    const endless = await execa(BIN, ['user', 'add', 'x', '--role', 'admin', '--password-stdin', '--data', data], { input: 'a'.repeat(1 << 20), reject: false, timeout: 20_000 });
    expect(endless.exitCode).to.equal(1);
    expect(endless.stderr).to.contain('the password line is longer than 1024 bytes');
  });
});
