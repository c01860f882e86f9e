import { defineConfig } from "vitest/config";

// Kept apart from vite.config.ts so tests never load the React Router plugin.
export default defineConfig({
  test: { include: ["app/**/*.test.ts", "server/**/*.test.ts"], passWithNoTests: false },
});
