// Lint rules. The important one is the layering rule: core code (blocks/, src/core, src/onnx,
// src/train, src/data, src/cli, src/import, src/pytorch) never imports the UI, React or the
// DOM-only libraries, so it keeps running under Node (CLI, tests) exactly as in the browser.
// (tsconfig.core.json checks the same code without DOM types.)
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const uiOnly = ['react', 'react-dom', 'react-dom/*', '@xyflow/react', 'monaco-editor', '@monaco-editor/react'];

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', 'test-results', 'e2e-artifacts', 'bench/results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['blocks/**/*.ts', 'src/core/**/*.ts', 'src/onnx/**/*.ts', 'src/train/**/*.ts', 'src/data/**/*.ts', 'src/cli/**/*.ts', 'src/import/**/*.ts', 'src/pytorch/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: uiOnly.filter((p) => !p.includes('*')).map((name) => ({ name, message: 'Core code must not depend on the UI.' })),
          patterns: [
            { group: ['**/ui/**', '**/src/ui', 'react-dom/*'], message: 'Core code must not depend on the UI.' },
          ],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.mjs', '*.js', '.ci/**/*.mjs', 'scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
