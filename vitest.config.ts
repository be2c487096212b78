import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/** Tests of code alone (no system, no engine, no emulator): CPU-bound, safe to run two at a time. */
const CODE_ONLY = [
  '**/tests/unit/**/*.test.ts',
  'test/unit/**/*.test.ts',
  'infra/tests/**/*.test.ts',
  'test/corpus/**/*.test.ts',
];

export default defineConfig({
  // The apps' state classes (*.svelte.ts) use runes: compiled by Svelte, they run in the unit tests like any class.
  plugins: [svelte({ configFile: false })],
  test: {
    exclude: ['**/node_modules/**'],
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      LOG_LEVEL: 'ERROR',
      // Admission by measured capacity is off in the systems tests start: a system's measured CPU would be the
      // suite's, and a test creating a third session would be refused for load that is not its own.
      // test/integration/admission.test.ts turns it on and tests it.
      LLT_ADMISSION: 'off',
      // One speech worker per test system (the default is one per core): each loads every voice at start.
      LLT_TTS_WORKERS: '1',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        // First, two files at a time (one per core of the CI machine).
        test: { name: 'code', include: CODE_ONLY, maxWorkers: 2, isolate: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        // Then the tests of engines, emulators and whole systems, one file at a time: many stream speech at real
        // time and a system's start (engines, emulators, functions) takes both cores for seconds; two side by side
        // would measure each other's load.
        test: {
          name: 'system',
          include: ['**/tests/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...CODE_ONLY],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
