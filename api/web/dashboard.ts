// Serves the dashboard's static files (no CDN: everything is in api/web/public, copied into dist by
// scripts/copy-assets.mjs, which also copies uPlot's dist files into public/vendor/uplot). When running from
// source (tests, tsx) the vendor files are served straight from node_modules/uplot/dist at the same URL.
// The CSP forbids inline and foreign scripts, so stored markup cannot run.
import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const publicDir = fileURLToPath(new URL('./public/', import.meta.url));

export const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** uPlot's dist directory inside node_modules, or undefined when the package is not installed. */
function uplotDist(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

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
  const dist = uplotDist();
  if (dist && !existsSync(join(publicDir, 'vendor', 'uplot'))) router.use('/vendor/uplot', express.static(dist, { maxAge: '1h' }));
  return router;
}
