// Option parsing as glibc's getopt does it for xl: the global options go through getopt()
// without long options, each sub-command through getopt_long() in def_getopt (help first,
// every other failure "option `c' not supported.", exit 2). Expected texts were checked
// against glibc 2.36 getopt()/getopt_long() with xl's option strings.
import { expect } from 'chai';
import { cleanupTempDirs, newHost, sample, xl } from './helpers.js';

describe('xl-sim option parsing (glibc getopt)', () => {
  let st: string;
  before(() => { st = newHost(); });
  after(() => cleanupTempDirs());

  it('a long global option is short options to getopt() ("--x" is the invalid option \'-\')', async () => {
    const r = await xl(['--bogus', 'list'], { state: st });
    expect(r.stderr).to.equal("/usr/lib/xen-4.17/bin/xl: invalid option -- '-'\nunknown global option\n");
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
  });

  it('-h ends parsing with the help (exit 0) even when a bad option follows', async () => {
    for (const args of [['pause', '-h', '--bogus'], ['pause', '-hx'], ['pause', '--help', '-x']]) {
      const r = await xl(args, { state: st });
      expect(r.stdout, args.join(' ')).to.equal(sample('pause-noarg.out'));
      expect(r.stderr, args.join(' ')).to.equal('');
      expect(r.code, args.join(' ')).to.equal(0);
    }
  });

  it('a bad option before -h is still the usage error (exit 2)', async () => {
    const r = await xl(['pause', '-x', '-h'], { state: st });
    expect(r.stderr).to.equal("option `x' not supported.\n");
    expect(r.code).to.equal(2);
  });

  describe('xentop (getopt_long; usage() on stdout for every option error, exit 0)', () => {
    const XT = '/usr/lib/xen-4.17/bin/xentop';
    for (const [args, msg] of [
      [['-b', '-q'], `${XT}: invalid option -- 'q'\n`],
      [['--bogus'], `${XT}: unrecognized option '--bogus'\n`],
      [['-b', '-i'], `${XT}: option requires an argument -- 'i'\n`],
    ] as const) {
      it(`xentop ${args.join(' ')}`, async () => {
        const r = await xl(['xentop', ...args], { state: st });
        expect(r.stderr).to.equal(msg);
        expect(r.stdout).to.equal(sample('xentop-help.out'));
        expect(r.code).to.equal(0);
      });
    }

    it('-i and -d are read with atoi(); -i 0 wraps around (unsigned) to practically endless', async () => {
      const headers = (out: string) => out.split('\n').filter((l) => l.trimStart().startsWith('NAME')).length;
      let r = await xl(['xentop', '-b', '-i', '2abc', '-d', '0x5'], { state: st });
      expect(r.code).to.equal(0);
      expect(headers(r.stdout)).to.equal(2);
      // Still printing when the caller gives up.
      r = await xl(['xentop', '-b', '-i', '0', '-d', '0'], { state: st, timeout: 400 });
      expect(r.code).to.equal(-1);
    });
  });
});
