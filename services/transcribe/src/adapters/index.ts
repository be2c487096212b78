// Composition root: builds the transcribe use case's dependencies from configuration. The recogniser is
// PocketSphinx locally and Amazon Transcribe Streaming on AWS; each engine's module loads only when chosen.
import { hostname } from 'node:os';
import {
  dynamoDocumentClient,
  EventBridgePublisher,
  eventBridgeClient,
  kinesisClient,
  kinesisHttp2Client,
  type Observability,
} from '@llt/platform';
import type { TranscribeConfig, WorkerConfig } from '#config';
import { DEFAULT_ENDPOINTER } from '#core/endpointer';
import type { AudioFrontEndFactory } from '#core/front-end';
import type { Recognizer, ServiceMetrics } from '#core/ports';
import { Transcriber, type TranscriberDeps } from '#core/transcriber';
import { CapacityReporter } from '#worker/capacity-reporter';
import type { StreamWorkerDeps } from '#worker/stream-worker';
import { DynamoCapacityStore } from './dynamo-capacity.ts';
import { DynamoGlossarySource } from './dynamo-glossary.ts';
import { DynamoLeaseStore } from './dynamo-leases.ts';
import { DynamoFinalizedLedger } from './dynamo-ledger.ts';
import { DynamoSessionDirectory } from './dynamo-sessions.ts';
import { KinesisShardSource } from './kinesis-shards.ts';
import { ProcessLoadProbe } from './process-load.ts';

/** PocketSphinx's decoder options for the configured search. */
export function pocketSphinxArgs(config: Pick<TranscribeConfig, 'search' | 'maxHmmsPerFrame'>): Record<string, string> {
  return {
    ...(config.search === 'fast' ? { '-fwdflat': 'no', '-bestpath': 'no' } : {}),
    ...(config.maxHmmsPerFrame > 0 ? { '-maxhmmpf': String(config.maxHmmsPerFrame) } : {}),
  };
}

async function createRecognizer(
  config: TranscribeConfig,
  log: Observability['log'],
  metrics?: ServiceMetrics,
): Promise<Recognizer> {
  if (config.engine === 'amazon-transcribe') {
    const { TranscribeStreamingClient } = await import('@aws-sdk/client-transcribe-streaming');
    const { TranscribeClient } = await import('@aws-sdk/client-transcribe');
    const { AmazonTranscribeRecognizer } = await import('./aws-transcribe.ts');
    // Session glossaries: the custom vocabularies the events handler creates are looked up with GetVocabulary.
    return new AmazonTranscribeRecognizer(new TranscribeStreamingClient({ region: config.aws.region }), {
      vocabularies: new TranscribeClient({ region: config.aws.region }),
      log,
      ...(metrics ? { metrics } : {}),
    });
  }
  const { PocketSphinxRecognizer } = await import('./pocketsphinx.ts');
  const { SpareRecognizer } = await import('./spare-recognizer.ts');
  // The fast search finishes an utterance in ~20 ms instead of ~140 ms (the extra passes only refine the final).
  const pocketsphinx = new PocketSphinxRecognizer({ extraArgs: pocketSphinxArgs(config), log });
  // Decoders loaded ahead (~90 MB each), so no session starts behind real time waiting for its own.
  return new SpareRecognizer(pocketsphinx, log, ['en'], config.spares);
}

/**
 * Each session's noise suppression (PocketSphinx only: Amazon Transcribe is given the audio as captured) and voice
 * detection; undefined when neither is on. Loads the WASM modules once, here, so no session waits for them.
 */
async function createFrontEnd(config: TranscribeConfig): Promise<AudioFrontEndFactory | undefined> {
  const options = { denoise: config.denoise && config.engine === 'pocketsphinx', vad: config.vad };
  if (options.vad === 'rnnoise' && !options.denoise) options.vad = 'energy';
  if (!options.denoise && options.vad === 'energy') return undefined;
  const { createAudioFrontEnd, loadAudioFrontEnd } = await import('./audio-front-end.ts');
  await loadAudioFrontEnd();
  return () => createAudioFrontEnd(options);
}

