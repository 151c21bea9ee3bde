/**
 * The command line: `xen-wbem serve [options]`, `xen-wbem user add|remove|list`, `--help` for
 * each, `--version`. Only parses and delegates; the wiring is in app.ts, imported only by the
 * commands that need it, so `user` and `--help` start in a fraction of the time.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { DEFAULT_CONFIG, productInfo, type ServerConfig } from './config.js';
import type { startServer } from './app.js';
import { addUser, listUsers, removeUser } from './http/users.js';
import type { LogLevel } from './http/index.js';
import { LOG_LEVELS, createLogger } from './logger.js';
import type { ViewClientOptions } from './network-view.js';
import type { Role } from './operations/provider.js';
import { parsePeerArg } from './peers.js';
import { MAIN_HELP, SERVE_HELP, USER_HELP, NETWORK_VIEW_HELP, NETWORK_APPLY_HELP } from './cli-help.js';

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * SIGTERM/SIGINT/SIGHUP: running jobs get this long to end before they are cancelled (3 s more for the
 * cancel), after the 2 s given to requests: within systemd's TimeoutStopSec=15 (contrib/).
 */
const STOP_DRAIN_MS = 7_000;

/** parseArgs with -h/--help added to every command. */
function absoluteDirs(dirs: string[], flag: string): string[] {
  for (const d of dirs) if (!d.startsWith('/')) throw new Error(`${flag} needs an absolute directory, got "${d}"`);
  return dirs;
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, positionals = false) {
  return parseArgs({ args, options: { ...options, ...HELP_OPTION }, allowPositionals: positionals, strict: true });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'user':
        return await user(rest);
      case 'network':
        return await network(rest);
      case '-V':
      case '--version':
      case 'version':
        console.log(`${productInfo().name} ${productInfo().version}`);
        return 0;
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        (command === undefined ? console.error : console.log)(MAIN_HELP);
        return command === undefined ? 2 : 0;
      default:
        console.error(`xen-wbem: unknown command "${command}"\n\n${MAIN_HELP}`);
        return 2;
    }
  } catch (e) {
    const err = e as Error & { code?: string };
    const usage = err.code?.startsWith('ERR_PARSE_ARGS') ? ` (see xen-wbem ${command} --help)` : '';
    console.error(`xen-wbem: ${err.message}${usage}`);
    return 1;
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string' },
    'https-port': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'https-only': { type: 'boolean' },
    listen: { type: 'string' },
    data: { type: 'string' },
    xl: { type: 'string' },
    'image-dir': { type: 'string', multiple: true },
    'boot-dir': { type: 'string', multiple: true },
    users: { type: 'string' },
    'host-name': { type: 'string' },
    peer: { type: 'string', multiple: true },
    'migration-ssh': { type: 'string' },
    'no-demo': { type: 'boolean' },
    'max-connections': { type: 'string' },
    'metrics-interval': { type: 'string' },
    'alert-threshold': { type: 'string', multiple: true },
    'log-level': { type: 'string' },
    'log-format': { type: 'string' },
  });
  if (values.help) { console.log(SERVE_HELP); return 0; }
  const config: ServerConfig = { ...DEFAULT_CONFIG };
  if (values.port !== undefined) config.port = port(values.port, '--port');
  if (values['https-port'] !== undefined) config.httpsPort = port(values['https-port'], '--https-port');
  if (values['tls-cert'] !== undefined) config.tlsCert = values['tls-cert'];
  if (values['tls-key'] !== undefined) config.tlsKey = values['tls-key'];
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined)) throw new Error('--tls-cert and --tls-key go together');
  if (values['https-only']) config.httpsOnly = true;
  if (values.listen !== undefined) config.listen = values.listen;
  if (values.data !== undefined) config.dataDir = values.data;
  if (values.xl !== undefined) config.xlPath = values.xl;
  if (values['image-dir'] !== undefined) config.imageDirs = absoluteDirs(values['image-dir'], '--image-dir');
  if (values['boot-dir'] !== undefined) config.bootDirs = absoluteDirs(values['boot-dir'], '--boot-dir');
  if (values.users !== undefined) config.usersFile = values.users;
  if (values['host-name'] !== undefined) config.hostName = values['host-name'];
  if (values.peer !== undefined) config.peers = values.peer.map(parsePeerArg);
  if (values['migration-ssh'] !== undefined) {
    if (values['migration-ssh'].trim() === '' || values['migration-ssh'].includes('\0')) throw new Error('--migration-ssh must be a command');
    config.migrationSsh = values['migration-ssh'];
  }
  if (values['no-demo']) config.demo = false;
  if (values['metrics-interval'] !== undefined) {
    // Digits only: Number('') is 0 (an empty $VAR turned sampling off), Number('1e3') 1000.
    const n = /^\d+(\.\d+)?$/.test(values['metrics-interval']) ? Number(values['metrics-interval']) : NaN;
    if (!Number.isFinite(n) || n < 0 || n > 86_400) throw new Error(`--metrics-interval must be seconds between 0 and 86400, got "${values['metrics-interval']}"`);
    config.metricsIntervalMs = Math.round(n * 1000);
  }
  if (values['alert-threshold'] !== undefined) {
    const t: Record<string, number> = {};
    for (const v of values['alert-threshold'] as string[]) {
      const m = /^([A-Za-z]+)=(-?\d+(?:\.\d+)?)$/.exec(v);
      if (!m) throw new Error(`--alert-threshold must be METRIC=VALUE (e.g. CPUUtilization=90), got "${v}"`);
      t[m[1]!] = Number(m[2]);
    }
    const { thresholdMetrics } = await import('./providers/dsp1054-indications/index.js');
    thresholdMetrics(t); // an unknown metric stops here, naming the known ones
    config.alertThresholds = t;
  }
  if (values['max-connections'] !== undefined) {
    const n = /^\d+$/.test(values['max-connections']) ? Number(values['max-connections']) : NaN;
    if (!Number.isInteger(n) || n < 1) throw new Error(`--max-connections must be a positive integer, got "${values['max-connections']}"`);
    config.maxConnections = n;
  }
  if (values['log-level'] !== undefined) {
    if (!LOG_LEVELS.includes(values['log-level'] as LogLevel)) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
    config.logLevel = values['log-level'] as LogLevel;
  }

  const format = values['log-format'];
  if (format !== undefined && format !== 'json' && format !== 'text') throw new Error('--log-format must be json or text');
  const log = createLogger({ level: config.logLevel, ...(format ? { format } : {}) });
  // The signal handlers come first: a stop asked for while the server is still starting waits
  // for the start, then closes it (the data-directory lock must never be left behind).
  let starting: Promise<Awaited<ReturnType<typeof startServer>>> | undefined;
  const stop = async (signal: string) => {
    log.info('shutting down', { signal });
    const t0 = performance.now();
    try {
      const server = await starting;
      await server?.close({ drainMs: STOP_DRAIN_MS });
      log.info('stopped', { ms: Math.round(performance.now() - t0) });
      process.exit(0);
    } catch (e) {
      log.error('shutdown failed', { error: e instanceof Error ? e.message : String(e) });
      process.exit(1);
    }
  };
  // `on`, not `once`: while an xl child runs, execa's exit hook (signal-exit) also listens, and
  // re-raises the signal with the default action when it finds itself the only listener left,
  // which killed the server in the middle of its clean stop. A second signal is ignored.
  let stopping = false;
  const onSignal = (signal: string) => () => {
    if (stopping) return;
    stopping = true;
    void stop(signal);
  };
  process.on('SIGINT', onSignal('SIGINT'));
  process.on('SIGTERM', onSignal('SIGTERM'));
  // SIGHUP (the terminal or ssh session the server was started from went away) killed it at
  // once, by the default action: jobs cut in the middle of xl, the lock left behind.
  process.on('SIGHUP', onSignal('SIGHUP'));
  starting = import('./app.js').then((app) => app.startServer(config, log));
  await starting;
  return -1; // keep running
}

