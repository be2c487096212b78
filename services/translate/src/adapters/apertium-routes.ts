// Which language pairs the local Apertium engine translates, and through which Apertium modes (one hop each).
// Cheap to import (no child processes, only node:fs): composition layers read it to derive a deployment's languages.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Language, TranslationCapabilities } from '@llt/events';

export const DEFAULT_MODES_DIR = '/usr/share/apertium/modes';

/** One Apertium mode: the directed pair it translates and the Debian package that installs its `.mode` file. */
export interface ApertiumMode {
  mode: string;
  source: Language;
  target: Language;
  debianPackage: string;
}

/** A product pair and the modes it runs through in order; more than one mode means a pivot. */
export interface ApertiumRoute {
  source: Language;
  target: Language;
  hops: readonly ApertiumMode[];
}

/** The modes the routes use, by name (the `.mode` file's base name). */
export const APERTIUM_MODES = {
  'eng-spa': { mode: 'eng-spa', source: 'en', target: 'es', debianPackage: 'apertium-eng-spa' },
  'eng-cat': { mode: 'eng-cat', source: 'en', target: 'ca', debianPackage: 'apertium-eng-cat' },
  'en-gl': { mode: 'en-gl', source: 'en', target: 'gl', debianPackage: 'apertium-en-gl' },
  'en-eo': { mode: 'en-eo', source: 'en', target: 'eo', debianPackage: 'apertium-eo-en' },
  'cat-fra': { mode: 'cat-fra', source: 'ca', target: 'fr', debianPackage: 'apertium-fra-cat' },
  'cat-ita': { mode: 'cat-ita', source: 'ca', target: 'it', debianPackage: 'apertium-cat-ita' },
  'cat-por': { mode: 'cat-por', source: 'ca', target: 'pt', debianPackage: 'apertium-por-cat' },
  'ca-oc': { mode: 'ca-oc', source: 'ca', target: 'oc', debianPackage: 'apertium-oc-ca' },
} as const satisfies Record<string, ApertiumMode>;

type ModeName = keyof typeof APERTIUM_MODES;

function route(...modes: ModeName[]): ApertiumRoute {
  const hops = modes.map((m) => APERTIUM_MODES[m]);
  const first = hops[0];
  const last = hops.at(-1);
  if (!first || !last) throw new Error('an Apertium route needs at least one mode');
  hops.slice(1).forEach((hop, i) => {
    const before = hops[i] as ApertiumMode;
    if (hop.source !== before.target) {
      throw new Error(
        `Apertium route ${modes.join(' → ')}: ${before.mode} ends in ${before.target}, not ${hop.source}`,
      );
    }
  });
  return { source: first.source, target: last.target, hops };
}

/**
 * Every pair the engine knows, installed or not. French, Italian, Portuguese and Occitan have no English pair in
 * Debian; they pivot through Catalan, which translates into them better than Spanish does.
 */
export const APERTIUM_ROUTES: readonly ApertiumRoute[] = [
  route('eng-spa'),
  route('eng-cat'),
  route('en-gl'),
  route('en-eo'),
  route('eng-cat', 'cat-fra'),
  route('eng-cat', 'cat-ita'),
  route('eng-cat', 'cat-por'),
  route('eng-cat', 'ca-oc'),
];

/** The languages a route passes through between its source and its target. */
export function pivotsOf(route: ApertiumRoute): Language[] {
  return route.hops.slice(0, -1).map((hop) => hop.target);
}

export function findApertiumRoute(source: Language, target: Language): ApertiumRoute | undefined {
  return APERTIUM_ROUTES.find((r) => r.source === source && r.target === target);
}

export function modeFile(modesDir: string, mode: string): string {
  return join(modesDir, `${mode}.mode`);
}

/** The routes whose every hop's `.mode` file is installed in `modesDir`. */
export function installedApertiumRoutes(modesDir = DEFAULT_MODES_DIR): ApertiumRoute[] {
  const installed = new Map<string, boolean>();
  const has = (mode: string) => {
    if (!installed.has(mode)) installed.set(mode, existsSync(modeFile(modesDir, mode)));
    return installed.get(mode) === true;
  };
  return APERTIUM_ROUTES.filter((r) => r.hops.every((hop) => has(hop.mode)));
}

/** What the local Apertium engine translates on this machine: the installed routes, pivots with their `via`. */
export function apertiumCapabilities(modesDir = DEFAULT_MODES_DIR): TranslationCapabilities {
  return {
    engine: 'apertium',
    pairs: installedApertiumRoutes(modesDir).map((r) => {
      const via = pivotsOf(r);
      return via.length > 0 ? { source: r.source, target: r.target, via } : { source: r.source, target: r.target };
    }),
  };
}
