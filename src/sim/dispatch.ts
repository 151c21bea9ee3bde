// The `xl` command line in front of a simulated Xen host: global options, help, fault rules,
// then the sub-command. Commands are loaded on demand so that each process
// invocation starts fast.
import { err, Exit, hang, delay, out } from './io.js';
import { CAN_DRYRUN, COMMAND_MODULES, XL_COMMANDS } from './command-table.js';
import type { Globals } from './globals.js';

const XL_ARGV0 = '/usr/lib/xen-4.17/bin/xl'; // what Debian's xl wrapper execs (docs/xl-toolstack.md §1)

async function applyFaultRule(g: Globals, cmd: string, args: string[]): Promise<void> {
  const { readFaults, takeRule } = await import('./faults.js');
  const f = readFaults(g.dir);
  if (!f || !Array.isArray(f.rules) || !f.rules.some((r) => r && r.command === cmd)) return;
  const { acquireLock } = await import('./store.js');
  const lock = acquireLock(g.dir);
  let rule;
  try { rule = takeRule(g.dir, cmd); } finally { lock.release(); }
  if (!rule) return;
  if (rule.mode === 'hang') await hang();
  if (rule.mode === 'slow') { await delay(rule.delay_ms ?? 1000); return; }
  if (rule.mode === 'handshake') {
    g.brokenHandshake = { started: rule.started ?? true };
    return;
  }
  if (rule.mode === 'crash') {
    if (rule.at === 'handover') g.crashInHandover = true;
    else g.crashMidway = true;
    return;
  }
  if (rule.mode === 'fail') {
    const { failureFor } = await import('./fault-texts.js');
    const f2 = failureFor(g, cmd, args);
    if (rule.stderr !== undefined) err(rule.stderr.endsWith('\n') || rule.stderr === '' ? rule.stderr : rule.stderr + '\n');
    else err(f2.stderr);
    throw new Exit(rule.exit_code ?? f2.code);
  }
}

/**
 * Runs one xl command line; returns the exit status (or throws Exit) once the host state it
 * changed or saw is on disk. `xentop` is true when invoked under xentop's name (a link named
 * xentop): batch xentop instead of xl.
 */
export async function dispatch(argv: string[], g: Globals, xentop: boolean): Promise<number> {
  try {
    return await command(argv, g, xentop);
  } finally {
    const { durable } = await import('./group-commit.js');
    await durable();
  }
}

async function command(argv: string[], g: Globals, xentop: boolean): Promise<number> {
  // xentop batch mode as a pseudo-command (or when invoked through a link named xentop).
  if (argv[0] === 'xentop' || xentop) {
    const rest = argv[0] === 'xentop' ? argv.slice(1) : argv;
    await applyFaultRule(g, 'xentop', rest);
    const m = await import('./commands/xentop.js');
    return m.run('xentop', rest, g);
  }

  // iproute2's `ip` as a pseudo-command: the control domain's bridges.
  if (argv[0] === 'ip') {
    await applyFaultRule(g, 'ip', argv.slice(1));
    const m = await import('./commands/ip.js');
    return m.run('ip', argv.slice(1), g);
  }

  // The dom0 xenstore tools as pseudo-commands: the multi-call `xenstore <mode>` and its links.
  if (argv[0] === 'xenstore' || /^xenstore-[a-z]+$/.test(argv[0] ?? '')) {
    await applyFaultRule(g, argv[0]!, argv.slice(1));
    const m = await import('./commands/xenstore.js');
    return m.run(argv[0]!, argv.slice(1), g);
  }

  // ethtool as a pseudo-command: the uplink's link speed.
  if (argv[0] === 'ethtool') {
    await applyFaultRule(g, 'ethtool', argv.slice(1));
    const m = await import('./commands/ethtool.js');
    return m.run('ethtool', argv.slice(1), g);
  }

  // Global options: getopt "+vftTN" stops at the first non-option.
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { i++; break; }
    if (!a.startsWith('-') || a === '-') break;
    // getopt() without long options reads "--x" as short options: '-' is the invalid one.
    for (const c of a.slice(1)) {
      if (c === 'v') g.verbose++;
      else if (c === 'N') g.dryrun = true;
      else if (c === 'f') g.force = true;
      else if (c === 't' || c === 'T') { /* progress/timestamps: accepted */ }
      else {
        err(`${XL_ARGV0}: invalid option -- '${c}'\nunknown global option\n`);
        return 1;
      }
    }
  }
  if (i >= argv.length) {
    const { FULL_HELP } = await import('./usage-text.js');
    out(FULL_HELP);
    return 1;
  }
  const cmd = argv[i]!;
  const args = argv.slice(i + 1);
  if (cmd === 'help') {
    const { FULL_HELP, COMMAND_HELP } = await import('./usage-text.js');
    if (args.length === 0) out(FULL_HELP);
    else if (COMMAND_HELP[args[0]!] !== undefined) out(COMMAND_HELP[args[0]!]!);
    else out(`command "${args[0]}" not implemented\n`);
    return 0;
  }
  await applyFaultRule(g, cmd, args);
  if (!XL_COMMANDS.has(cmd)) {
    err('command not implemented\n');
    return 1;
  }
  if (g.dryrun && !CAN_DRYRUN.has(cmd)) {
    err('command does not implement -N (dryrun) option\n');
    return 1;
  }
  const mod = COMMAND_MODULES[cmd];
  if (!mod) {
    if (args.includes('-h') || args.includes('--help')) {
      const { printHelp } = await import('./cli-args.js');
      await printHelp(cmd);
      return 0;
    }
    // Commands we do not model still validate their <Domain> argument like xl does.
    const { COMMAND_HELP } = await import('./usage-text.js');
    const firstOp = args.find((a) => !a.startsWith('-'));
    if (firstOp !== undefined && new RegExp(`^Usage: xl \\[[^\\]]*\\] ${cmd} (\\[[^\\]]*\\] )?<Domain>`).test(COMMAND_HELP[cmd] ?? '')) {
      const { withHost } = await import('./session.js');
      const { findDomain } = await import('./domain-arg.js');
      withHost(g.dir, (ctx) => findDomain(ctx.state, firstOp));
    }
    err(`xl-sim: '${cmd}' is not simulated\n`);
    return 1;
  }
  const m = (await import(`./commands/${mod}.js`)) as { run: (c: string, a: string[], g: Globals) => Promise<number> | number };
  return m.run(cmd, args, g);
}
