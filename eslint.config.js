// ESLint flat config: typescript-eslint's recommended rules, formatting left to Prettier, and the
// layering of DESIGN.md §5 (core imports nothing impure; adapters never import UI).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'gateway/dist/', 'node_modules/', '.build/', 'test-results/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**', '**/ui/**', '**/taskpane/**', '**/commands/**'],
              message: 'src/core is pure: it never imports adapters, UI or entries (DESIGN.md §5).',
            },
            {
              group: ['lit', 'lit/*', '@lit/*', 'idb', '@microsoft/*', '@azure/*', 'tsdav', 'ical.js', 'node:*'],
              message: 'src/core is pure: no Office, DOM, fetch, idb or Node modules.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'Office', 'window', 'document', 'fetch', 'indexedDB', 'localStorage'],
    },
  },
  {
    files: ['src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/ui/**'], message: 'Adapters never import UI (DESIGN.md §5).' }] },
      ],
    },
  },
);
