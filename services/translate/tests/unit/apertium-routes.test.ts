// The Apertium routes table and what it declares as installed, against temporary modes folders (no Apertium runs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureOf } from '@llt/platform/testing';
import { afterEach, describe, expect, test } from 'vitest';
import { ApertiumTranslator } from '#adapters/apertium';
import {
  APERTIUM_ROUTES,
  apertiumCapabilities,
  findApertiumRoute,
  installedApertiumRoutes,
  pivotsOf,
} from '#adapters/apertium-routes';
import { UnsupportedLanguagePairError } from '#errors';

const dirs: string[] = [];

/** A modes folder holding only these `.mode` files (their content is never run here). */
function modesDir(...modes: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'apertium-modes-'));
  dirs.push(dir);
  for (const mode of modes) writeFileSync(join(dir, `${mode}.mode`), 'false\n');
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('Apertium routes', () => {
  test('each hop starts in the language the previous hop ended in', () => {
    for (const route of APERTIUM_ROUTES) {
      expect(route.hops[0]?.source).toBe(route.source);
      expect(route.hops.at(-1)?.target).toBe(route.target);
      route.hops.slice(1).forEach((hop, i) => {
        expect(hop.source).toBe(route.hops[i]?.target);
      });
    }
  });

  test('English reaches Spanish, Catalan, Galician and Esperanto directly, the rest through Catalan', () => {
    const table = Object.fromEntries(
      APERTIUM_ROUTES.map((r) => [`${r.source}-${r.target}`, r.hops.map((h) => h.mode)]),
    );
    expect(table).toEqual({
      'en-es': ['eng-spa'],
      'en-ca': ['eng-cat'],
      'en-gl': ['en-gl'],
      'en-eo': ['en-eo'],
      'en-fr': ['eng-cat', 'cat-fra'],
      'en-it': ['eng-cat', 'cat-ita'],
      'en-pt': ['eng-cat', 'cat-por'],
      'en-oc': ['eng-cat', 'ca-oc'],
    });
  });

  test('names the Debian package of every mode', () => {
    const route = findApertiumRoute('en', 'fr');
    expect(route?.hops.map((h) => h.debianPackage)).toEqual(['apertium-eng-cat', 'apertium-fra-cat']);
    expect(findApertiumRoute('en', 'eo')?.hops[0]?.debianPackage).toBe('apertium-eo-en');
    expect(findApertiumRoute('en', 'oc')?.hops[1]?.debianPackage).toBe('apertium-oc-ca');
  });

  test('a pivot passes through the languages between its hops', () => {
    expect(pivotsOf(findApertiumRoute('en', 'it') as never)).toEqual(['ca']);
    expect(pivotsOf(findApertiumRoute('en', 'es') as never)).toEqual([]);
  });

  test('knows no pair from another source or into English', () => {
    expect(findApertiumRoute('es', 'ca')).toBeUndefined();
    expect(findApertiumRoute('en', 'de')).toBeUndefined();
    expect(findApertiumRoute('ca', 'en')).toBeUndefined();
  });
});

describe('apertiumCapabilities', () => {
  test('lists only the routes whose modes are installed, pivots with via', () => {
    const dir = modesDir('eng-spa', 'eng-cat', 'cat-fra', 'ca-oc', 'cat-ita_pre2017');
    expect(apertiumCapabilities(dir)).toEqual({
      engine: 'apertium',
      pairs: [
        { source: 'en', target: 'es' },
        { source: 'en', target: 'ca' },
        { source: 'en', target: 'fr', via: ['ca'] },
        { source: 'en', target: 'oc', via: ['ca'] },
      ],
    });
  });

  test('a pivot whose first hop is missing is not offered', () => {
    const dir = modesDir('cat-fra', 'cat-ita', 'cat-por', 'ca-oc', 'en-eo');
    expect(apertiumCapabilities(dir).pairs).toEqual([{ source: 'en', target: 'eo' }]);
  });

  test('declares nothing where no mode is installed', () => {
    expect(apertiumCapabilities(join(modesDir(), 'missing')).pairs).toEqual([]);
  });

  test('every route once every mode is installed', () => {
    const dir = modesDir('eng-spa', 'eng-cat', 'en-gl', 'en-eo', 'cat-fra', 'cat-ita', 'cat-por', 'ca-oc');
    expect(installedApertiumRoutes(dir)).toEqual(APERTIUM_ROUTES);
  });
});

describe('ApertiumTranslator routing', () => {
  test('names a pivot after its modes in order', () => {
    const t = new ApertiumTranslator({ modesDir: modesDir() });
    expect(t.name('fr')).toBe('apertium:eng-cat+cat-fra');
    expect(t.name('ca')).toBe('apertium:eng-cat');
  });

  test('refuses an unknown pair, listing the pairs installed', async () => {
    const dir = modesDir('eng-spa', 'eng-cat', 'cat-fra');
    const t = new ApertiumTranslator({ modesDir: dir });
    const error = await failureOf(t.translate('Hello.', 'en', 'de'));
    expect(error).toBeInstanceOf(UnsupportedLanguagePairError);
    expect(error.message).toContain('en→de');
    expect(error.message).toContain('en→es, en→ca, en→fr (via ca)');
    expect(() => t.name('de')).toThrow(UnsupportedLanguagePairError);
  });

  test('a pivot whose second hop is missing names that mode and its package, before any pipeline starts', async () => {
    const t = new ApertiumTranslator({ modesDir: modesDir('eng-cat') });
    const error = await failureOf(t.translate('Hello.', 'en', 'pt'));
    expect(error).toBeInstanceOf(UnsupportedLanguagePairError);
    expect(error.message).toContain('cat-por');
    expect(error.message).toContain('apertium-por-cat');
    expect(error.message).toContain('through ca');
    expect(t.pids()).toEqual({});
    await t.close();
  });

  test('warming a language it cannot translate fails, naming the missing package', async () => {
    const t = new ApertiumTranslator({ modesDir: modesDir('ca-oc') });
    const error = await failureOf(t.warm(['oc']));
    expect(error).toBeInstanceOf(UnsupportedLanguagePairError);
    expect(error.message).toContain('apertium-eng-cat');
    expect(t.pids()).toEqual({});
    await t.close();
  });
});
