// Copies the dashboard's static files next to the compiled API so `node dist/...` serves them offline.
import { cpSync, mkdirSync } from 'node:fs';

mkdirSync('dist/api/web', { recursive: true });
cpSync('api/web/public', 'dist/api/web/public', { recursive: true });
