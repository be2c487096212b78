// The transcribe use case with a fake recogniser: partials, one final per utterance, redelivery, capacity.
import { TranscriptStabilizedV1 } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { Transcriber } from '#core/transcriber';
import { fakeDeps, marker, records } from '../fakes.ts';

const T0 = 1_800_000_000_000;

describe('Transcriber', () => {
  test('publishes throttled partials while speaking and one capitalised final per utterance', async () => {
    const { deps, published, time } = fakeDeps();
    const t = new Transcriber(deps);
    for (const r of records('s_session0001', 'sssVVVVVVssss', T0)) {
      time.now = r.header.kind === 'audio' ? r.header.captureTime + 100 : time.now;
      await t.handle([r]);
    }
    const partials = published.filter((p) => p.detailType === 'TranscriptPartial');
    const finals = published.filter((p) => p.detailType === 'TranscriptFinalized');
    expect(partials.length).toBeGreaterThanOrEqual(2);
    expect(partials.length).toBeLessThanOrEqual(3); // at most one per 250 ms over 600 ms of speech
    // Revisions count the frames heard since the utterance began: they grow with every partial.
    const revisions = partials.map((p) => p.detail.revision as number);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(new Set(revisions).size).toBe(revisions.length);
    expect(finals).toHaveLength(1);
    expect(finals[0]!.detail).toMatchObject({
      sessionId: 's_session0001',
      segmentId: 'seg-000003',
      segmentIndex: 3,
      text: 'I I I I I I',
      capture: { start: T0 + 300, end: T0 + 900 },
      frames: { first: 3, last: 11 },
      reason: 'silence',
    });
    expect(partials.every((p) => p.detail.segmentId === 'seg-000003')).toBe(true);
  });

  test('hands out stable words as numbered increments, clauses among them, and the final names what it keeps', async () => {
    const { deps, published } = fakeDeps({ stability: { agreementMs: 200, minIncrementWords: 2, clauseWords: 4 } });
    await new Transcriber(deps).handle(records('s_session0001', 'sVVVVVVVVVVssss', T0));
    const stable = published.filter((p) => p.detailType === 'TranscriptStabilized').map((p) => p.detail);
    const [final] = published.filter((p) => p.detailType === 'TranscriptFinalized').map((p) => p.detail);
    expect(stable.length).toBeGreaterThanOrEqual(2);
    expect(stable.map((d) => d.increment)).toEqual(stable.map((_, i) => i));
    for (const d of stable) expect(TranscriptStabilizedV1.schema.parse(d)).toEqual(d);
    const clauses = stable.filter((d) => d.clause).map((d) => d.clause as { index: number; increments: string[] });
    expect(clauses.length).toBeGreaterThan(0);
    expect(clauses.map((c) => c.index)).toEqual(clauses.map((_, i) => i));
    // The final carries every increment's text, in order, and how much of them the clauses spoke.
    expect(final!.increments).toEqual(stable.map((d) => d.text));
    expect(final!.spoken).toEqual({
      clauses: clauses.length,
      increments: clauses.reduce((n, c) => n + c.increments.length, 0),
      ends: clauses.map((_, i) => clauses.slice(0, i + 1).reduce((n, c) => n + c.increments.length, 0)),
    });
    expect((final!.text as string).toLowerCase().startsWith((stable.at(-1)!.stableText as string).toLowerCase())).toBe(
      true,
    );
  });

  test("the recogniser's final pass runs during the hangover, and a resumed utterance joins its parts", async () => {
    const { deps, published, recognizer } = fakeDeps();
    const t = new Transcriber(deps);
    // Voice, a 200 ms pause (final pass runs ahead), voice again, then the real end.
    await t.handle(records('s_session0001', 'sVVVssVVsss', T0));
    const finals = published.filter((p) => p.detailType === 'TranscriptFinalized');
    expect(finals).toHaveLength(1);
    expect(finals[0]!.detail.text).toBe('I I I I I');
    expect(finals[0]!.detail.frames).toEqual({ first: 1, last: 10 });
    // One pass during the pause, one during the final hangover, none left for the endpoint itself.
    expect(recognizer.finishes).toBe(2);
  });

  test('an utterance whose words likely end a sentence ends after a short pause, not the whole hangover', async () => {
    const rules = { sentenceEnd: [{ minSilenceMs: 150, minLogProb: -0.8 }], speculateAfterMs: 100 };
    const finalsOf = (p: { detailType: string; detail: Record<string, unknown> }[]) =>
      p.filter((e) => e.detailType === 'TranscriptFinalized').map((e) => e.detail);

    // Likely: the 200 ms pause ends the first utterance (its speech is a sentence of its own), at its last voice.
    const likely = fakeDeps(rules);
    likely.recognizer.sentenceEnd = () => -0.5;
    const t = new Transcriber(likely.deps);
    const frames = records('s_session0001', 'sVVVssVVsss', T0);
    await t.handle(frames.slice(0, 6));
    expect(finalsOf(likely.published)).toEqual([
      expect.objectContaining({ text: 'I I I', capture: { start: T0 + 100, end: T0 + 400 }, reason: 'silence' }),
    ]);
    await t.handle(frames.slice(6));
    expect(finalsOf(likely.published).map((f) => f.text)).toEqual(['I I I', 'I I']);
    expect(likely.recognizer.endQuestions).toEqual(['i i i', 'i i']);
    expect(likely.counts.get('SentenceEnds')).toBe(2);

    // Unlikely ("… and"), or words the model does not know: the pause is waited out and the utterance goes on.
    for (const says of [-2.5, undefined]) {
      const unlikely = fakeDeps(rules);
      unlikely.recognizer.sentenceEnd = () => says;
      await new Transcriber(unlikely.deps).handle(records('s_session0001', 'sVVVssVVsss', T0));
      expect(finalsOf(unlikely.published).map((f) => f.text)).toEqual(['I I I I I']);
      expect(unlikely.counts.get('SentenceEnds')).toBeUndefined();
    }

    // Without rules the model is not asked at all.
    const off = fakeDeps({ speculateAfterMs: 100 });
    off.recognizer.sentenceEnd = () => -0.1;
    await new Transcriber(off.deps).handle(records('s_session0001', 'sVVVssVVsss', T0));
    expect(finalsOf(off.published).map((f) => f.text)).toEqual(['I I I I I']);
    expect(off.recognizer.endQuestions).toEqual([]);
  });

  test('frames arriving out of order are put back in order; a gap that never fills is skipped', async () => {
    const inOrder = fakeDeps();
    await new Transcriber(inOrder.deps).handle(records('s_session0001', 'sVVVVVssss', T0));
    const shuffled = fakeDeps();
    const frames = records('s_session0001', 'sVVVVVssss', T0);
    const order = [0, 1, 3, 2, 5, 4, 6, 7, 8, 9];
    await new Transcriber(shuffled.deps).handle(order.map((i) => frames[i]!));
    const finalOf = (p: typeof inOrder.published) =>
      p.filter((e) => e.detailType === 'TranscriptFinalized').map((e) => e.detail);
    expect(finalOf(shuffled.published)).toEqual(finalOf(inOrder.published));

    const gap = fakeDeps();
    // Frame 3 never comes: the frames behind it are held for 2 s of arrival, then the gap is skipped.
    const withGap = records('s_session0001', `sVVVVVV${'s'.repeat(24)}`, T0).filter(
      (r) => r.header.kind === 'audio' && r.header.seq !== 3,
    );
    await new Transcriber(gap.deps).handle(withGap);
    expect(finalOf(gap.published)).toHaveLength(1);
    expect(finalOf(gap.published)[0]!.text).toBe('I I I I I');
    expect(gap.counts.get('FramesSkipped')).toBe(1);
  });

  test('a frame delayed by a cold start (overtaken by 1.5 s of later frames) is waited for, not skipped', async () => {
    const inOrder = fakeDeps();
    const script = `sVVVVVVVVVVVVVVVVVVVV${'s'.repeat(4)}`;
    await new Transcriber(inOrder.deps).handle(records('s_session0001', script, T0));
    const frames = records('s_session0001', script, T0);
    const late = frames[3]!;
    const delayed = fakeDeps();
    // Frames 4..18 (1.5 s of audio, arriving in real time) overtake frame 3, which then arrives.
    await new Transcriber(delayed.deps).handle([
      ...frames.slice(0, 3),
      ...frames.slice(4, 19),
      late,
      ...frames.slice(19),
    ]);
    const finalOf = (p: typeof inOrder.published) =>
      p.filter((e) => e.detailType === 'TranscriptFinalized').map((e) => e.detail);
    expect(finalOf(delayed.published)).toEqual(finalOf(inOrder.published));
    expect(delayed.counts.get('FramesSkipped')).toBeUndefined();
  });

  test('a resent burst (seconds of audio arriving at once) waits for a straggler instead of skipping it', async () => {
    const inOrder = fakeDeps();
    await new Transcriber(inOrder.deps).handle(records('s_session0001', 'sVVVVVVVVssss', T0));
    // The speaker reconnected and resent frames 1..12 within 30 ms: frame 2 is handled last.
    const burst = records('s_session0001', 'sVVVVVVVVssss', T0).map((r, i) =>
      r.header.kind === 'audio' && i > 0 ? { ...r, header: { ...r.header, receivedAt: T0 + 5_000 + i * 2 } } : r,
    );
    const straggler = fakeDeps();
    await new Transcriber(straggler.deps).handle([burst[0]!, burst[1]!, ...burst.slice(3), burst[2]!]);
    const finalOf = (p: typeof inOrder.published) =>
      p.filter((e) => e.detailType === 'TranscriptFinalized').map((e) => e.detail.text);
    expect(finalOf(straggler.published)).toEqual(finalOf(inOrder.published));
    expect(straggler.counts.get('FramesSkipped')).toBeUndefined();
  });

  test('a redelivered batch produces no duplicate final', async () => {
    const { deps, published } = fakeDeps();
    const batch = records('s_session0001', 'sVVVVssss', T0);
    const t = new Transcriber(deps);
    await t.handle(batch);
    await t.handle(batch);
    // A fresh process (e.g. another Lambda instance) redelivered the same batch: the ledger catches it.
    await new Transcriber(deps).handle(batch);
    expect(published.filter((p) => p.detailType === 'TranscriptFinalized')).toHaveLength(1);
  });

  test('pause and end markers finalize the utterance in progress; end releases the recogniser', async () => {
    const { deps, published, recognizer } = fakeDeps();
    const t = new Transcriber(deps);
    await t.handle([...records('s_session0001', 'VVV', T0), marker('s_session0001', 'pause')]);
    expect(published.filter((p) => p.detailType === 'TranscriptFinalized').at(-1)?.detail.reason).toBe('pause');
    await t.handle([...records('s_session0001', 'VVV', T0, 3), marker('s_session0001', 'end')]);
    expect(published.filter((p) => p.detailType === 'TranscriptFinalized').at(-1)?.detail.reason).toBe('end');
    expect(recognizer.released).toBe(1);
    expect(t.openSessions).toBe(0);
    // Audio for an ended session is not transcribed again.
    await t.handle(records('s_session0001', 'VVVsss', T0, 10));
    expect(recognizer.opened).toBe(1);
  });

  test('sessions beyond capacity are refused, others keep working', async () => {
    const { deps, published, recognizer } = fakeDeps({ maxSessions: 2 });
    const t = new Transcriber(deps);
    await t.handle([
      ...records('s_session0001', 'VVVssss', T0),
      ...records('s_session0002', 'VVVssss', T0),
      ...records('s_session0003', 'VVVssss', T0),
    ]);
    expect(recognizer.opened).toBe(2);
    const finals = published.filter((p) => p.detailType === 'TranscriptFinalized').map((p) => p.detail.sessionId);
    expect(finals.sort()).toEqual(['s_session0001', 's_session0002']);
    const refusals = published.filter((p) => p.detailType === 'TranscriptionUnavailable');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.detail).toMatchObject({ sessionId: 's_session0003', reason: 'capacity', retryAfterMs: 30_000 });
    expect(refusals[0]!.detail.message).toContain('at capacity (recognisers in use: 2)');
  });

  test('a recogniser that fails mid-stream is replaced on the next frame; the batch is not failed', async () => {
    const { deps, published, recognizer } = fakeDeps();
    const t = new Transcriber(deps);
    const original = recognizer.open.bind(recognizer);
    let broken = true;
    recognizer.open = async (sessionId, language) => {
      const stream = await original(sessionId, language);
      if (!broken) return stream;
      broken = false;
      return { ...stream, write: async () => Promise.reject(new Error('stream reset')) };
    };
    await t.handle(records('s_session0001', 'VVV', T0));
    expect(recognizer.released).toBe(1);
    await t.handle(records('s_session0001', 'VVVVssss', T0, 3));
    expect(recognizer.opened).toBe(2);
    expect(published.filter((p) => p.detailType === 'TranscriptFinalized')).toHaveLength(1);
  });

  test('a session resumed mid-utterance rebuilds its state from earlier frames and keeps the utterance first frame', async () => {
    const single = fakeDeps();
    await new Transcriber(single.deps).handle(records('s_session0001', 'sssVVVVVVVsss', T0));
    const resumed = fakeDeps();
    const t = new Transcriber(resumed.deps);
    t.resumeSessions({ s_session0001: { resumeFrom: 3, inUtterance: true } });
    await t.handle(records('s_session0001', 'sssVVVVVVVsss', T0));
    const finals = (h: typeof single) =>
      h.published.filter((p) => p.detailType === 'TranscriptFinalized').map((p) => p.detail);
    expect(finals(resumed)).toEqual(finals(single).map((f) => ({ ...f, occurredAt: expect.any(Number) })));
  });

  test('a replay that finds speech earlier than the first process did still starts the utterance at its resume point', async () => {
    const { deps, published } = fakeDeps();
    const t = new Transcriber(deps);
    // The first process started this utterance at frame 6 (its noise floor differed); the replay hears voice from 3.
    t.resumeSessions({ s_session0001: { resumeFrom: 6, inUtterance: true } });
    await t.handle(records('s_session0001', 'sssVVVVVVVsss', T0));
    const finals = published.filter((p) => p.detailType === 'TranscriptFinalized').map((p) => p.detail);
    expect(finals).toHaveLength(1);
    expect(finals[0]).toMatchObject({ segmentId: 'seg-000006', frames: { first: 6, last: 12 } });
    expect(t.progress('s_session0001')).toEqual({ resumeFrom: 13, inUtterance: false });
  });

  test('frames handled before a session was released are not transcribed again when they come back', async () => {
    const { deps, published, time, recognizer, counts } = fakeDeps({ idleMs: 1_000 });
    const t = new Transcriber(deps);
    const audio = records('s_session0001', 'sssVVVVVVsss', T0);
    await t.handle(audio);
    time.now += 5_000;
    await t.releaseIdle();
    expect(t.openSessions).toBe(0);
    const finishes = recognizer.finishes;
    await t.handle(audio, { quiet: true });
    // Nothing reached the recogniser, so nothing even needed the ledger to be dropped.
    expect(recognizer.finishes).toBe(finishes);
    expect(counts.get('FinalsDeduplicated')).toBeUndefined();
    expect(published.filter((p) => p.detailType === 'TranscriptFinalized')).toHaveLength(1);
    expect(t.progress('s_session0001')).toEqual({ resumeFrom: 12, inUtterance: false });
  });

  test("each session is recognised, and its transcripts labelled, in the session's own source language", async () => {
    const { deps, published, recognizer, sessions } = fakeDeps();
    sessions.languages.set('s_session0001', 'es');
    sessions.languages.set('s_session0002', 'fr-CA');
    const t = new Transcriber(deps);
    await t.handle([...records('s_session0001', 'sVVVssss', T0), ...records('s_session0002', 'sVVVssss', T0)]);
    expect([...recognizer.languages].sort()).toEqual(['es', 'fr-CA']);
    const languageOf = (sessionId: string) =>
      new Set(published.filter((p) => p.detail.sessionId === sessionId).map((p) => p.detail.language));
    expect(languageOf('s_session0001')).toEqual(new Set(['es']));
    expect(languageOf('s_session0002')).toEqual(new Set(['fr-CA']));
  });

  test('a session with no source language on record is not transcribed, and the speaker is told', async () => {
    const { deps, published, recognizer, sessions } = fakeDeps();
    sessions.languages.set('s_session0001', undefined);
    await new Transcriber(deps).handle(records('s_session0001', 'sVVVssss', T0));
    expect(recognizer.opened).toBe(0);
    const refusals = published.filter((p) => p.detailType === 'TranscriptionUnavailable');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.detail).toMatchObject({ sessionId: 's_session0001', reason: 'engine-failure' });
    expect(refusals[0]!.detail.message).toContain('no source language on record');
  });

  test('an idle session gives its recogniser back', async () => {
    const { deps, recognizer, time } = fakeDeps({ idleMs: 1_000 });
    const t = new Transcriber(deps);
    await t.handle(records('s_session0001', 'VVV', T0));
    time.now += 5_000;
    await t.handle(records('s_session0002', 's', T0));
    expect(recognizer.released).toBe(1);
  });

  test('transcripts name the glossary version the recogniser applied; a session without one names none', async () => {
    const { deps, published, recognizer } = fakeDeps({
      stability: { agreementMs: 200, minIncrementWords: 2, clauseWords: 4 },
    });
    const open = recognizer.open.bind(recognizer);
    const given: number[] = [];
    recognizer.open = async (sessionId, language) => {
      const stream = await open(sessionId, language);
      return {
        ...stream,
        useGlossary: async (g) => {
          given.push(g.version);
          return g.version;
        },
      };
    };
    deps.glossaries = {
      currentVersion: async (sessionId) => (sessionId === 's_session0001' ? 2 : 0),
      load: async (_s, version) => ({ version, entries: [{ term: 'Nguyen', spoken: 'win' }] }),
    };
    await new Transcriber(deps).handle(records('s_session0001', 'sVVVVVVVVVVssss', T0));
    await new Transcriber(deps).handle(records('s_session0002', 'sVVVVVVssss', T0));
    expect(given).toEqual([2]);
    const stamped = (sessionId: string) =>
      published
        .filter((p) => p.detailType !== 'TranscriptPartial' && p.detail.sessionId === sessionId)
        .map((p) => [p.detailType, p.detail.glossaryVersion]);
    expect(stamped('s_session0001')).toContainEqual(['TranscriptFinalized', 2]);
    expect(stamped('s_session0001')).toContainEqual(['TranscriptStabilized', 2]);
    expect(stamped('s_session0002')).toContainEqual(['TranscriptFinalized', undefined]);
    expect(stamped('s_session0002').every(([, version]) => version === undefined)).toBe(true);
  });
});
