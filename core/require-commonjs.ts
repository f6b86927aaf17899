// `require` for the large CommonJS packages a service loads at start, instead of an ES-module `import`.
//
// When an ES module imports a CommonJS package, node runs its CommonJS export lexer (cjs-module-lexer) over the
// package's source, and over every file it re-exports, to find the named exports. For qlobber (30 KB), influx
// (38 KB), ioredis and mqtt (re-exports over many files) that is enough lexing for V8 to optimize the lexer on a
// helper thread at every start, and that compile leaves megabytes of anonymous memory behind: `ruong broker`
// started at 65–68 MB instead of 60 MB, `ruong api` at 94–99 MB instead of 86–87 (docs/benchmarks.md, "Base
// memory: the CommonJS lexer"). `require` loads the same file without lexing it; types come from `import type`.
// The lint (eslint.config.js) refuses a value import of these packages in the services.
import { createRequire } from 'node:module';

export const requireCommonJs = createRequire(import.meta.url);
