import { configDefaults, defineConfig } from 'vitest/config';

// tests/browser is its own package (Vite build + Chromium); it runs from its own directory.
export default defineConfig({ test: { testTimeout: 180_000, hookTimeout: 180_000, exclude: [...configDefaults.exclude, 'browser/**'] } });
