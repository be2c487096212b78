// A session glossary as an Amazon Transcribe custom vocabulary: the vocabulary's name for a glossary version, and
// the table file it is built from. The events handler creates vocabularies with it; the recogniser uses the same
// names to find them and the same table to know whether a glossary has anything to recognise at all.
//
// Rules relied on:
// - Table format (https://docs.aws.amazon.com/transcribe/latest/dg/custom-vocabulary-create-table.html): a UTF-8
//   text file, a header row naming the four columns Phrase, SoundsLike, IPA and DisplayAs, one tab between columns.
//   Phrase is required: no spaces (the words of a phrase are joined with hyphens, "Los-Angeles"), no digits
//   (numbers spelled out). SoundsLike and IPA are no longer supported for custom vocabularies: their values are
//   ignored, so they are left empty; a spoken respelling therefore goes in as a Phrase row of its own whose
//   DisplayAs is the term. DisplayAs is what the transcript shows for the phrase: the term as the speaker wrote it.
// - Only characters of the language's character set are accepted, else the vocabulary fails
//   (https://docs.aws.amazon.com/transcribe/latest/dg/charsets.html); the glossary's own rules (letters, marks,
//   digits, - ' ’ . &) are narrowed here to letters, marks, - ' and . in a Phrase.
// - A vocabulary file is at most 50 KB and an entry at most 256 characters; an account holds 100 vocabularies by
//   default (https://docs.aws.amazon.com/transcribe/latest/dg/custom-vocabulary.html).
// - A list vocabulary (CreateVocabulary's Phrases) has no DisplayAs and is being deprecated in favour of tables
//   (https://docs.aws.amazon.com/transcribe/latest/dg/custom-vocabulary-create-list.html): hence a table file in
//   S3 (VocabularyFileUri), never Phrases.
// - Names match ^[0-9a-zA-Z._-]+, at most 200 characters, unique in the account and region
//   (https://docs.aws.amazon.com/transcribe/latest/APIReference/API_CreateVocabulary.html).
import type { GlossaryEntry } from '@llt/events';

/** The vocabulary of one glossary version of a session (session ids are 8–64 of [A-Za-z0-9_-]). */
export function vocabularyName(sessionId: string, version: number): string {
  return `${vocabularyNamePrefix(sessionId)}${version}`;
}

/** What every vocabulary name of the session starts with (ListVocabularies' NameContains). */
export function vocabularyNamePrefix(sessionId: string): string {
  return `llt-${sessionId}-v`;
}

/** The glossary version a vocabulary name stands for, if it is one of this session's. */
export function versionOfVocabulary(sessionId: string, name: string): number | undefined {
  const prefix = vocabularyNamePrefix(sessionId);
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^[1-9]\d*$/.test(rest) ? Number(rest) : undefined;
}

/** Transcribe's limit on a vocabulary file, in bytes. */
export const MAX_VOCABULARY_BYTES = 50 * 1024;

export interface VocabularyRow {
  phrase: string;
  displayAs: string;
}

export interface VocabularyTable {
  rows: VocabularyRow[];
  /** The file's text: header and rows, tab-separated, LF line ends. */
  text: string;
  /** Terms that gave no row (digits or & without a respelling) or did not fit in the file. */
  omitted: string[];
}

const HEADER = 'Phrase\tSoundsLike\tIPA\tDisplayAs';

/**
 * The table for a glossary: for each entry a row for the term itself and, when a spoken form is given and differs,
 * a row for the respelling, both displayed as the term. Rows that would push the file past 50 KB are left out.
 */
export function vocabularyTable(entries: readonly GlossaryEntry[]): VocabularyTable {
  const rows: VocabularyRow[] = [];
  const omitted: string[] = [];
  const seen = new Set<string>();
  let bytes = byteLength(HEADER);
  for (const entry of entries) {
    const candidates = [phraseOf(entry.term), entry.spoken ? phraseOf(entry.spoken) : undefined].filter(
      (p): p is string => p !== undefined,
    );
    const added: VocabularyRow[] = [];
    let size = 0;
    for (const phrase of candidates) {
      const key = phrase.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const row = { phrase, displayAs: entry.term };
      added.push(row);
      size += byteLength(`\n${line(row)}`);
    }
    if (candidates.length === 0 || (added.length > 0 && bytes + size > MAX_VOCABULARY_BYTES)) {
      omitted.push(entry.term);
      continue;
    }
    rows.push(...added);
    bytes += size;
  }
  return { rows, text: [HEADER, ...rows.map(line)].join('\n'), omitted };
}

/**
 * A Phrase cell for a term or respelling: words joined with hyphens, typographic apostrophes made plain;
 * undefined when it holds what a Phrase cannot (digits must be spelled out, & is no letter).
 */
export function phraseOf(text: string): string | undefined {
  const normal = text.normalize('NFC').replaceAll('’', "'");
  if (!/^[\p{L}\p{M}'.\- ]+$/u.test(normal)) return undefined;
  const phrase = normal
    .split(/[\s-]+/)
    .filter(Boolean)
    .join('-');
  return /\p{L}/u.test(phrase) ? phrase : undefined;
}

function line(row: VocabularyRow): string {
  return `${row.phrase}\t\t\t${row.displayAs}`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
