// Transcribe configuration, read from the environment once and checked at start-up.
import { randomBytes } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import {
  type AwsEndpoints,
  ConfigError,
  endpointsFromEnv,
  intEnv,
  optionalEnv,
  RESOURCE_ENV,
  requireEnv,
} from '@llt/platform';
import { DEFAULT_SPARES, type SpareSettings } from '#adapters/spare-recognizer';
import { type CapacitySettings, DEFAULT_CAPACITY } from '#core/capacity';
import { DEFAULT_ENDPOINTER } from '#core/endpointer';
import type { VoiceDetection } from '#core/front-end';
import { DEFAULT_LAG_WATCH, type LagWatchSettings } from '#core/lag-watch';
import type { SentenceEndRule } from '#core/session';
import type { StabilitySettings } from '#core/stability';

export type AsrEngine = 'pocketsphinx' | 'amazon-transcribe';

export interface TranscribeConfig {
  aws: AwsEndpoints;
  eventBus: string;
  transcriptsTable: string;
  /** Where each session's source language is read. */
  sessionsTable: string;
  engine: AsrEngine;
  /** Recognisers open at once. */
  maxSessions: number;
  /** Silence that ends an utterance, in ms. */
  hangoverMs: number;
  /**
   * Within an utterance, blocks this many dB or more below its loudest are silence to the hangover (not to the
   * sentence-end rules) (LLT_ASR_TAIL_BELOW_PEAK_DB; 0: off). See DEFAULT_ENDPOINTER.tailBelowPeakDb.
   */
  tailBelowPeakDb: number;
  /** Silence after which the recogniser's final pass starts ahead of the endpoint, in ms. */
  speculateAfterMs: number;
  /**
   * Where an utterance ends before the hangover is over because its sentence is probably over
   * (LLT_ASR_SENTENCE_END: `MS:LOG10` rules, comma-separated, or `off`): after MS of silence when PocketSphinx's
   * language model gives the end of a sentence after the utterance's last words at least that log10 probability.
   * See DEFAULT_SENTENCE_END.
   */
  sentenceEnd: SentenceEndRule[];
  /**
   * PocketSphinx search: 'fast' skips the flat-lexicon and best-path passes at the end of an utterance, so the
   * final is the search the partials come from. The default is 'fast' while translating as the speaker talks
   * (the final then keeps the words listeners were shown translated: 98 % of them on the long corpus against 39 %
   * with 'accurate', for a word error rate of 20.1 % instead of 15.7 %; `npm run bench:stability`), else
   * 'accurate'. LLT_ASR_SEARCH chooses either.
   */
  search: 'fast' | 'accurate';
  /**
   * PocketSphinx: the most HMMs its search keeps active per 10 ms frame (LLT_ASR_MAX_HMMS, the engine's `-maxhmmpf`;
   * 0 leaves the engine's own 30,000). In noise the search widens far beyond what its best hypotheses need and each
   * frame costs up to several times a clean one, so a session falls behind real time on exactly the audio that is
   * hardest to end. The default caps it at 6,000 with the fast search and leaves the accurate search as it is.
   * Measured 2026-12-07 with `node --import tsx test/bench/noise.bench.ts --sets flite,long --noise none,room
   * --denoise on --vad webrtc --sentence-end 150:-0.8 --extra=-maxhmmpf=6000` (fast search), engine default → 6,000:
   * real-time factor in room noise at 15 dB 0.232 → 0.149 (everyday sentences) and 0.292 → 0.193 (long ones), clean
   * 0.108 → 0.108 and 0.157 → 0.128; word error clean unchanged (10.5 %, 14.4 %), in noise 17.9 → 18.3 % and
   * 29.0 → 29.6 % (one and two words more). A cap of 4,000 halved the noisy cost but lost 2 points of word error.
   */
  maxHmmsPerFrame: number;
  /**
   * PocketSphinx: decoders kept loaded ahead for new sessions (LLT_ASR_SPARES, ~90 MB each; 0: every session loads
   * its own) and how long after the last session took one they are topped up (LLT_ASR_SPARE_REFILL_MS). See
   * SpareRecognizer.
   */
  spares: SpareSettings;
  idleMs: number;
  /**
   * RNNoise noise suppression ahead of the endpointer and PocketSphinx (LLT_ASR_DENOISE=on|off, on by default;
   * PocketSphinx only: Amazon Transcribe gets the audio as captured); it steps aside while the input's noise floor
   * is below -62 dBFS (clean audio). In room noise at 15 dB SNR (fast search) it took word error from 41.9 % to
   * 17–18 % on synthetic sentences and from 52.2 % to 29 % on long ones, and the endpointer, hearing the noise taken
   * away, ended every utterance on its own (`node --import tsx test/bench/noise.bench.ts`); ~2–5 % of a core per
   * session.
   */
  denoise: boolean;
  /**
   * What tells voice from noise for endpointing (LLT_VAD): 'energy' (level against an adaptive noise floor alone),
   * 'webrtc' (the WebRTC VAD must agree too; the default) or 'rnnoise' (RNNoise's voice probability must agree too;
   * needs denoise). With the fast search and denoising, 'webrtc' had slightly fewer word errors than 'energy' in
   * room noise and clean, and ended a human reader's sentences sooner (p95 533 ms after the end of speech instead of
   * 633 ms); 'rnnoise' ended utterances sooner still but cut words (synthetic speech 3.9 % → 13.1 %).
   */
  vad: VoiceDetection;
  /**
   * Translating while the speaker talks: stable words of utterances in progress are published as
   * TranscriptStabilized increments. Undefined when LLT_PROVISIONAL_TRANSLATION=off.
   */
  stability?: StabilitySettings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TranscribeConfig {
  const search = searchOf(env);
  return {
    aws: endpointsFromEnv(env),
    eventBus: requireEnv(RESOURCE_ENV.eventBus, env),
    transcriptsTable: requireEnv(RESOURCE_ENV.transcriptsTable, env),
    sessionsTable: requireEnv(RESOURCE_ENV.sessionsTable, env),
    engine: engineOf(env),
    maxSessions: intEnv('LLT_ASR_MAX_SESSIONS', 8, env),
    hangoverMs: intEnv('LLT_ASR_HANGOVER_MS', 300, env),
    tailBelowPeakDb: nonNegative('LLT_ASR_TAIL_BELOW_PEAK_DB', DEFAULT_ENDPOINTER.tailBelowPeakDb ?? 0, env),
    speculateAfterMs: intEnv('LLT_ASR_SPECULATE_MS', 100, env),
    sentenceEnd: parseSentenceEndRules(optionalEnv('LLT_ASR_SENTENCE_END', env) ?? DEFAULT_SENTENCE_END),
    search,
    maxHmmsPerFrame: nonNegative('LLT_ASR_MAX_HMMS', search === 'fast' ? 6_000 : 0, env),
    spares: {
      spares: nonNegative('LLT_ASR_SPARES', DEFAULT_SPARES.spares, env),
      refillAfterMs: nonNegative('LLT_ASR_SPARE_REFILL_MS', DEFAULT_SPARES.refillAfterMs, env),
    },
    idleMs: intEnv('LLT_ASR_IDLE_MS', 120_000, env),
    ...frontEndOf(env),
    ...provisional(env),
  };
}

/**
 * The sentence-end rules by default: an utterance whose last words end a sentence with log10 probability ≥ -0.8 ends
 * after 150 ms of silence instead of the 300 ms hangover. Measured 2026-12-06 with `node --import tsx
 * test/bench/noise.bench.ts --sets flite,long,librivox --noise none,room --denoise on --vad webrtc --per-voice 10`
 * (fast search), off → this rule: end of speech → final p50 flite 385 → 288 ms (room noise 406 → 287), LibriVox
 * 362 → 273 ms (363 → 235), long sentences 272 → 268 ms; the same word error everywhere; no sentence split among the
 * 40 everyday ones, 3 more among the 12 long ones (clean; 4 in noise), at pauses of ≥ 150 ms between clauses. The
 * model gave utterance ends log10 P -0.79 / -0.65 / -0.55 (quartiles) and pauses within short sentences
 * -2.12 / -1.49 / -0.89, but pauses between long sentences' clauses look like ends to it (-0.89 / -0.78 / -0.53).
 * Waiting 200 ms instead saved ~85 ms and split the same; 100 ms split every long sentence.
 */
export const DEFAULT_SENTENCE_END = '150:-0.8';

/** `MS:LOG10[,MS:LOG10…]` or `off` (no rule). */
export function parseSentenceEndRules(value: string): SentenceEndRule[] {
  if (value.trim() === 'off') return [];
  return value.split(',').map((rule) => {
    const match = /^\s*(\d+)\s*:\s*(-?\d+(?:\.\d+)?)\s*$/.exec(rule);
    if (!match) {
      throw new ConfigError(
        `LLT_ASR_SENTENCE_END must be off or MS:LOG10 rules separated by commas (e.g. 150:-0.8), got "${value}"`,
      );
    }
    return { minSilenceMs: Number(match[1]), minLogProb: Number(match[2]) };
  });
}

function engineOf(env: NodeJS.ProcessEnv): AsrEngine {
  const engine = optionalEnv('LLT_ASR_ENGINE', env) ?? 'pocketsphinx';
  if (engine !== 'pocketsphinx' && engine !== 'amazon-transcribe') {
    throw new ConfigError(`LLT_ASR_ENGINE must be pocketsphinx or amazon-transcribe, got "${engine}"`);
  }
  return engine;
}

function frontEndOf(env: NodeJS.ProcessEnv): { denoise: boolean; vad: VoiceDetection } {
  const denoise = optionalEnv('LLT_ASR_DENOISE', env) ?? 'on';
  if (denoise !== 'on' && denoise !== 'off') {
    throw new ConfigError(`LLT_ASR_DENOISE must be on or off, got "${denoise}"`);
  }
  const vad = optionalEnv('LLT_VAD', env) ?? 'webrtc';
  if (vad !== 'energy' && vad !== 'webrtc' && vad !== 'rnnoise') {
    throw new ConfigError(`LLT_VAD must be energy, webrtc or rnnoise, got "${vad}"`);
  }
  if (vad === 'rnnoise' && denoise === 'off') {
    throw new ConfigError('LLT_VAD=rnnoise needs LLT_ASR_DENOISE=on (the voice probability comes from the denoiser)');
  }
  return { denoise: denoise === 'on', vad };
}

function searchOf(env: NodeJS.ProcessEnv): 'fast' | 'accurate' {
  const search = optionalEnv('LLT_ASR_SEARCH', env);
  if (search === undefined) return provisional(env).stability ? 'fast' : 'accurate';
  if (search !== 'fast' && search !== 'accurate') {
    throw new ConfigError(`LLT_ASR_SEARCH must be fast or accurate, got "${search}"`);
  }
  return search;
}

function nonNegative(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const value = intEnv(name, fallback, env);
  if (value < 0) throw new ConfigError(`${name} must be 0 or more, got ${value}`);
  return value;
}

function provisional(env: NodeJS.ProcessEnv): { stability?: StabilitySettings } {
  const mode = optionalEnv('LLT_PROVISIONAL_TRANSLATION', env) ?? 'on';
  if (mode !== 'on' && mode !== 'off') {
    throw new ConfigError(`LLT_PROVISIONAL_TRANSLATION must be on or off, got "${mode}"`);
  }
  if (mode === 'off') return {};
  return {
    stability: {
      agreementMs: intEnv('LLT_STABLE_AGREEMENT_MS', 300, env),
      minIncrementWords: intEnv('LLT_STABLE_MIN_WORDS', 2, env),
      clauseWords: intEnv('LLT_CLAUSE_WORDS', 6, env),
    },
  };
}

export interface WorkerConfig extends TranscribeConfig {
  /** Unique among the live workers (the ECS task id on AWS); by default made up at start. */
  workerId: string;
  audioStream: string;
  /**
   * The stream's registered consumer the workers subscribe as (enhanced fan-out: records pushed ~70 ms after the
   * put); without one they poll each shard every pollMs (LLT_AUDIO_CONSUMER_ARN).
   */
  audioConsumerArn: string | undefined;
  shardLeasesTable: string;
  /** A lease not renewed for this long is taken over by another worker. */
  leaseMs: number;
  /** How often leases are renewed and the lease table looked at (well under leaseMs). */
  renewMs: number;
  /**
   * Least time between two reads of one shard. Kinesis allows 5 GetRecords a second per shard, counted where they
   * arrive: 220 ms leaves room for one read arriving a little sooner after its call than the one five before it.
   */
  pollMs: number;
  /** How often a shard's checkpoint is written while records flow. */
  checkpointMs: number;
  /** Where a shard without a checkpoint is first read. */
  initialPosition: 'LATEST' | 'TRIM_HORIZON';
  /** Records read later than this after they were put are not transcribed. */
  maxRecordAgeMs: number;
  /** How the worker measures and reports what it can hold, and watches each session's lag. */
  capacity: {
    periodMs: number;
    estimate: Omit<CapacitySettings, 'maxSessions'>;
    lag: LagWatchSettings;
  };
}

/** The stream worker's configuration: the transcriber's, plus the stream, the lease table and the lease timings. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const initialPosition = optionalEnv('LLT_TRANSCRIBE_INITIAL_POSITION', env) ?? 'LATEST';
  if (initialPosition !== 'LATEST' && initialPosition !== 'TRIM_HORIZON') {
    throw new ConfigError(`LLT_TRANSCRIBE_INITIAL_POSITION must be LATEST or TRIM_HORIZON, got "${initialPosition}"`);
  }
  const leaseMs = intEnv('LLT_TRANSCRIBE_LEASE_MS', 10_000, env);
  const renewMs = intEnv('LLT_TRANSCRIBE_RENEW_MS', 3_000, env);
  if (renewMs <= 0 || renewMs * 2 >= leaseMs) {
    throw new ConfigError(
      `LLT_TRANSCRIBE_RENEW_MS (${renewMs}) must be positive and under half of LLT_TRANSCRIBE_LEASE_MS (${leaseMs})`,
    );
  }
  return {
    ...loadConfig(env),
    workerId:
      optionalEnv('LLT_TRANSCRIBE_WORKER_ID', env) ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    audioStream: requireEnv(RESOURCE_ENV.audioStream, env),
    audioConsumerArn: optionalEnv(RESOURCE_ENV.audioStreamConsumer, env),
    shardLeasesTable: requireEnv(RESOURCE_ENV.shardLeasesTable, env),
    leaseMs,
    renewMs,
    pollMs: intEnv('LLT_TRANSCRIBE_POLL_MS', 220, env),
    checkpointMs: intEnv('LLT_TRANSCRIBE_CHECKPOINT_MS', 1_000, env),
    initialPosition,
    maxRecordAgeMs: intEnv('LLT_TRANSCRIBE_MAX_RECORD_AGE_MS', 60_000, env),
    capacity: capacityOf(env),
  };
}

/**
 * Capacity: LLT_CAPACITY_CORES (default: the cores this process may use), LLT_CAPACITY_TARGET (share of them the
 * sessions may fill, %), LLT_CAPACITY_SESSION_CORES_PRIOR (what a session is taken to cost before it is measured,
 * in hundredths of a core), LLT_CAPACITY_LEARNING_PERIODS (periods of speech before a session's cost counts as measured;
 * sessions are admitted one at a time until then; 0: the prior decides), LLT_LAG_WARN_MS (speaker told past this),
 * LLT_LAG_DEGRADE_MS (session made cheaper past this).
 */
function capacityOf(env: NodeJS.ProcessEnv): WorkerConfig['capacity'] {
  const target = intEnv('LLT_CAPACITY_TARGET', Math.round(DEFAULT_CAPACITY.targetUtilization * 100), env);
  if (target < 10 || target > 100) throw new ConfigError(`LLT_CAPACITY_TARGET must be 10–100 (%), got ${target}`);
  const prior = intEnv('LLT_CAPACITY_SESSION_CORES_PRIOR', Math.round(DEFAULT_CAPACITY.sessionCoresPrior * 100), env);
  if (prior < 1) throw new ConfigError(`LLT_CAPACITY_SESSION_CORES_PRIOR must be ≥ 1 (hundredths of a core)`);
  return {
    periodMs: intEnv('LLT_CAPACITY_PERIOD_MS', 1_000, env),
    estimate: {
      ...DEFAULT_CAPACITY,
      cores: intEnv('LLT_CAPACITY_CORES', availableParallelism(), env),
      targetUtilization: target / 100,
      sessionCoresPrior: prior / 100,
      learningPeriods: nonNegative('LLT_CAPACITY_LEARNING_PERIODS', DEFAULT_CAPACITY.learningPeriods, env),
    },
    lag: {
      ...DEFAULT_LAG_WATCH,
      warnAtMs: intEnv('LLT_LAG_WARN_MS', DEFAULT_LAG_WATCH.warnAtMs, env),
      degradeAtMs: intEnv('LLT_LAG_DEGRADE_MS', DEFAULT_LAG_WATCH.degradeAtMs, env),
    },
  };
}

/** The events handler's configuration: the engine whose vocabularies it keeps, and where it reads and writes. */
export interface EventsConfig {
  aws: AwsEndpoints;
  engine: AsrEngine;
  sessionsTable: string;
  /** Where Amazon Transcribe vocabulary tables are written (the audio bucket); only with amazon-transcribe. */
  vocabularyBucket?: string;
}

export function loadEventsConfig(env: NodeJS.ProcessEnv = process.env): EventsConfig {
  const engine = engineOf(env);
  return {
    aws: endpointsFromEnv(env),
    engine,
    sessionsTable: requireEnv(RESOURCE_ENV.sessionsTable, env),
    ...(engine === 'amazon-transcribe' ? { vocabularyBucket: requireEnv(RESOURCE_ENV.audioBucket, env) } : {}),
  };
}
