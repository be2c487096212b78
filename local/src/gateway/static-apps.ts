// Serves the built web apps: the speaker app under /speaker/, the listener app at the root. Paths that name no
// file get the app's index.html (client-side routes such as /?code=…), hashed assets are cached for good.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

export interface StaticApp {
  /** URL prefix, e.g. `/speaker/` or `/`. */
  prefix: string;
  /** The app's build output (vite's `dist`). */
  dir: string;
  /** Shown when the app has not been built. */
  name: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Serves the request from the first app whose prefix matches; false when none does. */
export async function serveStatic(
  apps: readonly StaticApp[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://local').pathname);
  } catch {
    // A malformed escape (`/%ZZ`) threw a URIError the server answered with a 500: it is a bad request.
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('The path is not valid percent-encoding');
    return true;
  }
  // `/speaker` without its slash would resolve the app's relative asset URLs against the root.
  for (const app of apps) {
    if (app.prefix !== '/' && path === app.prefix.slice(0, -1)) {
      res.writeHead(308, { location: app.prefix }).end();
      return true;
    }
  }
  const app = apps.find((a) => path.startsWith(a.prefix));
  if (!app) return false;
  const root = resolve(app.dir);
  const file = normalize(join(root, path.slice(app.prefix.length)));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(400).end();
    return true;
  }
  const found = (await fileAt(file)) ?? (extname(file) ? undefined : await fileAt(join(root, 'index.html')));
  if (!found) {
    const built = await fileAt(join(root, 'index.html'));
    res.writeHead(built ? 404 : 503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(built ? `Nothing at ${path}` : `The ${app.name} app is not built: run \`npm run build:apps\``);
    return true;
  }
  const immutable = found.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    'content-type': TYPES[extname(found)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  createReadStream(found).pipe(res);
  return true;
}

async function fileAt(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}
