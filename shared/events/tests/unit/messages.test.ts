import { describe, expect, it } from 'vitest';
import { CLIENT_ACTIONS, ClientMessage, ServerMessage } from '../../src/protocol/messages.ts';

const sessionId = 's_7Hq2xK9pLmN3';

describe('ServerMessage', () => {
  it.each([
    {
      type: 'error',
      code: 'frame_too_large',
      message: 'Audio frame of 4000 bytes exceeds…',
      seq: 12,
      retryable: false,
    },
    { type: 'welcome', role: 'speaker', sessionId, sourceLanguage: 'en', targetLanguages: ['es', 'ca'], lastSeq: null },
    { type: 'welcome', role: 'listener', sessionId, sourceLanguage: 'en', language: 'ca' },
    { type: 'session-ended', sessionId, reason: 'speaker-ended' },
    {
      type: 'caption',
      sessionId,
      segmentId: 'seg-000003',
      segmentIndex: 3,
      language: 'ca',
      kind: 'translation',
      final: true,
      text: 'Bon dia a tothom i benvinguts a la reunió anual.',
      captureEnd: 1_761_213_665_360.375,
    },
    {
      type: 'audio',
      sessionId,
      segmentId: 'seg-000003',
      segmentIndex: 3,
      language: 'es',
      url: 'https://example.com/sessions/s_7Hq2xK9pLmN3/es/seg-000003.mp3',
      urlExpiresAt: 1_761_214_566_530,
      contentType: 'audio/mpeg',
      durationMs: 3312,
      captureEnd: 1_761_213_665_360.375,
    },
  ])('parses a $type message', (message) => {
    expect(ServerMessage.parse(message)).toEqual(message);
  });

  it('routes welcome messages on their role', () => {
    const listenerFieldsAsSpeaker = {
      type: 'welcome',
      role: 'speaker',
      sessionId,
      sourceLanguage: 'en',
      language: 'es',
    };
    expect(ServerMessage.safeParse(listenerFieldsAsSpeaker).success).toBe(false);
  });

  it('rejects an unknown type', () => {
    expect(ServerMessage.safeParse({ type: 'shout', sessionId }).success).toBe(false);
  });
});

describe('ClientMessage', () => {
  it.each(CLIENT_ACTIONS)('parses the %s action', (action) => {
    expect(ClientMessage.parse({ action })).toEqual({ action });
  });

  it('rejects an unknown action', () => {
    expect(ClientMessage.safeParse({ action: 'shout' }).success).toBe(false);
  });
});
