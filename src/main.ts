#!/usr/bin/env node
/** Entry point of the `xen-wbem` command. */
import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
