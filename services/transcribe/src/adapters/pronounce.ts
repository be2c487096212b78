// Pronunciations in PocketSphinx's CMU phone set for glossary terms: the recogniser's own dictionary entry when it
// has one, otherwise espeak-ng's English phonemes mapped onto the 39 CMU phones, so a name the dictionary lacks
// ("Kubernetes") or its respelled spoken form ("koo ber net eez") can be added to a session's vocabulary.
//
// espeak-ng is asked for IPA (`--ipa`) rather than its `-x` mnemonics: the mnemonics are espeak's internal
// phoneme names, which differ between voices and versions (en-us writes r-coloured units such as `A@`, `O@`,
// `aI@`, variants such as `t#`, `i@3`), while the IPA symbols are one documented standard whatever phoneme file
// produced them, and stay readable when espeak switches a word to another language's rules. The price is UTF-8
// with combining marks (syllabic U+0329, ties), which the mapping handles.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MODEL_DIR } from '#adapters/pocketsphinx';
import { RecognizerError } from '#errors';

export const DEFAULT_DICTIONARY_PATH = join(DEFAULT_MODEL_DIR, 'cmudict-en-us.dict');

/** The phones of cmudict-en-us.dict (no stress digits there). */
export const CMU_PHONES: ReadonlySet<string> = new Set(
  'AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH'.split(' '),
);

export interface PronounceOptions {
  /** PocketSphinx dictionary; by default Debian's pocketsphinx-en-us one. */
  dictionaryPath?: string;
  /** espeak-ng executable (looked up on PATH by default). */
  espeakCommand?: string;
  /** espeak-ng voice; en-us matches the US dictionary (flaps, r-coloured vowels). */
  voice?: string;
  /** Kill espeak-ng after this long: one process answers the whole batch in milliseconds. */
  timeoutMs?: number;
}

/** What `pronounceWithReport` found, for a caller that logs or shows why a term may be misrecognised. */
export interface PronunciationReport {
  /** Lower-cased word (spaces collapsed) → "K UW B ER N EH T IY Z". */
  pronunciations: Map<string, string>;
  /** Words pronounced (at least in part) by espeak-ng rather than read from the dictionary. */
  derived: string[];
  /** espeak-ng symbols with no CMU phone, by word: the word keeps the phones of the rest. */
  skipped: Map<string, string[]>;
  /** Words given no pronunciation: nothing pronounceable in them, or nothing espeak-ng said mapped to a phone. */
  missing: string[];
}

/** Result of mapping one espeak-ng IPA string. */
export interface CmuMapping {
  phones: string[];
  /** Symbols that have no CMU phone, in order of appearance (the count is `skipped.length`). */
  skipped: string[];
}

// IPA (as espeak-ng writes it for English, plus a few symbols its other rules emit) → CMU phones.
// Multi-symbol keys are matched first (longest match), so "aɪ" is AY but "ɔːɪ" ("drawing") is AO IH.
const IPA_TABLE: Record<string, readonly string[]> = {
  // Affricates, with or without a tie (ties are stripped before matching).
  tʃ: ['CH'],
  dʒ: ['JH'],
  // Diphthongs.
  eɪ: ['EY'],
  aɪ: ['AY'],
  aʊ: ['AW'],
  oʊ: ['OW'],
  əʊ: ['OW'],
  ɔɪ: ['OY'],
  // en-us "more", "four": espeak writes a long close-mid o before r where the dictionary has AO R.
  oːɹ: ['AO', 'R'],
  oɹ: ['AO', 'R'],
  // Syllabic consonants ("button" bˈʌʔn̩): the dictionary writes a schwa before them.
  n̩: ['AH', 'N'],
  l̩: ['AH', 'L'],
  m̩: ['AH', 'M'],
  ɹ̩: ['ER'],
  // Monophthongs; length is dropped (a long variant is listed where it must win over a diphthong prefix).
  iː: ['IY'],
  i: ['IY'],
  ɪ: ['IH'],
  ᵻ: ['IH'], // espeak's reduced ɪ ("wanted")
  ɨ: ['IH'],
  eː: ['EY'],
  e: ['EH'],
  ɛ: ['EH'],
  æ: ['AE'],
  a: ['AA'],
  ɑː: ['AA'],
  ɑ: ['AA'],
  ɒ: ['AA'],
  ɔː: ['AO'],
  ɔ: ['AO'],
  oː: ['OW'],
  o: ['OW'],
  ʌ: ['AH'],
  ə: ['AH'],
  ɐ: ['AH'],
  ʊ: ['UH'],
  uː: ['UW'],
  u: ['UW'],
  ʉ: ['UW'],
  ɜː: ['ER'],
  ɜ: ['ER'],
  ɚ: ['ER'],
  ɝ: ['ER'],
  // Consonants.
  p: ['P'],
  b: ['B'],
  t: ['T'],
  d: ['D'],
  k: ['K'],
  ɡ: ['G'],
  g: ['G'],
  ʔ: ['T'], // en-us glottal stop stands for a /t/ ("button")
  f: ['F'],
  v: ['V'],
  θ: ['TH'],
  ð: ['DH'],
  s: ['S'],
  z: ['Z'],
  ʃ: ['SH'],
  ʒ: ['ZH'],
  h: ['HH'],
  ɦ: ['HH'],
  x: ['K'],
  m: ['M'],
  n: ['N'],
  ŋ: ['NG'],
  l: ['L'],
  ɫ: ['L'],
  ɹ: ['R'],
  r: ['R'],
  j: ['Y'],
  w: ['W'],
  ʍ: ['W'],
};

