// The local voice table: which installed voice speaks each language, and what the engine declares.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localSpeechCapabilities, resolveLocalVoices, voicesFor } from '#adapters/local-voices';

let root: string;
let picoDir: string;
let festivalVoicesDir: string;
let binDir: string;

function touch(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '');
}

function installPico(...locales: string[]): void {
  for (const locale of locales) {
    touch(join(picoDir, `${locale}_ta.bin`));
    touch(join(picoDir, `${locale}_xx0_sg.bin`));
  }
}

function installFestival(): void {
  touch(join(binDir, 'festival'));
  mkdirSync(join(festivalVoicesDir, 'catalan', 'upc_ca_ona_hts'), { recursive: true });
}

const probe = () => ({ picoDir, festivalVoicesDir, searchPath: binDir });
const chosen = () => Object.fromEntries(localSpeechCapabilities(probe()).voices.map((v) => [v.language, v.voice]));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'llt-voices-'));
  picoDir = join(root, 'pico');
  festivalVoicesDir = join(root, 'festival');
  binDir = join(root, 'bin');
  mkdirSync(binDir, { recursive: true });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('localSpeechCapabilities', () => {
  it('prefers Pico for es, fr and it and festival for ca when their data is installed', () => {
    installPico('es-ES', 'fr-FR', 'it-IT', 'en-US');
    installFestival();
    expect(chosen()).toEqual({
      es: 'pico:es-ES',
      fr: 'pico:fr-FR',
      it: 'pico:it-IT',
      ca: 'festival:upc_ca_ona_hts',
      oc: 'festival:upc_ca_ona_hts',
      gl: 'espeak-ng:pt',
      pt: 'espeak-ng:pt',
      eo: 'espeak-ng:eo',
      en: 'pico:en-US',
    });
    const kinds = Object.fromEntries(localSpeechCapabilities(probe()).voices.map((v) => [v.language, v.kind]));
    expect(kinds).toMatchObject({ es: 'hts', ca: 'hts', gl: 'formant', eo: 'formant' });
    expect(localSpeechCapabilities(probe()).engine).toBe('local');
  });

  it('falls back to espeak-ng for es, fr and it when Pico is missing', () => {
    installFestival();
    expect(chosen()).toMatchObject({ es: 'espeak-ng:es', fr: 'espeak-ng:fr', it: 'espeak-ng:it' });
  });

  it('needs both Pico resources of a locale', () => {
    installPico('fr-FR');
    rmSync(join(picoDir, 'fr-FR_xx0_sg.bin'));
    touch(join(picoDir, 'es-ES_xx0_sg.bin'));
    expect(chosen()).toMatchObject({ es: 'espeak-ng:es', fr: 'espeak-ng:fr' });
  });

  it('falls back to espeak-ng for Catalan without the festival binary or without the voice', () => {
    mkdirSync(join(festivalVoicesDir, 'catalan', 'upc_ca_ona_hts'), { recursive: true });
    expect(chosen()).toMatchObject({ ca: 'espeak-ng:ca', oc: 'espeak-ng:ca' });
    rmSync(festivalVoicesDir, { recursive: true });
    touch(join(binDir, 'festival'));
    expect(chosen()).toMatchObject({ ca: 'espeak-ng:ca' });
  });

  it('declares a voice for every product target language even with nothing but espeak-ng', () => {
    const languages = localSpeechCapabilities(probe()).voices.map((v) => v.language);
    expect(languages).toEqual(expect.arrayContaining(['es', 'ca', 'gl', 'eo', 'fr', 'it', 'pt', 'oc']));
    expect(localSpeechCapabilities(probe()).voices.every((v) => v.kind === 'formant')).toBe(true);
  });
});

describe('resolveLocalVoices', () => {
  it('keeps espeak-ng behind the better voice, for falling back at run time', () => {
    installPico('es-ES');
    const es = resolveLocalVoices(probe()).es ?? [];
    expect(es.map((v) => `${v.engine}:${v.voice}`)).toEqual(['pico:es-ES', 'espeak-ng:es']);
    expect(es[0]).toMatchObject({
      textAnalysisFile: join(picoDir, 'es-ES_ta.bin'),
      signalGenerationFile: join(picoDir, 'es-ES_xx0_sg.bin'),
    });
  });
});

describe('voicesFor', () => {
  it('matches a regional tag to its base language and nothing else', () => {
    const table = { fr: 'french', pt: 'portuguese' };
    expect(voicesFor(table, 'fr')).toBe('french');
    expect(voicesFor(table, 'fr-CA')).toBe('french');
    expect(voicesFor(table, 'xx')).toBeUndefined();
    expect(voicesFor(table, 'constructor')).toBeUndefined();
  });
});
