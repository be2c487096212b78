// Which local voice speaks each language: the best voice whose data is installed on this machine, then the others
// as fallbacks. Cheap to import (only node:fs and node:path, no engine loaded): composition layers read it to
// derive a deployment's languages, and the local speech engine reads it to pick its voices.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Language, SpeechCapabilities, VoiceKind } from '@llt/events';

/** Debian's libttspico-data. */
export const DEFAULT_PICO_DIR = '/usr/share/pico/lang';
/** Debian's festvox-* packages install one folder per voice under a folder per language. */
export const DEFAULT_FESTIVAL_VOICES_DIR = '/usr/share/festival/voices';

/** A voice the table may choose, before looking at what is installed. */
export type VoiceCandidate =
  /** SVOX Pico (HMM), run as WebAssembly; `voice` is its locale, e.g. "es-ES". */
  | { engine: 'pico'; voice: string }
  /** Festival with an HTS voice, e.g. "upc_ca_ona_hts"; it reads Latin-1 only. */
  | { engine: 'festival'; voice: string }
  /** espeak-ng (formant); `voice` is an espeak-ng voice name. Ships with the service, so always there. */
  | { engine: 'espeak-ng'; voice: string };

/** An installed voice, with what its engine needs to load it. */
export type LocalVoice =
  | { engine: 'pico'; voice: string; kind: 'hts'; textAnalysisFile: string; signalGenerationFile: string }
  | { engine: 'festival'; voice: string; kind: 'hts'; festivalBinary: string }
  | { engine: 'espeak-ng'; voice: string; kind: 'formant' };

const pico = (voice: string): VoiceCandidate => ({ engine: 'pico', voice });
const festival = (voice: string): VoiceCandidate => ({ engine: 'festival', voice });
const espeak = (voice: string): VoiceCandidate => ({ engine: 'espeak-ng', voice });

/**
 * Per target language, best first. espeak-ng comes last everywhere: it is robotic but always installed, so it
 * speaks whenever a better voice's data is missing or fails to load.
 */
export const LOCAL_VOICE_PREFERENCES: Readonly<Record<Language, readonly VoiceCandidate[]>> = {
  es: [pico('es-ES'), espeak('es')],
  ca: [festival('upc_ca_ona_hts'), espeak('ca')],
  // No installed engine has a Galician voice; Portuguese is the closest.
  gl: [espeak('pt')],
  eo: [espeak('eo')],
  fr: [pico('fr-FR'), espeak('fr')],
  it: [pico('it-IT'), espeak('it')],
  // European Portuguese (espeak-ng's "pt"), as Apertium's Portuguese is.
  pt: [espeak('pt')],
  // No installed engine has an Occitan voice (espeak-ng 1.51 has none either); Catalan is the closest, and
  // Occitan's spelling reads well with Catalan rules.
  oc: [festival('upc_ca_ona_hts'), espeak('ca')],
  // Not a target today; spoken by the voice benchmark and ready if a pair ever reaches English.
  en: [pico('en-US'), espeak('en-us')],
};

/** Where to look for voice data; every field defaults to the Debian location. Plain data: it crosses to workers. */
export interface VoiceProbe {
  picoDir?: string;
  festivalVoicesDir?: string;
  /** Directories searched for the `festival` binary, joined like PATH; default the process's PATH. */
  searchPath?: string;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Pico's two resources for a locale: text analysis (`xx-XX_ta.bin`) and signal generation (`xx-XX_<id>_sg.bin`). */
function findPicoFiles(dir: string, locale: string): { textAnalysisFile: string; signalGenerationFile: string } | null {
  const files = listDir(dir);
  const ta = `${locale}_ta.bin`;
  const sg = files.find((f) => f.startsWith(`${locale}_`) && f.endsWith('_sg.bin'));
  if (!files.includes(ta) || !sg) return null;
  const textAnalysisFile = join(dir, ta);
  const signalGenerationFile = join(dir, sg);
  return isFile(textAnalysisFile) && isFile(signalGenerationFile) ? { textAnalysisFile, signalGenerationFile } : null;
}

function findBinary(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(delimiter)) {
    if (dir && isFile(join(dir, name))) return join(dir, name);
  }
  return null;
}

function hasFestivalVoice(voicesDir: string, voice: string): boolean {
  return listDir(voicesDir).some((language) => existsSync(join(voicesDir, language, voice)));
}

function locate(candidate: VoiceCandidate, probe: Required<VoiceProbe>): LocalVoice | null {
  switch (candidate.engine) {
    case 'pico': {
      const files = findPicoFiles(probe.picoDir, candidate.voice);
      return files && { engine: 'pico', voice: candidate.voice, kind: 'hts', ...files };
    }
    case 'festival': {
      const festivalBinary = findBinary('festival', probe.searchPath);
      if (!festivalBinary || !hasFestivalVoice(probe.festivalVoicesDir, candidate.voice)) return null;
      return { engine: 'festival', voice: candidate.voice, kind: 'hts', festivalBinary };
    }
    case 'espeak-ng':
      return { engine: 'espeak-ng', voice: candidate.voice, kind: 'formant' };
  }
}

/** The installed voices of every language, best first (never empty: espeak-ng closes every list). */
export function resolveLocalVoices(probe: VoiceProbe = {}): Record<Language, LocalVoice[]> {
  const where: Required<VoiceProbe> = {
    picoDir: probe.picoDir ?? DEFAULT_PICO_DIR,
    festivalVoicesDir: probe.festivalVoicesDir ?? DEFAULT_FESTIVAL_VOICES_DIR,
    searchPath: probe.searchPath ?? process.env.PATH ?? '',
  };
  const voices: Record<Language, LocalVoice[]> = {};
  for (const [language, candidates] of Object.entries(LOCAL_VOICE_PREFERENCES)) {
    voices[language] = candidates.map((c) => locate(c, where)).filter((v): v is LocalVoice => v !== null);
  }
  return voices;
}

/** How a voice is named in `SynthesizedSpeech.engine` and in the declaration: "pico:fr-FR", "espeak-ng:ca". */
export function voiceId(voice: { engine: string; voice: string }): string {
  return `${voice.engine}:${voice.voice}`;
}

/** The voices of `voices` for `language`: exact, else its base language ("fr-CA" → "fr"); undefined if none. */
export function voicesFor<T>(voices: Readonly<Record<Language, T>>, language: Language): T | undefined {
  if (Object.hasOwn(voices, language)) return voices[language];
  const base = language.split('-')[0] ?? language;
  return Object.hasOwn(voices, base) ? voices[base] : undefined;
}

/** What the local speech engine speaks on this machine: per language, the voice it will use. */
export function localSpeechCapabilities(probe: VoiceProbe = {}): SpeechCapabilities {
  const voices: { language: Language; voice: string; kind: VoiceKind }[] = [];
  for (const [language, installed] of Object.entries(resolveLocalVoices(probe))) {
    const best = installed[0];
    if (best) voices.push({ language, voice: voiceId(best), kind: best.kind });
  }
  return { engine: 'local', voices };
}
