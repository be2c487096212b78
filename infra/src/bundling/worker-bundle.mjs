// Bundles the transcription worker (services/transcribe/src/handlers/worker.ts) into one ESM file, the way the Lambda
// functions are bundled (src/constructs/service-function.ts): the AWS SDK inside, the local engines' packages
// replaced by a stub that throws if ever called (the worker runs Amazon Transcribe on AWS). Plain JavaScript, so the
// image's build stage runs it with nothing but Node and the installed packages:
//   node infra/src/bundling/worker-bundle.mjs OUTFILE
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const WORKER_ENTRY = 'services/transcribe/src/handlers/worker.ts';
const STUB = join(ROOT, 'infra', 'src', 'bundling', 'local-engine-stub.ts');

/**
 * The WASM builds the worker's audio front end loads at run time (noise suppression, voice detection): Emscripten
 * looks for them beside the script that loads them, which in the image is the bundle.
 */
const WASM_FILES = ['@echogarden/rnnoise-wasm/rnnoise.wasm', '@echogarden/fvad-wasm/fvad.wasm'];

/** Writes the worker's bundle to `outfile`, with the WASM files it loads beside it. */
export async function bundleWorker(outfile) {
  await build({
    entryPoints: [join(ROOT, WORKER_ENTRY)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    // Powertools and middy use top-level await (ESM); CommonJS modules inside the bundle still need a require.
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    alias: { koffi: STUB, 'wasm-media-encoders': STUB },
    minify: true,
    logLevel: 'error',
  });
  const require = createRequire(join(ROOT, 'services', 'transcribe', 'package.json'));
  for (const file of WASM_FILES) {
    copyFileSync(require.resolve(file), join(dirname(outfile), file.split('/').pop()));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (!process.argv[2]) throw new Error('usage: node infra/src/bundling/worker-bundle.mjs OUTFILE');
  await bundleWorker(process.argv[2]);
}
