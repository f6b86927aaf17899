// Copies the dashboard's static files next to the compiled API so `node dist/...` serves them offline,
// with uPlot's browser builds (from node_modules) in public/vendor/uplot and qrcode-generator's ES module (the
// device-credential QR code) in public/vendor/qrcode: no CDN, no network at run time.
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

mkdirSync('dist/api/web', { recursive: true });
cpSync('api/web/public', 'dist/api/web/public', { recursive: true });

const uplot = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
mkdirSync('dist/api/web/public/vendor/uplot', { recursive: true });
for (const file of ['uPlot.esm.js', 'uPlot.min.css']) cpSync(join(uplot, file), join('dist/api/web/public/vendor/uplot', file));
cpSync(join(uplot, '..', 'LICENSE'), 'dist/api/web/public/vendor/uplot/LICENSE');

const qrcode = dirname(createRequire(import.meta.url).resolve('qrcode-generator')); // its exports hide package.json; main is dist/qrcode.js
mkdirSync('dist/api/web/public/vendor/qrcode', { recursive: true });
cpSync(join(qrcode, 'qrcode.mjs'), 'dist/api/web/public/vendor/qrcode/qrcode.mjs');
