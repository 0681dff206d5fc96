// typescript-eslint's recommended rules over the sources, tests and benches; formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config({ ignores: ['dist/', 'node_modules/', 'test/fixtures/'] }, js.configs.recommended, ...tseslint.configs.recommended, {
  rules: {
    '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    '@typescript-eslint/no-explicit-any': 'error',
    // A value filled in after a closure that reads it is declared with let on purpose.
    'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
  },
});
