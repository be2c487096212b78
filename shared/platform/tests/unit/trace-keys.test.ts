import { describe, expect, it } from 'vitest';
import { traceKeysOf } from '../../src/trace-keys.ts';

describe('trace keys', () => {
  it('finds the session and segment of an EventBridge event', () => {
    expect(traceKeysOf({ 'detail-type': 'TranscriptFinalized', detail: { sessionId: 's1', segmentId: 'g1' } })).toEqual(
      {
        sessionId: 's1',
        segmentId: 'g1',
      },
    );
  });

  it("finds them in a workflow task's input objects", () => {
    expect(traceKeysOf({ translation: { sessionId: 's2', segmentId: 'g2', language: 'es' } })).toEqual({
      sessionId: 's2',
      segmentId: 'g2',
    });
  });

  it('finds the session of an HTTP path and of a WebSocket handshake', () => {
    expect(traceKeysOf({ pathParameters: { sessionId: 's3' } })).toEqual({ sessionId: 's3' });
    expect(traceKeysOf({ queryStringParameters: { role: 'speaker', sessionId: 's4' } })).toEqual({ sessionId: 's4' });
  });

  it('finds the session named in a WebSocket message body without parsing it', () => {
    expect(traceKeysOf({ body: '{"action":"hello","sessionId":"s5","seq":3}' })).toEqual({ sessionId: 's5' });
    expect(traceKeysOf({ body: '{"action":"audio","data":"AAAA"}' })).toEqual({});
  });

  it('is empty for events without a session', () => {
    expect(traceKeysOf({ pathParameters: { code: 'K7M2QX' } })).toEqual({});
    expect(traceKeysOf(undefined)).toEqual({});
    expect(traceKeysOf('text')).toEqual({});
  });
});
