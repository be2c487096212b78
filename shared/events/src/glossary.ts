// The session glossary: names and terms the speaker wants recognised, translated and spoken their way. This module
// is the contract (schema, limits) and its CSV form, the one a speaker pastes or imports.
import { z } from 'zod';
import { LanguageCode } from './events/common.ts';

/** Entries in one session's glossary (a custom vocabulary and a terminology are built from all of them). */
export const MAX_GLOSSARY_ENTRIES = 200;
/** Characters (code points) in a term. */
export const MAX_TERM_LENGTH = 64;
/** Words (runs of non-space characters) in a term: a name or a term, not a sentence. */
export const MAX_TERM_WORDS = 6;
/** Characters in a spoken form. */
export const MAX_SPOKEN_LENGTH = 128;
/** Characters in a target form. */
export const MAX_TARGET_LENGTH = 64;

// Letters of any script with their combining marks (Devanagari vowel signs, decomposed accents: a letter without
// its marks is not the letter), digits, and the punctuation names carry. Both apostrophes: O'Brien and O’Brien.
const TERM_CHAR = String.raw`\p{L}\p{M}\p{Nd}\-'’.&`;
const SPOKEN_CHAR = String.raw`\p{L}\p{M}\-'’`;
const ALLOWED_TERM = "letters, digits, spaces and - ' . &";
const ALLOWED_SPOKEN = "letters, spaces, - and '";

interface TextRule {
  field: string;
  maxLength: number;
  /** Characters allowed besides the space. */
  chars: string;
  allowed: string;
  maxWords?: number;
}

/**
 * One pattern holds the whole rule (length in code points, characters, no space at either end, word count), so the
 * JSON Schema of a contract carrying a glossary states it too; the message then says which part was broken.
 */
function textSchema(rule: TextRule) {
  const word = `[${rule.chars}]+`;
  const words = rule.maxWords ? `{0,${rule.maxWords - 1}}` : '*';
  const pattern = new RegExp(`^(?=.{1,${rule.maxLength}}$)${word}(?: +${word})${words}$`, 'u');
  return z.string().regex(pattern, { error: (issue) => textProblems(rule, String(issue.input)) });
}

function textProblems(rule: TextRule, value: string): string {
  if (value.length === 0) return `${rule.field} is empty`;
  const problems: string[] = [];
  const length = [...value].length;
  if (length > rule.maxLength) problems.push(`is ${length} characters long (at most ${rule.maxLength})`);
  const control = [...value].find((c) => /\p{Cc}/u.test(c));
  const allowed = new RegExp(`[ ${rule.chars}]`, 'u');
  const other = [...new Set([...value].filter((c) => !allowed.test(c)))];
  if (control) {
    problems.push(`contains a control character (${codePoint(control)})`);
  } else if (other.length > 0) {
    problems.push(`contains ${other.map(showChar).join(' ')}: only ${rule.allowed} are allowed`);
  }
  if (value.startsWith(' ') || value.endsWith(' ')) problems.push('starts or ends with a space');
  const wordCount = value.split(' ').filter(Boolean).length;
  if (rule.maxWords && wordCount > rule.maxWords) problems.push(`has ${wordCount} words (at most ${rule.maxWords})`);
  return `${rule.field} ${JSON.stringify(value)} ${problems.join('; ') || 'is not allowed'}`;
}

