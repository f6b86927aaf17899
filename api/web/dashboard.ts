// Serves the dashboard's static files (no CDN: everything is in api/web/public, copied into dist by
// scripts/copy-assets.mjs). The CSP forbids inline and foreign scripts, so stored markup cannot run.
import express, { Router } from 'express';
import { fileURLToPath } from 'node:url';

export const publicDir = fileURLToPath(new URL('./public/', import.meta.url));

export function dashboardRoutes(): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.set('Content-Security-Policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    next();
  });
  router.use(express.static(publicDir, { index: 'index.html', maxAge: '5m' }));
  return router;
}
