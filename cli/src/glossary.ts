// The session glossary from a CSV file (`term,spoken,<language>…`, one entry per row), as `llt speak --glossary`
// sends it when it creates the session.
import { readFileSync } from 'node:fs';
import { type GlossaryEntry, parseGlossaryCsv } from '@llt/events';
import { GlossaryFileError } from './errors.ts';

/** Reads and checks a glossary file; every problem of every row is reported with its line. */
export function readGlossaryFile(path: string): GlossaryEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new GlossaryFileError(`Cannot read glossary ${path}: ${(cause as Error).message}`, { cause });
  }
  const parsed = parseGlossaryCsv(text);
  if ('glossary' in parsed) return parsed.glossary;
  const lines = parsed.errors.map((e) => `  ${path}:${e.line}: ${e.message}`);
  const count = parsed.errors.length === 1 ? '1 problem' : `${parsed.errors.length} problems`;
  throw new GlossaryFileError(`Glossary ${path} is not valid (${count}):\n${lines.join('\n')}`);
}
