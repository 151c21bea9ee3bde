/**
 * The uplink's speed (`ethtool <if>`), read in the background once the last read is old: a link
 * that goes down ("Speed: Unknown!") or an ethtool that fails makes the speed unknown (the model
 * then refuses every reservation, docs/networks.md), it does not keep the speed of before.
 */
import { expect } from 'chai';
import { parseEthtoolSpeed, UplinkSource } from '../../../src/drivers/xl/uplink.js';
import type { RunResult, XlExecutor } from '../../../src/drivers/xl/runner.js';
import { VirtError } from '../../../src/virt/errors.js';

const up = (mbps: number): string => `Settings for eth0:\n\tSpeed: ${mbps}Mb/s\n\tDuplex: Full\n\tLink detected: yes\n`;
const down = 'Settings for eth0:\n\tSpeed: Unknown!\n\tDuplex: Unknown! (255)\n\tLink detected: no\n';

/** An ethtool answering from a list, one answer (or failure) per call. */
function ethtool(answers: Array<string | Error>): XlExecutor & { args: string[][] } {
  const args: string[][] = [];
  return {
    args,
    get calls() { return args.length; },
    async run(a: string[]): Promise<RunResult> {
      args.push(a);
      const next = answers.shift();
      if (next === undefined || next instanceof Error) throw next ?? new VirtError('failed', 'no answer');
      return { stdout: next, stderr: '', exitCode: 0 };
    },
  };
}

/** The next background read has ended (it runs on a resolved child process). */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

describe('xl driver: the uplink speed (ethtool)', () => {
  it('parses the speed, and an unknown one', () => {
    expect(parseEthtoolSpeed(up(10000))).to.equal(10_000_000_000);
    expect(parseEthtoolSpeed(down)).to.equal(undefined);
  });

  it('a link gone down after a first good read makes the speed unknown', async () => {
    const exec = ethtool([up(1000), down, down]);
    const src = new UplinkSource(exec, [], 'eth0', 1000, 0);
    expect(await src.bitsPerSecond()).to.equal(1_000_000_000);
    await src.bitsPerSecond(); // starts the background read that sees the link down
    await settle();
    expect(await src.bitsPerSecond()).to.equal(undefined);
  });

  it('an ethtool that fails after a first good read makes the speed unknown; a later good read brings it back', async () => {
    const exec = ethtool([up(10000), new VirtError('timeout', 'ethtool did not finish'), up(10000), up(10000)]);
    const src = new UplinkSource(exec, [], 'eth0', 1000, 0);
    expect(await src.bitsPerSecond()).to.equal(10_000_000_000);
    await src.bitsPerSecond();
    await settle();
    expect(await src.bitsPerSecond()).to.equal(undefined);
    await settle();
    expect(await src.bitsPerSecond()).to.equal(10_000_000_000);
  });

  it('reads at most once per period and serves the last speed meanwhile', async () => {
    const exec = ethtool([up(1000), up(10000)]);
    const src = new UplinkSource(exec, [], 'eth0', 1000);
    await Promise.all([src.bitsPerSecond(), src.bitsPerSecond()]);
    expect(await src.bitsPerSecond()).to.equal(1_000_000_000);
    expect(exec.args).to.deep.equal([['eth0']]);
  });
});
