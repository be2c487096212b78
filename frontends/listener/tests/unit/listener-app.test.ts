// The page's state for a session whose languages include one without a voice: the picker marks it, and once it
// is picked there is no audio to offer (not even with `?audio=on`), while a spoken language keeps its audio.
import type { LanguageOptions } from '@llt/client';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { describeLanguage, ListenerApp } from '../../src/lib/listener-app.svelte.ts';
import { Settings } from '../../src/lib/settings.svelte.ts';

const description = { sessionId: 'sess_0123456789', sourceLanguage: 'en', targetLanguages: ['es', 'oc'] };
const languages = {
  source: [{ code: 'en', name: 'English', nativeName: 'English' }],
  target: [
    { code: 'es', name: 'Spanish', nativeName: 'Español', available: true, spoken: true },
    { code: 'oc', name: 'Occitan', nativeName: 'Occitan', available: true, spoken: false },
  ],
};

/** A WebSocket that never opens: the state under test does not depend on the connection. */
class SilentSocket {
  readyState = 0;
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  send(): void {}
  close(): void {}
}

function page(query: string): ListenerApp {
  const href = `http://listener.test/${query}`;
  vi.stubGlobal('location', { href, origin: 'http://listener.test' });
  vi.stubGlobal('history', { state: null, replaceState: vi.fn() });
  return new ListenerApp(new Settings(undefined), new URL(href));
}

beforeEach(() => {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      const body = url.startsWith('/api/languages') ? languages : description;
      return new Response(JSON.stringify(body), { status: 200 });
    }),
  );
  vi.stubGlobal('WebSocket', SilentSocket);
  vi.stubGlobal('navigator', { onLine: true });
  vi.stubGlobal('addEventListener', vi.fn());
  vi.stubGlobal('removeEventListener', vi.fn());
  vi.stubGlobal('document', { visibilityState: 'visible', addEventListener: vi.fn(), removeEventListener: vi.fn() });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a language without a voice', () => {
  test('is marked captions only among the languages offered', async () => {
    const app = page('?code=K7M2QX');
    await app.init();
    expect(app.stage).toBe('language');
    expect(app.offered.map(({ code, spoken }) => ({ code, spoken }))).toEqual([
      { code: 'es', spoken: true },
      { code: 'oc', spoken: false },
    ]);
  });

  test('once picked, the page offers no audio, and audio asked for in the URL stays off', async () => {
    const app = page('?code=K7M2QX&audio=on');
    const enable = vi.spyOn(app.player, 'enable').mockImplementation(() => {});
    await app.init();
    app.chooseLanguage('oc');
    expect(app.stage).toBe('session');
    expect(app.captionsOnly).toBe(true);
    expect(enable).not.toHaveBeenCalled();
    app.leave();
  });

  test('a spoken language picked afterwards has its audio again', async () => {
    const app = page('?code=K7M2QX&audio=on');
    const enable = vi.spyOn(app.player, 'enable').mockImplementation(() => {});
    await app.init();
    app.chooseLanguage('oc');
    app.changeLanguage();
    app.chooseLanguage('es');
    expect(app.captionsOnly).toBe(false);
    expect(enable).toHaveBeenCalledOnce();
    app.leave();
  });
});

describe('describeLanguage', () => {
  test('a language is spoken unless the catalog says it is captions only, and spoken without a catalog', () => {
    const catalog: LanguageOptions = {
      source: [],
      target: languages.target,
    };
    expect(describeLanguage('oc', catalog).spoken).toBe(false);
    expect(describeLanguage('es', catalog).spoken).toBe(true);
    expect(describeLanguage('oc', undefined)).toMatchObject({ code: 'oc', spoken: true });
  });
});
