// Each function as the CDK app deploys it: one esbuild bundle of its handler module, which is what Lambda loads
// (and what makes a cold start here cost what it costs there: one file, not a thousand modules through a
// TypeScript loader). Bundles are kept in node_modules/.cache/llt-lambda until one of their inputs changes.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

export interface BundleRequest {
  /** The function (or runtime) name: the bundle's file name starts with it. */
  name: string;
  /** file: URL of the entry module. */
  entryUrl: string;
  /** Adds the module every function bundle starts with and the `__stats` export the runtime reads. */
  function: boolean;
}

/** Where bundles live: inside the repository, so the packages left out of them resolve from node_modules. */
const CACHE_DIR = fileURLToPath(new URL('../../../node_modules/.cache/llt-lambda/', import.meta.url));
const RUNTIME_STATS = fileURLToPath(new URL('./runtime-stats.ts', import.meta.url));
/**
 * Packages that find their own files (native code, WebAssembly, worker scripts) next to themselves at run time:
 * loaded from node_modules instead. (The CDK app replaces the local-only ones with stubs.)
 */
const EXTERNAL = ['koffi', 'wasm-media-encoders', '@echogarden/*', 'tsx'];
/** Changes whenever the way bundles are built does, so older bundles are not reused. */
const RECIPE = 'esm-node20-v1';

interface Manifest {
  recipe: string;
  bundle: string;
  /** Every input file with its size and modification time when the bundle was built. */
  inputs: [path: string, size: number, mtimeMs: number][];
}

/** Bundles the entries whose inputs changed since their bundle was built; resolves with each entry's bundle path. */
export async function bundle(requests: readonly BundleRequest[]): Promise<Map<string, string>> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const bundles = new Map<string, string>();
  const stale: BundleRequest[] = [];
  const stats = new Map<string, [number, number] | undefined>();
  for (const request of requests) {
    const kept = keptBundle(request, stats);
    if (kept) bundles.set(request.name, kept);
    else stale.push(request);
  }
  if (stale.length === 0) return bundles;

  const result = await build({
    entryPoints: stale.map((r) => ({ in: `llt-entry:${r.name}`, out: r.name })),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // As the CDK app bundles: ESM first, and a `require` for the CommonJS modules inside the bundle.
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __lltCreateRequire } from 'node:module'; const require = __lltCreateRequire(import.meta.url);",
    },
    external: EXTERNAL,
    outdir: CACHE_DIR,
    entryNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
    logLevel: 'error',
    plugins: [entries(stale), sourceLocation()],
  });
  for (const request of stale) {
    const [outputPath, output] =
      Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint === `llt-entry:${request.name}`) ?? [];
    const file = result.outputFiles.find((f) => f.path === resolve(outputPath ?? ''));
    if (!outputPath || !output || !file) throw new Error(`esbuild produced no bundle for ${request.name}`);
    writeAtomically(file.path, file.contents);
    const inputs = Object.keys(output.inputs)
      .filter((input) => !input.includes(':'))
      .map((input) => resolve(input));
    const manifest: Manifest = {
      recipe: RECIPE,
      bundle: file.path,
      inputs: inputs.map((path) => [path, ...(statOf(path, stats) ?? [0, 0])]),
    };
    writeAtomically(manifestPath(request), JSON.stringify(manifest));
    removeOlderBundles(request.name, file.path);
    bundles.set(request.name, file.path);
  }
  return bundles;
}

function manifestPath(request: BundleRequest): string {
  // Keyed by entry too: tests bundle their own modules under function names the product also uses.
  const entry = createHash('sha1').update(`${request.entryUrl}|${request.function}`).digest('hex').slice(0, 12);
  return join(CACHE_DIR, `${request.name}.${entry}.json`);
}

function keptBundle(request: BundleRequest, stats: Map<string, [number, number] | undefined>): string | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath(request), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.recipe !== RECIPE || !statOf(manifest.bundle, stats)) return undefined;
  const unchanged = manifest.inputs.every(([path, size, mtimeMs]) => {
    const now = statOf(path, stats);
    return now !== undefined && now[0] === size && now[1] === mtimeMs;
  });
  return unchanged ? manifest.bundle : undefined;
}

function statOf(path: string, cache: Map<string, [number, number] | undefined>): [number, number] | undefined {
  if (!cache.has(path)) {
    try {
      const stat = statSync(path);
      cache.set(path, [stat.size, stat.mtimeMs]);
    } catch {
      cache.set(path, undefined);
    }
  }
  return cache.get(path);
}

/** Readers in other processes (test files run in parallel) never see half a file. */
function writeAtomically(path: string, contents: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/** Bundles of a function older than an hour (a running system may still start environments from a newer one). */
function removeOlderBundles(name: string, keep: string): void {
  for (const file of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, file);
    if (path === keep || !file.startsWith(`${name}-`) || !file.endsWith('.mjs')) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 3_600_000) unlinkSync(path);
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

/** The entry of each bundle: the handler module's exports (and, for a function, what the runtime needs first). */
function entries(requests: readonly BundleRequest[]): Plugin {
  const byName = new Map(requests.map((r) => [r.name, r]));
  return {
    name: 'llt-entries',
    setup(build) {
      build.onResolve({ filter: /^llt-entry:/ }, (args) => ({
        path: args.path.slice('llt-entry:'.length),
        namespace: 'llt-entry',
      }));
      build.onLoad({ filter: /.*/, namespace: 'llt-entry' }, (args) => {
        const request = byName.get(args.path);
        if (!request) return undefined;
        const entry = JSON.stringify(fileURLToPath(request.entryUrl));
        const contents = request.function
          ? `import ${JSON.stringify(RUNTIME_STATS)};\nexport * from ${entry};\nexport { stats as __stats } from ${JSON.stringify(RUNTIME_STATS)};\n`
          : `export * from ${entry};\n`;
        return { contents, loader: 'js', resolveDir: dirname(fileURLToPath(request.entryUrl)) };
      });
    },
  };
}

/**
 * The repository's own modules keep their location: `import.meta.url` (a worker script found next to its
 * module, for one) means the source file, not the bundle.
 */
function sourceLocation(): Plugin {
  return {
    name: 'llt-source-location',
    setup(build) {
      build.onLoad({ filter: /\.(ts|mts|mjs|js)$/ }, (args) => {
        if (args.path.includes(`${join('/', 'node_modules', '/')}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta')) return undefined;
        const url = JSON.stringify(pathToFileURL(args.path).href);
        const contents = source
          .replaceAll('import.meta.url', url)
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
        return { contents, loader: args.path.endsWith('ts') ? 'ts' : 'js' };
      });
    },
  };
}
