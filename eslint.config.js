// Type-aware lint: floating and misused promises are bugs in an MQTT/HTTP server.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'api/web/public/vendor/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs', 'api/web/public/*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    // Large CommonJS packages are loaded with `require` (core/require-commonjs.ts): an ES-module import makes node
    // lex their source at every start, and V8's optimized lexer cost each service 2–10 MB of resident memory.
    files: ['broker/**/*.ts', 'core/**/*.ts', 'ingest/**/*.ts', 'rules/**/*.ts', 'api/**/*.ts', 'cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: ['qlobber', 'influx', 'ioredis', 'mqtt'].map((name) => ({
          name, allowTypeImports: true,
          message: `load ${name} with requireCommonJs (core/require-commonjs.ts); import only its types`,
        })),
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['api/web/public/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', localStorage: 'readonly', sessionStorage: 'readonly', FormData: 'readonly', setTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', navigator: 'readonly', console: 'readonly', URLSearchParams: 'readonly', EventSource: 'readonly' } },
  },
  {
    files: ['scripts/**/*.mjs', '.ci/**', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