export async function createTranscriberDeps(config: TranscribeConfig, obs: Observability): Promise<TranscriberDeps> {
  const db = obs.captureClient(dynamoDocumentClient(config.aws));
  const frontEnd = await createFrontEnd(config);
  return {
    recognizer: await createRecognizer(config, obs.log, obs),
    sessions: new DynamoSessionDirectory(db, config.sessionsTable),
    events: new EventBridgePublisher(obs.captureClient(eventBridgeClient(config.aws)), config.eventBus),
    ledger: new DynamoFinalizedLedger(db, config.transcriptsTable),
    glossaries: new DynamoGlossarySource(db, config.sessionsTable),
    clock: { now: () => Date.now() },
    log: obs.log,
    metrics: obs,
    settings: {
      maxSessions: config.maxSessions,
      idleMs: config.idleMs,
      retryRefusedAfterMs: 30_000,
      preRollMs: 300,
      partialIntervalMs: 250,
      speculateAfterMs: config.speculateAfterMs,
      sentenceEnd: config.sentenceEnd,
      ...(config.stability ? { stability: config.stability } : {}),
      endpointer: { ...DEFAULT_ENDPOINTER, hangoverMs: config.hangoverMs, tailBelowPeakDb: config.tailBelowPeakDb },
      ...(frontEnd ? { frontEnd } : {}),
    },
  };
}

/** A frame's worth of audio beyond the noise window and the pre-roll, so a replay hears all of both. */
const LEAD_MARGIN_MS = 100;
/** Longest a checkpoint holds the stream back: the longest utterance (15 s) with its lead, and some slack. */
const MAX_HOLD_MS = 30_000;

/** The stream worker: one Transcriber for every shard it reads, the stream, the lease table. */
export async function createWorkerDeps(config: WorkerConfig, obs: Observability): Promise<StreamWorkerDeps> {
  const transcriberDeps = await createTranscriberDeps(config, obs);
  const { settings } = transcriberDeps;
  return {
    workerId: config.workerId,
    transcriber: new Transcriber(transcriberDeps),
    leases: new DynamoLeaseStore(obs.captureClient(dynamoDocumentClient(config.aws)), config.shardLeasesTable),
    source: new KinesisShardSource(
      obs.captureClient(kinesisClient(config.aws)),
      config.audioStream,
      config.audioConsumerArn
        ? { consumerArn: config.audioConsumerArn, kinesis: obs.captureClient(kinesisHttp2Client(config.aws)) }
        : undefined,
    ),
    clock: transcriberDeps.clock,
    log: obs.log,
    metrics: obs,
    settings: {
      leaseMs: config.leaseMs,
      renewMs: config.renewMs,
      pollMs: config.pollMs,
      checkpointMs: config.checkpointMs,
      batchSize: 1_000,
      initialPosition: config.initialPosition,
      shardDiscoveryMs: 30_000,
      leadMs: settings.endpointer.noiseWindowMs + settings.preRollMs + LEAD_MARGIN_MS,
      maxHoldMs: MAX_HOLD_MS,
      maxRecordAgeMs: config.maxRecordAgeMs,
    },
  };
}

/**
 * What says how many sessions the worker can hold: measured on this machine for the local recogniser, the
 * deployment's concurrent-stream quota (LLT_ASR_MAX_SESSIONS) for Amazon Transcribe.
 */
export function createCapacityReporter(config: WorkerConfig, deps: StreamWorkerDeps, obs: Observability) {
  return new CapacityReporter({
    workerId: config.workerId,
    transcriber: deps.transcriber,
    probe: new ProcessLoadProbe(),
    store: new DynamoCapacityStore(
      obs.captureClient(dynamoDocumentClient(config.aws)),
      config.sessionsTable,
      hostname(),
    ),
    events: new EventBridgePublisher(obs.captureClient(eventBridgeClient(config.aws)), config.eventBus),
    clock: deps.clock,
    log: obs.log,
    metrics: obs,
    settings: {
      periodMs: config.capacity.periodMs,
      basis: config.engine === 'amazon-transcribe' ? 'quota' : 'measured',
      capacity: { ...config.capacity.estimate, maxSessions: config.maxSessions },
      lag: config.capacity.lag,
    },
  });
}
