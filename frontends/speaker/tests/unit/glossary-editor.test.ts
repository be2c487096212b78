// The glossary editor's rows, CSV import and checks, and saving a live session's glossary (server faked).
import type { GlossaryEntry } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { GlossaryEditor, GlossarySaver, type GlossaryServer } from '../../src/lib/glossary-editor.svelte.ts';

const NGUYEN: GlossaryEntry = { term: 'Nguyen', spoken: 'win', targets: { es: 'Nguyen' } };

describe('GlossaryEditor', () => {
  test('rows become entries: trimmed, empty cells and wholly empty rows left out', () => {
    const editor = new GlossaryEditor();
    editor.add();
    editor.add();
    Object.assign(editor.rows[0]!, { term: ' Nguyen ', spoken: 'win', targets: { es: 'Nguyen', ca: ' ' } });
    expect(editor.entries()).toEqual([NGUYEN]);
    expect(editor.dirty).toBe(true);
  });

  test('invalid rows give no entries and name their row', () => {
    const editor = new GlossaryEditor([NGUYEN]);
    editor.add();
    editor.add();
    Object.assign(editor.rows[2]!, { term: 'nguyen' });
    Object.assign(editor.rows[1]!, { spoken: 'win' });
    expect(editor.entries()).toBeUndefined();
    expect(editor.problems).toEqual([
      { row: 2, message: 'term is empty' },
      { row: 3, message: expect.stringContaining('term "nguyen" is given twice') },
    ]);
  });

  test('a CSV file replaces the rows; one with problems changes nothing and lists them by line', () => {
    const editor = new GlossaryEditor([NGUYEN]);
    expect(editor.importCsv('term,spoken,es\nAda,,\nZoë <3,,\n')).toBe(false);
    expect(editor.problems).toEqual([{ line: 3, message: expect.stringContaining('term "Zoë <3" contains "<"') }]);
    expect(editor.rows.map((r) => r.term)).toEqual(['Nguyen']);
    expect(editor.importCsv('term,spoken,es\nAda,ay da,\n')).toBe(true);
    expect(editor.entries()).toEqual([{ term: 'Ada', spoken: 'ay da' }]);
    expect(editor.problems).toEqual([]);
  });

  test('the rows written as CSV read back the same', () => {
    const editor = new GlossaryEditor([NGUYEN, { term: 'SVOX Pico', targets: { ca: 'SVOX Pico' } }]);
    const again = new GlossaryEditor();
    expect(again.importCsv(editor.toCsv())).toBe(true);
    expect(again.entries()).toEqual(editor.entries());
  });
});

describe('GlossarySaver', () => {
  function server(version = 1) {
    const saved: { entries: GlossaryEntry[]; baseVersion: number | undefined }[] = [];
    let current: { version: number; entries: GlossaryEntry[] } = { version, entries: [NGUYEN] };
    const fake: GlossaryServer & { saved: typeof saved; fail?: Error } = {
      saved,
      async load() {
        return current;
      },
      async save(entries, baseVersion) {
        if (fake.fail) throw fake.fail;
        saved.push({ entries, baseVersion });
        current = { version: current.version + 1, entries };
        return current;
      },
    };
    return fake;
  }

  test('loads the version in force, saves the rows from it and shows the new version', async () => {
    const fake = server();
    const saver = new GlossarySaver(new GlossaryEditor(), fake);
    await saver.load();
    expect(saver.version).toBe(1);
    expect(saver.editor.dirty).toBe(false);
    saver.editor.add();
    Object.assign(saver.editor.rows[1]!, { term: 'Ada' });
    await saver.save();
    expect(fake.saved).toEqual([{ entries: [NGUYEN, { term: 'Ada' }], baseVersion: 1 }]);
    expect(saver.version).toBe(2);
    expect(saver.editor.dirty).toBe(false);
  });

  test('invalid rows are not sent', async () => {
    const fake = server();
    const saver = new GlossarySaver(new GlossaryEditor(), fake);
    await saver.load();
    saver.editor.add();
    Object.assign(saver.editor.rows[1]!, { term: 'Ada <3' });
    await saver.save();
    expect(fake.saved).toEqual([]);
    expect(saver.editor.problems).toHaveLength(1);
  });

  test("a refused save keeps the rows and shows the server's message and problems", async () => {
    const fake = server();
    const saver = new GlossarySaver(new GlossaryEditor(), fake);
    await saver.load();
    saver.editor.changed();
    fake.fail = Object.assign(new Error('The glossary changed since version 1'), {
      code: 'glossary_conflict',
      problems: [],
    });
    await saver.save();
    expect(saver.error).toBe('The glossary changed since version 1');
    expect(saver.version).toBe(1);
    expect(saver.editor.dirty).toBe(true);
    expect(saver.busy).toBe(false);
  });
});