async function user(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    role: { type: 'string' },
    users: { type: 'string' },
    data: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    force: { type: 'boolean' },
  }, true);
  if (values.help) { console.log(USER_HELP); return 0; }
  const file = values.users ?? path.join(values.data ?? DEFAULT_CONFIG.dataDir, 'users.json');
  const [sub, name, ...extra] = positionals;
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}" (see xen-wbem user --help)`);
  switch (sub) {
    case 'add': {
      if (!name) throw new Error('user add needs a NAME');
      const role = values.role as Role | undefined;
      if (role !== 'reader' && role !== 'operator' && role !== 'admin') throw new Error('--role must be reader, operator or admin');
      const password = values['password-stdin']
        ? await passwordFromStdin(`password for ${name}: `)
        : process.env.XEN_WBEM_PASSWORD ?? '';
      if (!password) throw new Error(values['password-stdin'] ? 'no password: the first line of standard input is empty' : 'no password: set XEN_WBEM_PASSWORD or use --password-stdin');
      await addUser(file, name, password, role, { replace: values.force === true });
      console.log(`user ${name} (${role}) written to ${file}`);
      return 0;
    }
    case 'remove': {
      if (!name) throw new Error('user remove needs a NAME');
      if (!(await removeUser(file, name))) throw new Error(`no user "${name}" in ${file}`);
      console.log(`user ${name} removed from ${file}`);
      return 0;
    }
    case 'list': {
      // A file named with --users must exist (as for serve): a typo is not "no users".
      if (values.users !== undefined && !existsSync(file)) throw new Error(`users file ${file} does not exist`);
      for (const u of await listUsers(file)) console.log(`${u.name}\t${u.role}`);
      return 0;
    }
    case undefined:
      console.error(USER_HELP);
      return 2;
    default:
      throw new Error(`unknown user command "${sub}" (see xen-wbem user --help)`);
  }
}

