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
    // Each deployable stands alone (issue 14, point 3): the gateway, the Graph emulator and the common
    // workspace import no add-in, test or other workspace code by path, only packages.
    files: ['gateway/**/*.ts', 'graph-emulator/**/*.ts', 'common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../../**'],
              message: 'a workspace imports other workspaces by package name (@crm-sync/common), never by path.',
            },
          ],
        },
      ],
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
              group: ['**/adapters/**', '**/app/**', '**/ui/**', '**/taskpane/**', '**/commands/**'],
              message:
                'src/core is pure: it never imports adapters, the application layer, UI or entries (DESIGN.md §5).',
            },
            {
              group: [
                'lit',
                'lit/*',
                '@lit/*',
                'idb',
                '@microsoft/*',
                '@azure/*',
                'tsdav',
                'ical.js',
                'node:*',
                '@crm-sync/common/zones',
                '@crm-sync/gateway',
                '@crm-sync/gateway/*',
                '@crm-sync/graph-emulator',
                '@crm-sync/graph-emulator/*',
              ],
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
        {
          patterns: [
            {
              group: ['**/ui/**', '**/app/**'],
              message: 'Adapters never import the application layer or UI (DESIGN.md §5).',
            },
          ],
        },
      ],
    },
  },
  {
    // The application layer (profile, sync, app wiring) serves the pane, the dialog and the ribbon
    // command alike: it imports the core and adapters, never UI elements.
    files: ['src/app/**/*.ts'],
    ignores: ['src/app/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/ui/**'], message: 'The application layer never imports UI (DESIGN.md §5).' }] },
      ],
    },
  },
);
