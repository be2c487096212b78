// Transcribe's configuration: translating while the speaker talks, and the recogniser search that goes with it.
import { expect, test } from 'vitest';
import { loadConfig, loadWorkerConfig } from '#config';

const base = { LLT_EVENT_BUS: 'b', LLT_TRANSCRIPTS_TABLE: 't', LLT_SESSIONS_TABLE: 's' };

test('translating while the speaker talks is on by default, with the fast search so finals keep shown words', () => {
  const config = loadConfig(base);
  expect(config.stability).toEqual({ agreementMs: 300, minIncrementWords: 2, clauseWords: 6 });
  expect(config.search).toBe('fast');
});

test('off: no stable increments, and the accurate search', () => {
  const config = loadConfig({ ...base, LLT_PROVISIONAL_TRANSLATION: 'off' });
  expect(config.stability).toBeUndefined();
  expect(config.search).toBe('accurate');
});

test('the search and the stability settings can be chosen; nonsense is refused', () => {
  expect(loadConfig({ ...base, LLT_ASR_SEARCH: 'accurate' }).search).toBe('accurate');
  expect(loadConfig({ ...base, LLT_STABLE_AGREEMENT_MS: '400', LLT_STABLE_MIN_WORDS: '3' }).stability).toEqual({
    agreementMs: 400,
    minIncrementWords: 3,
    clauseWords: 6,
  });
  expect(() => loadConfig({ ...base, LLT_ASR_SEARCH: 'best' })).toThrow(/fast or accurate/);
  expect(() => loadConfig({ ...base, LLT_PROVISIONAL_TRANSLATION: 'yes' })).toThrow(/on or off/);
});

test('noise suppression and the WebRTC VAD are on by default; both can be chosen, nonsense is refused', () => {
  expect(loadConfig(base)).toMatchObject({ denoise: true, vad: 'webrtc' });
  expect(loadConfig({ ...base, LLT_VAD: 'energy' }).vad).toBe('energy');
  expect(loadConfig({ ...base, LLT_ASR_DENOISE: 'off', LLT_VAD: 'webrtc' })).toMatchObject({
    denoise: false,
    vad: 'webrtc',
  });
  expect(loadConfig({ ...base, LLT_VAD: 'rnnoise' }).vad).toBe('rnnoise');
  expect(() => loadConfig({ ...base, LLT_ASR_DENOISE: 'yes' })).toThrow(/on or off/);
  expect(() => loadConfig({ ...base, LLT_VAD: 'silero' })).toThrow(/energy, webrtc or rnnoise/);
  expect(() => loadConfig({ ...base, LLT_VAD: 'rnnoise', LLT_ASR_DENOISE: 'off' })).toThrow(/needs LLT_ASR_DENOISE=on/);
});

test('an utterance ends at a likely sentence end after 150 ms by default; rules can be chosen or turned off', () => {
  expect(loadConfig(base).sentenceEnd).toEqual([{ minSilenceMs: 150, minLogProb: -0.8 }]);
  expect(loadConfig({ ...base, LLT_ASR_SENTENCE_END: 'off' }).sentenceEnd).toEqual([]);
  expect(loadConfig({ ...base, LLT_ASR_SENTENCE_END: '100:-0.5, 200:-1.2' }).sentenceEnd).toEqual([
    { minSilenceMs: 100, minLogProb: -0.5 },
    { minSilenceMs: 200, minLogProb: -1.2 },
  ]);
  expect(() => loadConfig({ ...base, LLT_ASR_SENTENCE_END: 'soon' })).toThrow(/MS:LOG10/);
  expect(() => loadConfig({ ...base, LLT_ASR_SENTENCE_END: '150' })).toThrow(/MS:LOG10/);
});

test("a word's fading tail 35 dB under the utterance's loudest block ends it by default; 0 turns that off", () => {
  expect(loadConfig(base).tailBelowPeakDb).toBe(35);
  expect(loadConfig({ ...base, LLT_ASR_TAIL_BELOW_PEAK_DB: '0' }).tailBelowPeakDb).toBe(0);
  expect(loadConfig({ ...base, LLT_ASR_TAIL_BELOW_PEAK_DB: '40' }).tailBelowPeakDb).toBe(40);
  expect(() => loadConfig({ ...base, LLT_ASR_TAIL_BELOW_PEAK_DB: '-3' })).toThrow(/LLT_ASR_TAIL_BELOW_PEAK_DB/);
});

test("the fast search caps PocketSphinx's active HMMs per frame, the accurate one keeps the engine's own", () => {
  expect(loadConfig(base).maxHmmsPerFrame).toBe(6_000);
  expect(loadConfig({ ...base, LLT_ASR_SEARCH: 'accurate' }).maxHmmsPerFrame).toBe(0);
  expect(loadConfig({ ...base, LLT_ASR_MAX_HMMS: '0' }).maxHmmsPerFrame).toBe(0);
  expect(loadConfig({ ...base, LLT_ASR_SEARCH: 'accurate', LLT_ASR_MAX_HMMS: '8000' }).maxHmmsPerFrame).toBe(8_000);
  expect(() => loadConfig({ ...base, LLT_ASR_MAX_HMMS: '-1' })).toThrow(/LLT_ASR_MAX_HMMS must be 0 or more/);
  expect(() => loadConfig({ ...base, LLT_ASR_MAX_HMMS: 'many' })).toThrow(/integer/);
});

test('two decoders are kept loaded ahead, replaced 15 s after the last session took one; both can be chosen', () => {
  expect(loadConfig(base).spares).toEqual({ spares: 2, refillAfterMs: 15_000 });
  expect(loadConfig({ ...base, LLT_ASR_SPARES: '0', LLT_ASR_SPARE_REFILL_MS: '0' }).spares).toEqual({
    spares: 0,
    refillAfterMs: 0,
  });
  expect(() => loadConfig({ ...base, LLT_ASR_SPARES: '-2' })).toThrow(/LLT_ASR_SPARES must be 0 or more/);
});

test('sessions are admitted one at a time until five periods of speech have measured what one costs; 0 trusts the prior', () => {
  const worker = { ...base, LLT_AUDIO_STREAM: 'audio', LLT_SHARD_LEASES_TABLE: 'leases' };
  expect(loadWorkerConfig(worker).capacity.estimate.learningPeriods).toBe(5);
  expect(loadWorkerConfig({ ...worker, LLT_CAPACITY_LEARNING_PERIODS: '0' }).capacity.estimate.learningPeriods).toBe(0);
  expect(() => loadWorkerConfig({ ...worker, LLT_CAPACITY_LEARNING_PERIODS: '-1' })).toThrow(
    /LLT_CAPACITY_LEARNING_PERIODS must be 0 or more/,
  );
});
