// Dev server proxies the API, the WebSocket and the audio objects to a running local system (LLT_PORT, default
// 8080), so the page talks to one origin in dev exactly as it does when the system serves the built app.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const backend = `http://127.0.0.1:${process.env.LLT_PORT ?? 8080}`;

export default defineConfig({
  base: '/',
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: {
      '/api': backend,
      '/ws': { target: backend, ws: true },
      '/s3': backend,
    },
  },
});
