// Keeping the session across reloads, and the links the page shows.
import type { CreatedSession } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { listenerLink, speakerSocketUrl } from '../../src/lib/links.ts';
import { forgetSession, loadSession, saveSession } from '../../src/lib/session-store.ts';

const session: CreatedSession = {
  sessionId: 'sess_0123456789',
  joinCode: 'K7M2QX',
  speakerToken: 'secret-token',
  sourceLanguage: 'en',
  targetLanguages: ['es', 'ca'],
  expiresAt: 2_000_000,
};

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

describe('session store', () => {
  test('a saved session is loaded back until it expires', () => {
    const storage = new MemoryStorage();
    saveSession(storage, session);
    expect(loadSession(storage, 1_000_000)).toEqual(session);
    expect(loadSession(storage, 2_000_000)).toBeUndefined();
    expect(storage.length).toBe(0);
  });

  test('unreadable or forgotten sessions load as none', () => {
    const storage = new MemoryStorage();
    storage.setItem('llt.speaker.session', '{"sessionId": 3');
    expect(loadSession(storage, 0)).toBeUndefined();
    saveSession(storage, session);
    forgetSession(storage);
    expect(loadSession(storage, 0)).toBeUndefined();
    expect(loadSession(undefined, 0)).toBeUndefined();
  });
});

describe('links', () => {
  test('the listener link is the listener app with the code', () => {
    expect(listenerLink('https://talk.example/', 'K7M2QX')).toBe('https://talk.example/?code=K7M2QX');
    expect(listenerLink('http://192.168.1.20:8080', 'K7M2QX')).toBe('http://192.168.1.20:8080/?code=K7M2QX');
  });

  test('the speaker socket follows the page scheme unless configured', () => {
    expect(speakerSocketUrl({ protocol: 'https:', host: 'talk.example' }, session)).toBe(
      'wss://talk.example/ws?role=speaker&sessionId=sess_0123456789&token=secret-token',
    );
    expect(speakerSocketUrl({ protocol: 'http:', host: '127.0.0.1:5181' }, session, 'wss://api.example/prod/')).toBe(
      'wss://api.example/prod?role=speaker&sessionId=sess_0123456789&token=secret-token',
    );
  });
});