/** Keys in NFD, as the input is, so a precomposed and a decomposed syllabic n compare equal. */
const IPA_TO_CMU = new Map(Object.entries(IPA_TABLE).map(([ipa, phones]) => [ipa.normalize('NFD'), phones]));

const MAX_KEY_LENGTH = Math.max(...[...IPA_TO_CMU.keys()].map((key) => Array.from(key).length));

/** Stress, length, syllable and linking marks, word spaces, phoneme separators: no phone, and no match crosses them. */
const BOUNDARIES = new Set(['ˈ', 'ˌ', 'ː', 'ˑ', '.', '‿', '_', ' ', '-', "'", ',']);

/** Ties and joiners inside multi-letter phonemes (`--ipa=1`, `--ipa=2`): removed so "t͡ʃ" reads as "tʃ". */
const JOINERS = /[\u035C\u0361\u200D]/g;

/** espeak-ng marks a word read by another language's rules with "(fr)…(en-us)". */
const LANGUAGE_SWITCH = /\([a-z]{2,3}(?:-[a-z0-9]+)*\)/gi;

const COMBINING_MARK = /\p{M}/u;

/**
 * Maps one espeak-ng `--ipa` string to CMU phones. Stress and length marks are dropped; diacritics that only colour
 * a phone (nasalisation, aspiration) are dropped with it; symbols without a CMU phone are skipped and returned.
 * `spelling` decides the en-us flap ɾ: D when the word is spelt with a d and no t ("ladder"), else T ("water").
 */
export function espeakIpaToCmu(ipa: string, spelling = ''): CmuMapping {
  const text = ipa.normalize('NFD').replace(LANGUAGE_SWITCH, ' ').replace(JOINERS, '');
  const flap = /d/i.test(spelling) && !/t/i.test(spelling) ? 'D' : 'T';
  const phones: string[] = [];
  const skipped: string[] = [];
  const symbols = Array.from(text); // code points: IPA letters beyond the BMP would otherwise split in two
  let i = 0;
  while (i < symbols.length) {
    const symbol = symbols[i]!;
    if (BOUNDARIES.has(symbol) || /\s/.test(symbol) || COMBINING_MARK.test(symbol)) {
      i++;
      continue;
    }
    if (symbol === 'ɾ') {
      phones.push(flap);
      i++;
      continue;
    }
    let matched = false;
    for (let length = Math.min(MAX_KEY_LENGTH, symbols.length - i); length > 0; length--) {
      const mapped = IPA_TO_CMU.get(symbols.slice(i, i + length).join(''));
      if (mapped) {
        phones.push(...mapped);
        i += length;
        matched = true;
        break;
      }
    }
    if (!matched) {
      skipped.push(symbol);
      i++;
    }
  }
  return { phones, skipped };
}

/** "Kubernetes  Cluster " → "kubernetes cluster": the key a pronunciation is returned under. */
export function normalizeWord(word: string): string {
  return word.trim().toLowerCase().replace(/\s+/g, ' ');
}

/** Loaded dictionaries by path (a promise, so concurrent first calls read the file once); failures are not kept. */
const dictionaries = new Map<string, Promise<Map<string, string[]>>>();

/**
 * The PocketSphinx dictionary as word → pronunciations (the main entry first, then `word(2)`, `word(3)`…),
 * read once per path on first use (~135k lines).
 */
export function loadDictionary(path = DEFAULT_DICTIONARY_PATH): Promise<Map<string, string[]>> {
  let loading = dictionaries.get(path);
  if (!loading) {
    loading = readFile(path, 'utf8').then(parseDictionary, (cause: unknown) => {
      dictionaries.delete(path);
      throw new RecognizerError(
        `Pronunciation dictionary ${path} cannot be read; install the Debian package pocketsphinx-en-us`,
        { cause },
      );
    });
    dictionaries.set(path, loading);
  }
  return loading;
}

function parseDictionary(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^(\S+?)(?:\(\d+\))?\s+(.+?)\s*$/.exec(line);
    if (!match) continue;
    const word = match[1]!.toLowerCase();
    const phones = match[2]!.split(/\s+/).join(' ');
    const known = entries.get(word);
    if (known) known.push(phones);
    else entries.set(word, [phones]);
  }
  return entries;
}

