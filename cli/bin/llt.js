#!/usr/bin/env node
// Launcher for the `llt` command: registers tsx (resolved from this package, wherever the command is run from)
// and runs the TypeScript entry point in-process, so arguments, signals and exit status need no forwarding.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/main.ts', import.meta.url).href);
