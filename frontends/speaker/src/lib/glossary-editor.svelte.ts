// The glossary as the speaker edits it: rows of term, spoken form and a target form per language, a CSV file
// imported or pasted into them, and the check of every row before anything is sent.
import { Glossary, type GlossaryEntry, glossaryToCsv, parseGlossaryCsv } from '@llt/events';

export interface GlossaryRow {
  /** Stable key for the list while rows are added and removed. */
  id: number;
  term: string;
  spoken: string;
  /** Target form per language code; an empty one keeps the term unchanged in that language. */
  targets: Record<string, string>;
}

/** A problem found in the glossary: on a row of the list (1-based), or on a line of an imported file. */
export interface GlossaryProblem {
  row?: number;
  line?: number;
  message: string;
}

let nextId = 1;

export class GlossaryEditor {
  rows: GlossaryRow[] = $state([]);
  /** Problems of the last import or check, shown until the next one. */
  problems: GlossaryProblem[] = $state([]);
  /** The rows changed since they were last loaded or saved. */
  dirty = $state(false);

  constructor(entries: GlossaryEntry[] = []) {
    this.rows = entries.map(rowOf);
  }

  add(): void {
    this.rows = [...this.rows, { id: nextId++, term: '', spoken: '', targets: {} }];
    this.dirty = true;
  }

  remove(id: number): void {
    this.rows = this.rows.filter((row) => row.id !== id);
    this.dirty = true;
  }

  changed(): void {
    this.dirty = true;
  }

  /** Replaces the rows with a loaded or saved glossary. */
  load(entries: GlossaryEntry[]): void {
    this.rows = entries.map(rowOf);
    this.problems = [];
    this.dirty = false;
  }

  /**
   * Replaces the rows with a CSV file's entries; a file with problems changes nothing and lists them by line.
   * Returns whether the file was taken.
   */
  importCsv(text: string): boolean {
    const parsed = parseGlossaryCsv(text);
    if ('errors' in parsed) {
      this.problems = parsed.errors.map((e) => ({ line: e.line, message: e.message }));
      return false;
    }
    this.rows = parsed.glossary.map(rowOf);
    this.problems = [];
    this.dirty = true;
    return true;
  }

  /** The glossary as CSV, for the speaker to keep. */
  toCsv(): string {
    return glossaryToCsv(this.draft());
  }

  /**
   * The entries to send, checked as the server checks them; undefined (and `problems` set, by row) when a row
   * is not valid. Rows left entirely empty are dropped.
   */
  entries(): GlossaryEntry[] | undefined {
    const draft = this.draft();
    const parsed = Glossary.safeParse(draft);
    if (parsed.success) {
      this.problems = [];
      return parsed.data;
    }
    const used = this.rows.filter((row) => !isEmpty(row));
    this.problems = parsed.error.issues
      .map((issue) => {
        const [index, field, language] = issue.path;
        const message =
          field === 'targets' && typeof language === 'string' ? `${language}: ${issue.message}` : issue.message;
        const row = typeof index === 'number' ? this.rows.indexOf(used[index]!) + 1 : undefined;
        return row ? { row, message } : { message };
      })
      .sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    return undefined;
  }

  private draft(): GlossaryEntry[] {
    return this.rows
      .filter((row) => !isEmpty(row))
      .map((row) => {
        const targets = Object.fromEntries(
          Object.entries(row.targets)
            .map(([code, form]) => [code, form.trim()] as const)
            .filter(([, form]) => form !== ''),
        );
        return {
          term: row.term.trim(),
          ...(row.spoken.trim() ? { spoken: row.spoken.trim() } : {}),
          ...(Object.keys(targets).length > 0 ? { targets } : {}),
        };
      });
  }
}

function rowOf(entry: GlossaryEntry): GlossaryRow {
  return { id: nextId++, term: entry.term, spoken: entry.spoken ?? '', targets: { ...entry.targets } };
}

function isEmpty(row: GlossaryRow): boolean {
  return !row.term.trim() && !row.spoken.trim() && Object.values(row.targets).every((t) => !t.trim());
}

/** What a live session's glossary needs from the server: read and replace (the HTTP API's glossary routes). */
export interface GlossaryServer {
  load(): Promise<{ version: number; entries: GlossaryEntry[] }>;
  save(
    entries: GlossaryEntry[],
    baseVersion: number | undefined,
  ): Promise<{ version: number; entries: GlossaryEntry[] }>;
}

/** A live session's glossary: the version saved on the server, loading and saving the editor's rows. */
export class GlossarySaver {
  /** The version in force on the server; undefined until loaded. */
  version: number | undefined = $state();
  busy = $state(false);
  /** Why the last load or save failed. */
  error: string | undefined = $state();
  /** The server's problems with the last save, each with its entry. */
  problems: { entry?: number; line?: number; message: string }[] = $state([]);

  constructor(
    readonly editor: GlossaryEditor,
    private readonly server: GlossaryServer,
  ) {}

  async load(): Promise<void> {
    await this.run(async () => {
      const loaded = await this.server.load();
      this.version = loaded.version;
      this.editor.load(loaded.entries);
    });
  }

  /** Saves the rows as the next version; nothing is sent while a row is not valid. */
  async save(): Promise<void> {
    const entries = this.editor.entries();
    if (!entries) return;
    await this.run(async () => {
      const saved = await this.server.save(entries, this.version);
      this.version = saved.version;
      this.editor.load(saved.entries);
    });
  }

  private async run(work: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = undefined;
    this.problems = [];
    try {
      await work();
    } catch (error) {
      // The rows stay as the speaker left them, whatever went wrong (a conflict, a refused entry, the network).
      this.error = (error as Error).message;
      this.problems = (error as { problems?: GlossarySaver['problems'] }).problems ?? [];
    } finally {
      this.busy = false;
    }
  }
}
