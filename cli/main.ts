#!/usr/bin/env node
// The `ruong` command's entry (the package's bin, dist/cli/main.js). cli/young-generation.ts must run before any
// other module of the command is even compiled: an ES module's static imports are all fetched and compiled before
// the first of them runs, so when cli/command-line.ts was the entry, its whole graph (the config with zod, pino,
// the CLI's texts…) was parsed — and V8's young generation grown by that parsing — before the flag was set
// (issue 19, docs/benchmarks.md "Broker base memory"). Hence this module: the flag, then the command.
import './young-generation.js';

await import('./command-line.js');