async function network(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'show':
    case 'list':
      return networkView(sub, rest);
    case 'apply':
      return networkApply(rest);
    case '-h':
    case '--help':
      console.log(NETWORK_VIEW_HELP);
      return 0;
    case undefined:
      console.error(NETWORK_VIEW_HELP);
      return 2;
    default:
      throw new Error(`unknown network command "${sub}" (see xen-wbem network --help)`);
  }
}

async function networkApply(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    url: { type: 'string' },
    namespace: { type: 'string' },
    user: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    insecure: { type: 'boolean' },
  }, true);
  if (values.help) { console.log(NETWORK_APPLY_HELP); return 0; }
  const [file, ...extra] = positionals;
  if (!file) throw new Error('network apply needs a FILE (see xen-wbem network apply --help)');
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}" (see xen-wbem network apply --help)`);
  const password = values['password-stdin'] ? await passwordFromStdin(`password of ${values.user ?? 'the user'}: `) : process.env.XEN_WBEM_PASSWORD;
  if (values.user !== undefined && !password) throw new Error('no password: set XEN_WBEM_PASSWORD or use --password-stdin');
  await assertCredentialsSafe(values.url ?? 'http://127.0.0.1:5988', values.user);
  if (values.url !== undefined && !/^https?:\/\/[^/]/.test(values.url)) throw new Error(`--url must be an http: or https: URL such as http://127.0.0.1:5988, got "${values.url}"`);
  const { applyNetworkFile } = await import('./network-apply.js');
  const { network: name } = await applyNetworkFile(file, {
    url: values.url ?? 'http://127.0.0.1:5988',
    namespace: values.namespace ?? 'root/virt',
    ...(values.user !== undefined ? { user: values.user, password } : {}),
    insecure: values.insecure === true,
  });
  console.log(`network ${name} defined from ${file}`);
  return 0;
}

