// Decoders loaded ahead: the next sessions take them at once; replacements load one at a time, a while after the
// last session took one.
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Recognizer, RecognizerStream } from '#core/ports';
import { SpareRecognizer } from '../../src/adapters/spare-recognizer.ts';

const quiet = { info() {}, warn() {}, error() {} };

function fakeRecognizer() {
  const opened: string[] = [];
  const released: string[] = [];
  /** Loads in progress, resolved by the test in the order it chooses. */
  const pending: (() => void)[] = [];
  let manual = false;
  const recognizer: Recognizer = {
    name: 'fake',
    open: async (sessionId, language) => {
      opened.push(`${sessionId}:${language}`);
      if (manual) await new Promise<void>((resolve) => pending.push(resolve));
      return {
        write: async () => ({ text: '' }),
        finish: async () => '',
        release: async () => {
          released.push(`${sessionId}:${language}`);
        },
      } satisfies RecognizerStream;
    },
  };
  return {
    recognizer,
    opened,
    released,
    pending,
    holdLoads: () => {
      manual = true;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => {
  vi.useRealTimers();
});

describe('spare recognisers', () => {
  test('keeps the set number loaded per language, one load at a time', async () => {
    const fake = fakeRecognizer();
    fake.holdLoads();
    new SpareRecognizer(fake.recognizer, quiet, ['en'], { spares: 2, refillAfterMs: 10_000 });
    await settle();
    // The second waits for the first to finish loading.
    expect(fake.opened).toEqual(['spare:en']);
    fake.pending.shift()?.();
    await settle();
    expect(fake.opened).toEqual(['spare:en', 'spare:en']);
  });

  test('taken spares are replaced only a while after the last session took one', async () => {
    vi.useFakeTimers();
    const fake = fakeRecognizer();
    const spares = new SpareRecognizer(fake.recognizer, quiet, ['en'], { spares: 2, refillAfterMs: 10_000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.opened).toEqual(['spare:en', 'spare:en']);

    await spares.open('s1', 'en');
    await vi.advanceTimersByTimeAsync(6_000);
    await spares.open('s2', 'en');
    await vi.advanceTimersByTimeAsync(9_000);
    // The sessions' first sentences run without a decoder loading beside them, even with none left.
    expect(fake.opened).toHaveLength(2);
    await spares.open('s3', 'en');
    // None left: the third session loads its own.
    expect(fake.opened.at(-1)).toBe('s3:en');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.opened).toEqual(['spare:en', 'spare:en', 's3:en', 'spare:en', 'spare:en']);
  });

  test('two sessions starting together both get a loaded decoder', async () => {
    const fake = fakeRecognizer();
    const spares = new SpareRecognizer(fake.recognizer, quiet, ['en'], { spares: 2, refillAfterMs: 10_000 });
    await settle();
    fake.holdLoads();
    const [a, b] = await Promise.all([spares.open('s1', 'en'), spares.open('s2', 'en')]);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    // Neither waited for a load, and none started beside them.
    expect(fake.opened).toEqual(['spare:en', 'spare:en']);
    await spares.release();
  });

  test('a language without spares: its first session loads its own, and spares follow for the next', async () => {
    vi.useFakeTimers();
    const fake = fakeRecognizer();
    const spares = new SpareRecognizer(fake.recognizer, quiet, [], { spares: 1, refillAfterMs: 10_000 });
    await spares.open('s1', 'es');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.opened).toEqual(['s1:es', 'spare:es']);
    await spares.open('s2', 'es');
    expect(fake.opened.filter((o) => o === 's2:es')).toEqual([]);
  });

  test('a spare that failed to load leaves the session to load its own', async () => {
    const fake = fakeRecognizer();
    let fail = true;
    const flaky: Recognizer = {
      name: 'flaky',
      open: async (id, lang) => {
        if (fail) {
          fail = false;
          throw new Error('no memory');
        }
        return fake.recognizer.open(id, lang);
      },
    };
    const spares = new SpareRecognizer(flaky, quiet, ['en'], { spares: 1, refillAfterMs: 10_000 });
    await spares.open('s1', 'en');
    expect(fake.opened).toContain('s1:en');
  });

  test('release frees every spare, loaded or still loading, and loads no more', async () => {
    vi.useFakeTimers();
    const fake = fakeRecognizer();
    const spares = new SpareRecognizer(fake.recognizer, quiet, ['en'], { spares: 2, refillAfterMs: 10_000 });
    await vi.advanceTimersByTimeAsync(0);
    await spares.open('s1', 'en');
    await spares.release();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(fake.released).toEqual(['spare:en']);
    expect(fake.opened).toHaveLength(2);
  });
});
