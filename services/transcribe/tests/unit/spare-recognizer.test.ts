// A decoder loaded ahead: the next session takes it at once, and another is loaded behind it.
import { describe, expect, test } from 'vitest';
import type { Recognizer, RecognizerStream } from '#core/ports';
import { SpareRecognizer } from '../../src/adapters/spare-recognizer.ts';

function fakeRecognizer() {
  const opened: string[] = [];
  const recognizer: Recognizer = {
    name: 'fake',
    open: async (sessionId, language) => {
      opened.push(`${sessionId}:${language}`);
      return {
        write: async () => ({ text: '' }),
        finish: async () => '',
        release: async () => undefined,
      } satisfies RecognizerStream;
    },
  };
  return { recognizer, opened };
}

describe('spare recogniser', () => {
  test('loads one ahead per language, hands it to the next session and loads the next', async () => {
    const { recognizer, opened } = fakeRecognizer();
    const spare = new SpareRecognizer(recognizer, { info() {}, warn() {}, error() {} }, ['en']);
    expect(opened).toEqual(['spare:en']);
    await spare.open('s1', 'en');
    expect(opened).toEqual(['spare:en', 'spare:en']);
    await spare.open('s2', 'es');
    // No spare for Spanish yet: the session loads its own, and one is prepared for the next.
    expect(opened).toEqual(['spare:en', 'spare:en', 's2:es', 'spare:es']);
  });

  test('a spare that failed to load leaves the session to load its own', async () => {
    const { recognizer, opened } = fakeRecognizer();
    let fail = true;
    const flaky: Recognizer = {
      name: 'flaky',
      open: async (id, lang) => {
        if (fail) {
          fail = false;
          throw new Error('no memory');
        }
        return recognizer.open(id, lang);
      },
    };
    const spare = new SpareRecognizer(flaky, { info() {}, warn() {}, error() {} }, ['en']);
    await spare.open('s1', 'en');
    expect(opened).toContain('s1:en');
  });
});
