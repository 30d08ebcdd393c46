// ESLint: typescript-eslint's type-aware rules over the TypeScript tree (`npm run lint`; Prettier does the layout).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.lab/', 'lab-state/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'smart'],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unnecessary-template-expression': 'error',
      // a switch over a union names every member, or says what the rest do in a default
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // a leading underscore names a parameter a callback's signature imposes (ssh2's authHandler), or what a
      // destructuring leaves out on purpose
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // An async function without await is how this code implements a Promise-returning interface
      // (Transport.open, the tests' prompt and shell stand-ins): a throw in it becomes a rejection.
      '@typescript-eslint/require-await': 'off',
      // Variables come from YAML typed `unknown`; after `??` or `!== undefined` TypeScript types them `{}`,
      // which this rule takes for an object. String() of a YAML scalar is what Ansible does with it, and
      // restrict-template-expressions still catches an object put in a template string.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  // plain JS (bin/lbprov.js, scripts/bundle.mjs, this file) is outside tsconfig.json: no type information there
  { files: ['**/*.js', '**/*.mjs'], extends: [tseslint.configs.disableTypeChecked] },
);
