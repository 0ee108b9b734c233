import { defineConfig } from 'vitest/config';

// One command (`npm test`) runs every suite. The unit and exercise suites need nothing but
// Node; the end-to-end suite serves the built site (`npm run build` first) and drives
// Debian's Chromium, so it is its own project and can be run alone with `--project e2e`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One Chromium and one preview server serve every file; run the files in turn.
          fileParallelism: false,
        },
      },
    ],
  },
});
