import tseslint from 'typescript-eslint';

/**
 * Issue 11, point 1: the outer ring (HTTP handlers, jobs) reaches storage and other adapters only
 * through use cases in src/services; container.ts is the one place that wires adapters in.
 */
const ADAPTERS = '(^|/)adapters(/|$)';
/** The same, for esquery selectors (a `/` would end the selector's regular expression). */
const ADAPTERS_IN_SELECTOR = ADAPTERS.replaceAll('/', '\\x2F');
const ADAPTERS_MESSAGE =
  'src/http and src/jobs must not import src/adapters: call a use case in src/services (container.ts wires adapters).';
const STORE_MESSAGE =
  'src/http and src/jobs must not read the store: call a use case in src/services that checks who may act.';
const outerRingRules = {
  // Static imports and re-exports, type-only ones included (the core rule does not skip `import type`).
  'no-restricted-imports': ['error', { patterns: [{ regex: ADAPTERS, message: ADAPTERS_MESSAGE }] }],
  'no-restricted-syntax': [
    'error',
    // `deps.store`, `this.deps.store`, `options.deps.store`, `deps['store']`.
    { selector: "MemberExpression[property.name='store']", message: STORE_MESSAGE },
    { selector: "MemberExpression[property.value='store']", message: STORE_MESSAGE },
    // `const { store } = deps` and the repositories reached from a store in hand (`store.lots.find…`).
    { selector: "VariableDeclarator > ObjectPattern > Property[key.name='store']", message: STORE_MESSAGE },
    { selector: "MemberExpression[object.name='store']", message: STORE_MESSAGE },
    // `await import('../adapters/…')` and `import('../../adapters/…').Type`.
    { selector: `ImportExpression[source.value=/${ADAPTERS_IN_SELECTOR}/]`, message: ADAPTERS_MESSAGE },
    { selector: `TSImportType[source.value=/${ADAPTERS_IN_SELECTOR}/]`, message: ADAPTERS_MESSAGE },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'artifacts/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/http/**/*.ts', 'src/jobs/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: outerRingRules,
  },
);
