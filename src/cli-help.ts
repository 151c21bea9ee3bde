/**
 * The texts of `xen-wbem --help` and of each command's `--help` (cli.ts).
 */
import { DEFAULT_CONFIG } from './config.js';

export const MAIN_HELP = `Usage: xen-wbem <command> [options]

A WBEM server (CIM-XML over HTTP, DMTF DSP0200) for a Xen host.

Commands:
  serve           run the server (what \`npm start\` runs)
  user add        add a user (or replace one, with --force)
  user remove     remove a user
  user list       list the users and their roles
  network show    print a virtual network's topology (--svg FILE: draw it) from a server
  network list    list a server's virtual networks
  network apply   define a virtual network from a topology file (YAML) on a server

Options:
  -h, --help      this help; \`xen-wbem <command> --help\` for a command's options
  -V, --version   the version`;

export const SERVE_HELP = `Usage: xen-wbem serve [options]

  --port N                HTTP port (default 5988; 0 picks a free one)
  --https-port N          HTTPS port (default 5989), served when a certificate and key are given
  --tls-cert FILE         PEM certificate for HTTPS
  --tls-key FILE          PEM private key for HTTPS
  --https-only            no plain HTTP listener (the rule, not an option, beyond loopback)
  --listen ADDR           address to listen on (default 127.0.0.1); beyond loopback needs users
                          and TLS, and serves HTTPS only
  --data DIR              state: definitions, simulator host, users, audit log (default ./var)
  --xl PATH               the xl binary (default: the real xl on a Xen host, else bin/xl-sim)
  --image-dir DIR         a directory disks (and kernels, ramdisks) may be in; repeatable
                          (default /var/lib/xen/images and DIR/images)
  --boot-dir DIR          a directory kernels, ramdisks and bootloaders may be in; repeatable
                          (default /usr/lib/xen-4.17/boot, /usr/lib/xen-4.17/bin and /boot)
  --users FILE            users file (default DIR/users.json when present); must exist
  --host-name NAME        name used in Xen_HostSystem.Name and in object paths
  --peer NAME=URL         another host systems can migrate to, and its WBEM endpoint; repeatable
                          (credentials in DIR/peers.json, mode 0600; README: moving a system)
  --migration-ssh CMD     how xl migrate reaches another host's control domain (xl migrate -s;
                          default ssh), e.g. "ssh -i /etc/xen-wbem/migrate_key -l root"
  --no-demo               don't seed the demo network into a fresh simulator
  --metrics-interval SECONDS  metrics sampling interval (default ${DEFAULT_CONFIG.metricsIntervalMs / 1000}; 0 disables)
  --alert-threshold METRIC=VALUE  send a CIM_AlertIndication when a DSP1053 metric goes above
                          VALUE (e.g. CPUUtilization=90, MemoryInUse=4096); repeatable
  --max-connections N     open connections at most (default ${DEFAULT_CONFIG.maxConnections})
  --log-level LEVEL       debug, info, warn or error (default info)
  --log-format FORMAT     json (one object per line) or text; default: text on a terminal,
                          json otherwise (a service)
  -h, --help              this help`;

export const USER_HELP = `Usage:
  xen-wbem user add NAME --role reader|operator|admin [--password-stdin] [--force] [--users FILE | --data DIR]
  xen-wbem user remove NAME [--users FILE | --data DIR]
  xen-wbem user list [--users FILE | --data DIR]

  --role ROLE         reader (reads), operator (reads, state changes and jobs), admin (everything)
  --password-stdin    read the password from the first line of standard input (at a terminal:
                      asked for, not shown); otherwise it comes from XEN_WBEM_PASSWORD
  --force             replace an existing user's password and role
  --users FILE        the users file (default DIR/users.json)
  --data DIR          the data directory (default ./var)
  -h, --help          this help`;

export const NETWORK_VIEW_HELP = `Usage:
  xen-wbem network show NAME [--svg FILE] [options]
  xen-wbem network list [options]
  xen-wbem network apply FILE [options]   (see xen-wbem network apply --help)

Reads a running server's network pages (GET /networks/NAME.json, GET /networks): \`show\`
prints the routers, switches and links with their state and bandwidth; --svg FILE also writes
the drawing the server serves at /networks/NAME.svg.

  --svg FILE          write the drawing (SVG) to FILE
  --url URL           the server (default http://127.0.0.1:5988)
  --user NAME         authenticate as NAME; the password comes from the XEN_WBEM_PASSWORD
                      environment variable, or with --password-stdin from standard input
  --password-stdin    read the password from the first line of standard input
  --insecure          https: accept a certificate that cannot be verified (self-signed)
  -h, --help          this help`;

export const NETWORK_APPLY_HELP = `Usage: xen-wbem network apply FILE [options]

Sends the topology of FILE (YAML; README "Virtual networks") to a server as one
Xen_VirtualNetworkManagementService.DefineNetwork call: all of it is defined, or nothing.

  --url URL           the server (default http://127.0.0.1:5988)
  --namespace NS      its implementation namespace (default root/virt)
  --user NAME         authenticate as NAME; the password comes from the XEN_WBEM_PASSWORD
                      environment variable, or with --password-stdin from standard input
  --password-stdin    read the password from the first line of standard input
  --insecure          https: accept a certificate that cannot be verified (self-signed)
  -h, --help          this help`;