function codePoint(c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A refused character as a reader can see it: invisible ones (other spaces, format characters) by code point. */
function showChar(c: string): string {
  return /[\p{Z}\p{C}]/u.test(c) ? codePoint(c) : JSON.stringify(c);
}

/** The source-language term as the speaker writes it: "Nguyen", "Kubernetes", "SVOX Pico". */
export const GlossaryTermText = textSchema({
  field: 'term',
  maxLength: MAX_TERM_LENGTH,
  chars: TERM_CHAR,
  allowed: ALLOWED_TERM,
  maxWords: MAX_TERM_WORDS,
});

/** How the term sounds, respelled in plain letters ("win" for Nguyen, "koo ber net eez"): for recognition and voices. */
export const GlossarySpokenForm = textSchema({
  field: 'spoken form',
  maxLength: MAX_SPOKEN_LENGTH,
  chars: SPOKEN_CHAR,
  allowed: ALLOWED_SPOKEN,
});

/**
 * What the term becomes in a target language. The term's characters but no word limit: a six-word name may take
 * more words in another language, and the length bounds it anyway.
 */
export const GlossaryTargetForm = textSchema({
  field: 'target form',
  maxLength: MAX_TARGET_LENGTH,
  chars: TERM_CHAR,
  allowed: ALLOWED_TERM,
});

export const GlossaryEntry = z.object({
  term: GlossaryTermText,
  spoken: GlossarySpokenForm.optional(),
  /** Target form per language; a language not listed keeps the term unchanged. */
  targets: z.record(LanguageCode, GlossaryTargetForm).optional(),
});
export type GlossaryEntry = z.infer<typeof GlossaryEntry>;

/** The key two terms share when they are the same term: case and runs of spaces do not make a new one. */
export function glossaryKey(term: string): string {
  return term.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export const Glossary = z
  .array(GlossaryEntry)
  .max(MAX_GLOSSARY_ENTRIES, {
    error: (issue) =>
      `a glossary has at most ${MAX_GLOSSARY_ENTRIES} entries; this one has ${(issue.input as unknown[]).length}`,
  })
  .superRefine((entries, ctx) => {
    const first = new Map<string, number>();
    entries.forEach((entry, index) => {
      const key = glossaryKey(entry.term);
      const earlier = first.get(key);
      if (earlier === undefined) {
        first.set(key, index);
        return;
      }
      ctx.addIssue({
        code: 'custom',
        path: [index, 'term'],
        // Entries counted from 1 as a person reads a list; the index is kept for callers that know better (CSV lines).
        message: `term ${JSON.stringify(entry.term)} is given twice (entry ${earlier + 1} is ${JSON.stringify(entries[earlier]?.term)})`,
        params: { duplicateOf: earlier },
      });
    });
  });
export type Glossary = z.infer<typeof Glossary>;

/** A problem in a glossary file, on its 1-based line (a row's first line when a quoted cell spans lines). */
export interface GlossaryCsvError {
  line: number;
  message: string;
}

const HEADER_HINT = 'the header "term,spoken" followed by one column per language code ("term,spoken,es,fr")';

/**
 * Reads a glossary from CSV: a header `term,spoken,<language>…` then one entry per row; empty cells are not given,
 * cells are trimmed, blank lines skipped. Every problem of every row is reported with its line, not just the first.
 */
export function parseGlossaryCsv(text: string): { glossary: Glossary } | { errors: GlossaryCsvError[] } {
  const { records, errors } = readCsv(text);
  const rows = records.filter((r) => r.cells.some((c) => c !== ''));
  const header = rows.shift();
  if (!header) return { errors: [...errors, { line: 1, message: `the file is empty: it needs ${HEADER_HINT}` }] };

  const names = header.cells.map((c) => c.toLowerCase());
  if (names[0] !== 'term' || names[1] !== 'spoken') {
    const found = header.cells.join(',');
    return {
      errors: [...errors, { line: header.line, message: `the first line must be ${HEADER_HINT}, not "${found}"` }],
    };
  }
  // Language columns: a bad one is reported and its cells ignored, so the rows' own problems are still found.
  const languages = new Map<number, string>();
  header.cells.slice(2).forEach((name, i) => {
    const column = i + 3;
    if (!LanguageCode.safeParse(name).success) {
      const what = name === '' ? 'has no name' : `"${name}" is not a language code`;
      errors.push({
        line: header.line,
        message: `header column ${column} ${what}: columns after "spoken" are language codes like "es" or "pt-BR"`,
      });
    } else if ([...languages.values()].includes(name)) {
      errors.push({ line: header.line, message: `header column ${column}: language "${name}" is given twice` });
    } else {
      languages.set(column - 1, name);
    }
  });

  if (rows.length > MAX_GLOSSARY_ENTRIES) {
    errors.push({
      line: rows[MAX_GLOSSARY_ENTRIES]!.line,
      message: `a glossary has at most ${MAX_GLOSSARY_ENTRIES} entries; this file has ${rows.length}`,
    });
  }

  const entries: { entry: GlossaryEntry; line: number }[] = [];
  for (const row of rows) {
    if (row.cells.length > header.cells.length) {
      errors.push({
        line: row.line,
        message: `has ${row.cells.length} cells but the header has ${header.cells.length} columns`,
      });
      continue;
    }
    const [term = '', spoken = ''] = row.cells;
    const targets: Record<string, string> = {};
    for (const [index, language] of languages) {
      const form = row.cells[index] ?? '';
      if (form !== '') targets[language] = form;
    }
    if (term === '') {
      errors.push({ line: row.line, message: 'term is missing (the first cell of a row)' });
      continue;
    }
    const raw = {
      term,
      ...(spoken !== '' && { spoken }),
      ...(Object.keys(targets).length > 0 && { targets }),
    };
    const parsed = GlossaryEntry.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push({ line: row.line, message: cellMessage(issue) });
    } else {
      entries.push({ entry: parsed.data, line: row.line });
    }
  }

  // Duplicates among the rows that are valid on their own; the count was judged above over every row.
  const whole = Glossary.safeParse(entries.map((e) => e.entry));
  if (!whole.success) {
    for (const issue of whole.error.issues) {
      const index = issue.path[0];
      if (typeof index !== 'number') continue;
      const duplicateOf = issue.code === 'custom' ? (issue.params?.duplicateOf as number | undefined) : undefined;
      const message =
        duplicateOf === undefined
          ? issue.message
          : `term ${JSON.stringify(entries[index]?.entry.term)} is given twice (line ${entries[duplicateOf]?.line} has ${JSON.stringify(entries[duplicateOf]?.entry.term)})`;
      errors.push({ line: entries[index]?.line ?? 0, message });
    }
  }

  if (errors.length > 0) return { errors: errors.sort((a, b) => a.line - b.line) };
  return { glossary: entries.map((e) => e.entry) };
}

/** A cell's problem, with the column it is in where the schema's message does not already name it. */
function cellMessage(issue: z.core.$ZodIssue): string {
  const [field, language] = issue.path;
  if (field === 'targets' && typeof language === 'string') return `column ${language}: ${issue.message}`;
  return issue.message;
}

/** Writes a glossary as CSV that `parseGlossaryCsv` reads back to the same glossary. */
export function glossaryToCsv(glossary: Glossary): string {
  const languages = [...new Set(glossary.flatMap((e) => Object.keys(e.targets ?? {})))];
  const lines = [
    ['term', 'spoken', ...languages],
    ...glossary.map((e) => [e.term, e.spoken ?? '', ...languages.map((l) => e.targets?.[l] ?? '')]),
  ];
  return `${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

interface CsvRecord {
  line: number;
  cells: string[];
}

/**
 * RFC 4180 records: quoted cells may hold commas, doubled quotes and line breaks; CRLF or LF; a leading UTF-8 BOM is
 * dropped. Cells are trimmed (nothing in a glossary begins or ends with a space).
 */
function readCsv(text: string): { records: CsvRecord[]; errors: GlossaryCsvError[] } {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  const errors: GlossaryCsvError[] = [];
  let line = 1;
  let i = 0;
  while (i <= source.length) {
    const start = line;
    const cells: string[] = [];
    let badQuote = false;
    // One record: cells until an unquoted line break or the end.
    for (;;) {
      let cell = '';
      while (source[i] === ' ' || source[i] === '\t') i++;
      if (source[i] === '"') {
        const opened = line;
        i++;
        for (;;) {
          if (i >= source.length) {
            errors.push({ line: opened, message: 'a quoted cell is never closed (a " is missing)' });
            return { records, errors };
          }
          const c = source[i]!;
          if (c === '"' && source[i + 1] === '"') {
            cell += '"';
            i += 2;
          } else if (c === '"') {
            i++;
            break;
          } else {
            if (c === '\n') line++;
            cell += c;
            i++;
          }
        }
        while (source[i] === ' ' || source[i] === '\t') i++;
        if (i < source.length && source[i] !== ',' && source[i] !== '\n' && source[i] !== '\r') {
          badQuote = true;
          while (i < source.length && source[i] !== ',' && source[i] !== '\n' && source[i] !== '\r') i++;
        }
      } else {
        while (i < source.length && source[i] !== ',' && source[i] !== '\n' && source[i] !== '\r') cell += source[i++];
      }
      cells.push(cell.trim());
      if (source[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (badQuote) {
      errors.push({ line: start, message: 'text follows a closing quote: a quote inside a quoted cell is written ""' });
    } else {
      records.push({ line: start, cells });
    }
    if (i >= source.length) break;
    if (source[i] === '\r') i++;
    if (source[i] === '\n') i++;
    line++;
  }
  return { records, errors };
}
