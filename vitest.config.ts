import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The apps' state classes (*.svelte.ts) use runes: compiled by Svelte, they run in the unit tests like any class.
  plugins: [svelte({ configFile: false })],
  test: {
    include: ['**/tests/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      LOG_LEVEL: 'ERROR',
      // Admission by measured capacity is off in the systems tests start: on a 2-core machine running several test
      // files at once, a system's measured CPU is mostly the other files', and a test creating a third session would
      // be refused for load that is not its own. test/integration/admission.test.ts turns it on and tests it.
      LLT_ADMISSION: 'off',
      // One speech worker per test system (the default is one per core): each loads every voice at start, and the
      // systems the test files start side by side would spend the suite's two cores loading voices twice.
      LLT_TTS_WORKERS: '1',
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
