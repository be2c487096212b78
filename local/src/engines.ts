// Which local engines are installed, so the runtime offers only languages it can really translate.
import { existsSync } from 'node:fs';
import { TARGET_LANGUAGES } from '@llt/events';

export const APERTIUM_MODES_DIR = '/usr/share/apertium/modes';

export function installedTargetLanguages(modesDir = APERTIUM_MODES_DIR): string[] {
  return TARGET_LANGUAGES.filter((l) => existsSync(`${modesDir}/${l.engines.local.apertiumMode}.mode`)).map(
    (l) => l.code,
  );
}
