import { describe, expect, it } from 'vitest';
import { Settings } from '../../src/lib/settings.svelte.ts';

function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => {
      items.delete(key);
    },
    setItem: (key, value) => {
      items.set(key, value);
    },
  };
}

describe('Settings', () => {
  it('shows provisional text by default', () => {
    expect(new Settings(memoryStorage()).finishedOnly).toBe(false);
  });

  it('remembers the choice of finished sentences only across visits', () => {
    const storage = memoryStorage();
    const settings = new Settings(storage);
    settings.toggleFinishedOnly();
    expect(settings.finishedOnly).toBe(true);
    expect(new Settings(storage).finishedOnly).toBe(true);
    settings.toggleFinishedOnly();
    expect(new Settings(storage).finishedOnly).toBe(false);
  });

  it('shows the untranslated words after a provisional translation by default, and remembers hiding them', () => {
    const storage = memoryStorage();
    const settings = new Settings(storage);
    expect(settings.showUntranslated).toBe(true);
    settings.toggleUntranslated();
    expect(settings.showUntranslated).toBe(false);
    expect(new Settings(storage).showUntranslated).toBe(false);
    settings.toggleUntranslated();
    expect(new Settings(storage).showUntranslated).toBe(true);
  });
});
