// The speaker app is served by the server at /speaker/; in development vite serves it and forwards the API,
// the WebSocket and the audio store to a local runtime (LLT_PORT, default 8080).
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const server = `http://127.0.0.1:${process.env.LLT_PORT ?? 8080}`;

export default defineConfig({
  base: '/speaker/',
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: {
    proxy: {
      '/api': server,
      '/ws': { target: server, ws: true },
      '/s3': server,
      // Where phones reach the listener app (the speaker's page runs on localhost).
      '/config.json': server,
    },
  },
});