async function networkView(sub: 'show' | 'list', args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    svg: { type: 'string' },
    url: { type: 'string' },
    user: { type: 'string' },
    'password-stdin': { type: 'boolean' },
    insecure: { type: 'boolean' },
  }, true);
  if (values.help) { console.log(NETWORK_VIEW_HELP); return 0; }
  const password = values['password-stdin'] ? await passwordFromStdin(`password of ${values.user ?? 'the user'}: `) : process.env.XEN_WBEM_PASSWORD;
  if (values.user !== undefined && !password) throw new Error('no password: set XEN_WBEM_PASSWORD or use --password-stdin');
  await assertCredentialsSafe(values.url ?? 'http://127.0.0.1:5988', values.user);
  const opts: ViewClientOptions = {
    url: values.url ?? 'http://127.0.0.1:5988',
    ...(values.user !== undefined ? { user: values.user, password } : {}),
    insecure: values.insecure === true,
  };
  if (sub === 'list') {
    if (positionals.length > 0 || values.svg !== undefined) throw new Error('network list takes no NAME and no --svg (see xen-wbem network --help)');
    const { listNetworks } = await import('./network-view.js');
    process.stdout.write(await listNetworks(opts));
    return 0;
  }
  const [name, ...extra] = positionals;
  if (!name) throw new Error('network show needs a NAME (see xen-wbem network --help)');
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}" (see xen-wbem network --help)`);
  const { showNetwork } = await import('./network-view.js');
  process.stdout.write(await showNetwork(opts, name, values.svg));
  if (values.svg !== undefined) console.error(`drawing written to ${values.svg}`);
  return 0;
}

/** The longest password line read from standard input. */
const PASSWORD_MAX_BYTES = 1024;

/**
 * The first line of a pipe or file, as soon as it is complete: a pipe left open (ssh without a
 * terminal, a script still writing) is not waited on to its end, and a line without end is
 * bounded. (A synchronous read of fd 0 waited for the end of input, and failed with EAGAIN on a
 * non-blocking pipe.)
 */
function firstLine(stdin: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const finish = (e?: Error): void => {
      stdin.off('data', onData).off('end', onEnd).off('error', finish);
      stdin.pause();
      stdin.unref?.();
      if (e) { reject(e); return; }
      resolve(Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '');
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks);
      const newline = text.indexOf(0x0a);
      if ((newline < 0 ? text.length : newline) > PASSWORD_MAX_BYTES) finish(new Error(`the password line is longer than ${PASSWORD_MAX_BYTES} bytes`));
      else if (newline >= 0) finish();
    };
    const onEnd = (): void => finish();
    stdin.on('data', onData).once('end', onEnd).once('error', finish);
  });
}

/**
 * `--password-stdin`: the first line of standard input. At a terminal (the README's service
 * set-up types it there) it is asked for and read without echo, so it is neither shown nor left
 * in the scrollback; otherwise (a pipe, a file) it is read as it comes.
 */
function passwordFromStdin(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return firstLine(stdin);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (e?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (e) reject(e);
      else resolve(typed);
    };
    const onData = (chunk: Buffer): void => {
      for (const c of chunk.toString('utf8')) {
        if (c === '\r' || c === '\n' || c === '\u0004') { done(); return; }
        if (c === '\u0003') { done(new Error('interrupted')); return; }
        if (c === '\u007f' || c === '\b') typed = Array.from(typed).slice(0, -1).join('');
        else if (c >= ' ') typed += c;
      }
    };
    stdin.setRawMode(true);     // before the prompt: nothing typed after it is echoed
    process.stderr.write(prompt);
    stdin.on('data', onData);
    stdin.resume();
  });
}

/**
 * Basic credentials never go over plain HTTP beyond loopback, the rule the server keeps for
 * itself: refused before anything is sent.
 */
async function assertCredentialsSafe(url: string, user: string | undefined): Promise<void> {
  if (user === undefined) return;
  const { isLoopback } = await import('./http/servers.js');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`--url must be a URL such as http://127.0.0.1:5988, got "${url}"`);
  }
  if (u.protocol === 'http:' && !isLoopback(u.hostname)) {
    throw new Error(`refusing to send the password of --user over plain HTTP to ${u.host}: it would cross the network in clear text; use https://`);
  }
}

function port(text: string, flag: string): number {
  // Digits only: Number('') is 0, and --port '' (an empty $VAR) served on a random port.
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number, got "${text}"`);
  return n;
}
