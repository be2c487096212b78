// A speaker who ends the session right after their last word: listeners are told the session ended and
// still receive that last sentence's final caption.
import { ListenerClient, readWav, SpeakerClient, toMono16k } from '@llt/cli';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { speakToWav } from '../support/speech.ts';
import { startTestSystem } from '../support/system.ts';

let system: Awaited<ReturnType<typeof startTestSystem>>;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

test('the last sentence reaches listeners even when the speaker ends at once', async () => {
  const res = await fetch(`${system.url}/api/sessions`, {
    method: 'POST',
    body: JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es', 'ca'] }),
  });
  const session = (await res.json()) as { sessionId: string; speakerToken: string; joinCode: string };
  const listeners = await Promise.all(
    ['es', 'ca'].map(async (lang) => {
      const l = new ListenerClient({ server: system.url, code: session.joinCode, lang, lingerMs: 2_000 });
      await l.connect();
      return l;
    }),
  );
  const speaker = new SpeakerClient({ server: system.url, sessionId: session.sessionId, token: session.speakerToken });
  await speaker.connect();
  const samples = toMono16k(readWav(speakToWav('thank you all for coming today', 'rms')));
  await speaker.streamRealtime(new Int16Array([...new Int16Array(16 * 300), ...samples]));
  await speaker.end();

  for (const listener of listeners) {
    expect(await listener.done).toBe('session-ended');
    const messages = listener.history.map((h) => h.message);
    const ended = messages.findIndex((m) => m.type === 'session-ended');
    const final = messages.findIndex((m) => m.type === 'caption' && m.final);
    expect(ended).toBeGreaterThanOrEqual(0);
    expect(final).toBeGreaterThanOrEqual(0);
    expect(messages[final]).toMatchObject({ kind: 'source', sessionId: session.sessionId });
    expect((messages[final] as { text: string }).text.toLowerCase()).toContain('coming today');
  }
}, 30_000);
