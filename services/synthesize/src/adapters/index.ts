// Composition root: builds the synthesize use case's dependencies from configuration. The voices are the best
// installed ones locally (Pico, festival, espeak-ng) and Amazon Polly on AWS; each engine's module loads only when
// chosen.
import {
  dynamoDocumentClient,
  EventBridgePublisher,
  eventBridgeClient,
  type Observability,
  s3Client,
} from '@llt/platform';
import type { SynthesizeConfig } from '#config';
import type { GlossaryStore, SpeechEngine } from '#core/ports';
import type { SynthesizeDeps } from '#core/synthesize';
import { DynamoGlossaryStore } from './dynamo-glossary.ts';
import { S3AudioStore } from './s3-audio-store.ts';

/** A speech engine that may need warming up and releasing. */
export interface ManagedSpeechEngine extends SpeechEngine {
  /** Loads the voices of `languages` (default: every voice it has). */
  warm?(languages?: readonly string[]): Promise<void>;
  close?(): void | Promise<void>;
}

async function createEngine(config: SynthesizeConfig, obs: Observability): Promise<ManagedSpeechEngine> {
  if (config.engine === 'polly') {
    const { PollyClient } = await import('@aws-sdk/client-polly');
    const { PollySpeechEngine } = await import('./aws-polly.ts');
    return new PollySpeechEngine(obs.captureClient(new PollyClient({ region: config.aws.region })));
  }
  const engine = config.engine;
  if (config.speechWorkers > 0) {
    const { WorkerSpeechEngine } = await import('./worker-speech-engine.ts');
    return new WorkerSpeechEngine({ workers: config.speechWorkers, nice: config.speechNice, engine });
  }
  if (engine === 'espeak') {
    const { EspeakSpeechEngine } = await import('./espeak.ts');
    return new EspeakSpeechEngine();
  }
  const { LocalSpeechEngine } = await import('./local-speech.ts');
  return new LocalSpeechEngine({}, obs.log);
}

export async function createSynthesizeDeps(
  config: SynthesizeConfig,
  obs: Observability,
): Promise<SynthesizeDeps & { engine: ManagedSpeechEngine; glossary: GlossaryStore }> {
  return {
    engine: await createEngine(config, obs),
    glossary: new DynamoGlossaryStore(obs.captureClient(dynamoDocumentClient(config.aws)), config.sessionsTable),
    store: new S3AudioStore(obs.captureClient(s3Client(config.aws)), config.audioBucket, config.audioPublicEndpoint),
    events: new EventBridgePublisher(obs.captureClient(eventBridgeClient(config.aws)), config.eventBus),
    log: obs.log,
    metrics: obs,
    clock: { now: () => Date.now() },
    settings: { bucket: config.audioBucket, urlTtlSeconds: config.urlTtlSeconds },
  };
}
