import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Plain static build: index.html + src/main.ts, the .wasm files emitted as assets. No special
// headers anywhere (no COOP/COEP): the wasm backend needs neither threads nor SharedArrayBuffer.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
  preview: { host: '127.0.0.1', strictPort: false },
});
