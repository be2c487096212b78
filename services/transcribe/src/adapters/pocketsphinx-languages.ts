// What PocketSphinx recognises here: Debian ships one acoustic model, US English (pocketsphinx-en-us); a language
// is declared only when its model files are installed. Cheap to import: it only looks at files.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RecognitionCapabilities } from '@llt/events';

export const POCKETSPHINX_MODEL_ROOT = '/usr/share/pocketsphinx/model';

/** Each language PocketSphinx could recognise, with its model folder (the engine code) and the files it needs. */
const MODELS = [{ code: 'en', engineCode: 'en-us', files: ['en-us', 'en-us.lm.bin', 'cmudict-en-us.dict'] }] as const;

export function pocketsphinxCapabilities(modelRoot = POCKETSPHINX_MODEL_ROOT): RecognitionCapabilities {
  return {
    engine: 'pocketsphinx',
    languages: MODELS.filter((m) => m.files.every((f) => existsSync(join(modelRoot, m.engineCode, f)))).map(
      ({ code, engineCode }) => ({ code, engineCode }),
    ),
  };
}