/** What espeak-ng is given for one token: letters, digits and inner apostrophes or hyphens, nothing that ends a clause. */
function espeakInput(token: string): string {
  return token
    .replace(/[^\p{L}\p{N}'-]+/gu, ' ')
    .replace(/(^|\s)['-]+|['-]+(?=\s|$)/g, '$1')
    .trim();
}

/**
 * espeak-ng's pronunciation of each token, mapped to CMU phones: one espeak-ng process for the whole batch, one
 * input line per token (without -f or --stdin, espeak-ng reads stdin line by line and answers each line on its
 * own output line). Rejects only when the process itself fails (not installed, timed out, output misaligned).
 */
export async function espeakPronunciations(
  tokens: readonly string[],
  options: PronounceOptions = {},
): Promise<Map<string, CmuMapping>> {
  const unique = [...new Set(tokens.map(espeakInput).filter(Boolean))];
  const result = new Map<string, CmuMapping>();
  if (unique.length === 0) return result;
  const lines = await runEspeak(unique, options);
  unique.forEach((token, index) => {
    result.set(token, espeakIpaToCmu(lines[index] ?? '', token));
  });
  // Keyed by what the caller passed, not the cleaned form.
  const byToken = new Map<string, CmuMapping>();
  for (const token of tokens) {
    const mapping = result.get(espeakInput(token));
    if (mapping) byToken.set(token, mapping);
  }
  return byToken;
}

function runEspeak(lines: readonly string[], options: PronounceOptions): Promise<string[]> {
  const command = options.espeakCommand ?? 'espeak-ng';
  const timeout = options.timeoutMs ?? 10_000;
  const input = `${lines.join('\n')}\n`;
  return new Promise<string[]>((resolve, reject) => {
    const child = execFile(
      command,
      ['-q', '--ipa', '-v', options.voice ?? 'en-us'],
      { timeout, maxBuffer: 64 * input.length + 65_536, encoding: 'utf8' },
      (error, stdout) => {
        if (error) {
          const reason =
            (error as NodeJS.ErrnoException).code === 'ENOENT'
              ? `${command} is not installed (Debian package espeak-ng)`
              : error.killed
                ? `${command} did not answer within ${timeout} ms`
                : `${command} failed`;
          reject(new RecognizerError(`Pronunciation: ${reason}`, { cause: error }));
          return;
        }
        const output = stdout.split('\n').filter((line) => line.trim() !== '');
        if (output.length !== lines.length) {
          reject(
            new RecognizerError(
              `Pronunciation: ${command} answered ${output.length} lines for ${lines.length} words; cannot tell which is which`,
            ),
          );
          return;
        }
        resolve(output.map((line) => line.trim()));
      },
    );
    // A closed stdin (the process died at once) is reported by the exit callback above.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
  });
}

/**
 * Pronunciations for glossary words, keyed by the lower-cased word: the dictionary's main entry when it has the word,
 * otherwise espeak-ng's (one process for all such words). A word of several tokens ("koo ber net eez") is the
 * tokens' pronunciations in a row; a hyphenated token the dictionary lacks is tried part by part first.
 */
export async function pronounceWithReport(
  words: readonly string[],
  options: PronounceOptions = {},
): Promise<PronunciationReport> {
  const normalized = [...new Set(words.map(normalizeWord).filter(Boolean))];
  const dictionary = await loadDictionary(options.dictionaryPath);
  const fromDictionary = (token: string): string | undefined => {
    const entry = dictionary.get(token)?.[0];
    if (entry) return entry;
    const parts = token.split('-').filter(Boolean);
    if (parts.length < 2) return undefined;
    const pronounced = parts.map((part) => dictionary.get(part)?.[0]);
    return pronounced.every(Boolean) ? pronounced.join(' ') : undefined;
  };

  const unknownTokens = normalized.flatMap((word) => word.split(' ').filter((token) => !fromDictionary(token)));
  const derivedTokens = await espeakPronunciations(unknownTokens, options);

  const report: PronunciationReport = { pronunciations: new Map(), derived: [], skipped: new Map(), missing: [] };
  for (const word of normalized) {
    const phones: string[] = [];
    const skipped: string[] = [];
    let derived = false;
    let complete = true;
    for (const token of word.split(' ')) {
      const entry = fromDictionary(token);
      if (entry) {
        phones.push(entry);
        continue;
      }
      const mapping = derivedTokens.get(token);
      if (!mapping || mapping.phones.length === 0) {
        // A token with no phones would leave a pronunciation the speaker does not say: better none at all.
        complete = false;
        skipped.push(...(mapping?.skipped ?? []));
        continue;
      }
      derived = true;
      phones.push(mapping.phones.join(' '));
      skipped.push(...mapping.skipped);
    }
    if (skipped.length > 0) report.skipped.set(word, skipped);
    if (!complete || phones.length === 0) {
      report.missing.push(word);
      continue;
    }
    if (derived) report.derived.push(word);
    report.pronunciations.set(word, phones.join(' '));
  }
  return report;
}

/** `pronounceWithReport` without the report: lower-cased word → CMU phones; words with no pronunciation are absent. */
export async function pronounce(words: string[], options: PronounceOptions = {}): Promise<Map<string, string>> {
  return (await pronounceWithReport(words, options)).pronunciations;
}
