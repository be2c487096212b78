// Admission by measured capacity, against the running local system with its real transcription worker: the
// worker reports what it can hold, ingest admits sessions against that report and refuses the rest with
// `at_capacity` at creation and at the speaker's connect (nothing started for them), and a place frees when its
// session ends. The prior cost of a session is set to a whole core here, so the 2-core estimate is one session
// (on a machine with more cores, LLT_CAPACITY_CORES keeps it at two cores); a place is held 6 s without hellos.

import { SpeakerClient } from '@llt/cli';
import { ApiClient, HandshakeRefusedError } from '@llt/client';
import type { CapacityReport } from '@llt/events';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ServerStats } from '../support/spawn.ts';
import { startTestSystem } from '../support/system.ts';
import { waitFor } from '../support/wait.ts';

describe('admission by measured capacity', () => {
  let system: Awaited<ReturnType<typeof startTestSystem>>;
  let api: ApiClient;
  const events: { type: string; sessionId: unknown }[] = [];

  beforeAll(async () => {
    process.env.LLT_ADMISSION = 'measured';
    process.env.LLT_CAPACITY_CORES = '2';
    process.env.LLT_CAPACITY_SESSION_CORES_PRIOR = '100';
    process.env.LLT_ADMISSION_HOLD_MS = '6000';
    // 90 % of the two cores for sessions: the estimate is one session as soon as the start's busy seconds are over.
    process.env.LLT_CAPACITY_TARGET = '90';
    system = await startTestSystem({ services: ['transcribe'] });
    system.bus.subscribe((e) =>
      events.push({ type: e['detail-type'], sessionId: (e.detail as { sessionId?: unknown }).sessionId }),
    );
    api = new ApiClient({ base: system.url });
  });
  afterAll(async () => {
    delete process.env.LLT_CAPACITY_CORES;
    delete process.env.LLT_CAPACITY_SESSION_CORES_PRIOR;
    delete process.env.LLT_ADMISSION_HOLD_MS;
    delete process.env.LLT_CAPACITY_TARGET;
    process.env.LLT_ADMISSION = 'off';
    await system?.stop();
  });

  const stats = async () => (await (await fetch(`${system.url}/internal/stats`)).json()) as ServerStats;

  test('the worker reports its capacity; a second session is refused at_capacity with a retry hint, nothing created', async () => {
    // The first reports may say 0 while the system's start keeps the process busy (engines loading); then 1.
    let report: CapacityReport | undefined;
    const poll = setInterval(() => {
      void stats().then((s) => {
        report = s.transcription?.[0]?.report;
      });
    }, 200);
    try {
      await waitFor('a capacity report of one session', () => report?.sessions === 1, {
        timeoutMs: 30_000,
        detail: () => report,
      });
    } finally {
      clearInterval(poll);
    }
    expect(report).toMatchObject({ basis: 'measured', cores: 2, live: 0 });

    const first = await api.createSession({ sourceLanguage: 'en', targetLanguages: ['es'] });
    const refused = await fetch(`${system.url}/api/sessions`, {
      method: 'POST',
      body: JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('30');
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'error', code: 'at_capacity', retryAfterMs: 30_000 });
    expect(body.message).toMatch(/at capacity/);
    // Only the admitted session was started.
    expect(events.filter((e) => e.type === 'SessionStarted').map((e) => e.sessionId)).toEqual([first.sessionId]);
    expect(await api.capacity(first.sessionId)).toMatchObject({ admitting: false, admitted: 1, limit: 1, holds: true });

    // The admitted session's speaker connects; ending the session frees the place.
    const speaker = new SpeakerClient({ server: system.url, sessionId: first.sessionId, token: first.speakerToken });
    await speaker.connect();
    await speaker.end(10_000);
    await speaker.close();
    expect(await api.capacity()).toMatchObject({ admitting: true, admitted: 0 });
  });

  test("a session whose place lapsed and was taken is refused at the speaker's connect; the page's check says so", async () => {
    const late = await api.createSession({ sourceLanguage: 'en', targetLanguages: ['es'] });
    // Its speaker does not connect within the hold (6 s here): the place lapses, and another session takes it.
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    const taker = await api.createSession({ sourceLanguage: 'en', targetLanguages: ['es'] });
    const takerSpeaker = new SpeakerClient({
      server: system.url,
      sessionId: taker.sessionId,
      token: taker.speakerToken,
    });
    await takerSpeaker.connect();

    const refusedSpeaker = new SpeakerClient({
      server: system.url,
      sessionId: late.sessionId,
      token: late.speakerToken,
    });
    const error = await refusedSpeaker.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    await refusedSpeaker.close();
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect(error).toMatchObject({ status: 503, code: 'at_capacity', retryAfterMs: 30_000, retryable: false });
    // What a browser, which cannot read the refusal, learns from the HTTP API.
    expect(await api.checkSpeakerSession(late.sessionId, late.joinCode)).toMatchObject({
      status: 'refused',
      code: 'at_capacity',
    });
    expect(events.filter((e) => e.sessionId === late.sessionId).map((e) => e.type)).toEqual(['SessionStarted']);

    // Once the other session ends, the late one is let in.
    await takerSpeaker.end(10_000);
    await takerSpeaker.close();
    const admitted = new SpeakerClient({ server: system.url, sessionId: late.sessionId, token: late.speakerToken });
    await admitted.connect();
    await admitted.end(10_000);
    await admitted.close();
  });
});
