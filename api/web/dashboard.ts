// Serves the dashboard's static files (no CDN: everything is in api/web/public, copied into dist by
// scripts/copy-assets.mjs, which also copies uPlot's dist files into public/vendor/uplot and qrcode-generator's
// ES module into public/vendor/qrcode). When running from source (tests, tsx) the vendor files are served
// straight from node_modules (uplot/dist, qrcode-generator/dist) at the same URLs.
// The CSP forbids inline and foreign scripts, so stored markup cannot run.
import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const publicDir = fileURLToPath(new URL('./public/', import.meta.url));

export const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** A package's dist directory inside node_modules, or undefined when the package is not installed. A package
 * whose `exports` hide package.json (qrcode-generator) is found by its main file, which sits in dist/. */
function packageDist(name: string): string | undefined {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve(`${name}/package.json`)), 'dist');
  } catch {
    try {
      return dirname(require.resolve(name));
    } catch {
      return undefined;
    }
  }
}

/** Browser files served from node_modules when the build has not copied them: URL folder → package. */
const VENDOR = { uplot: 'uplot', qrcode: 'qrcode-generator' } as const;

export function dashboardRoutes(): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set('Content-Security-Policy', CSP);
    next();
  });
  router.get('/docs', (_req, res) => {
    res.sendFile(join(publicDir, 'docs.html'));
  });
  router.use(express.static(publicDir, { index: 'index.html', maxAge: '5m' }));
  for (const [folder, pkg] of Object.entries(VENDOR)) {
    const dist = packageDist(pkg);
    if (dist && !existsSync(join(publicDir, 'vendor', folder))) router.use(`/vendor/${folder}`, express.static(dist, { maxAge: '1h' }));
  }
  return router;
}
