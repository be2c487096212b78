// Composition root: builds the ingest use cases' dependencies from configuration. The same code runs on
// Lambda and in the local runtime; only the endpoints in the environment differ.
import {
  dynamoDocumentClient,
  EventBridgePublisher,
  eventBridgeClient,
  kinesisClient,
  ManagementApiChannel,
  managementApiClient,
  type Observability,
} from '@llt/platform';
import type { IngestConfig } from '#config';
import type { IngestDeps } from '#core/deps';
import { DynamoAdmissionLedger } from './dynamo-admissions.ts';
import { DynamoRateLimiter } from './dynamo-rate-limiter.ts';
import { DynamoConnectionStore, DynamoSessionStore } from './dynamo-session-store.ts';
import { KinesisAudioSink } from './kinesis-audio-sink.ts';

export function createIngestDeps(config: IngestConfig, obs: Observability): IngestDeps {
  const db = dynamoDocumentClient(config.aws);
  const kinesis = obs.captureClient(kinesisClient(config.aws));
  return {
    sessions: new DynamoSessionStore(obs.captureClient(db), config.sessionsTable),
    connections: new DynamoConnectionStore(db, config.connectionsTable),
    audio: new KinesisAudioSink(kinesis, config.audioStream),
    events: new EventBridgePublisher(obs.captureClient(eventBridgeClient(config.aws)), config.eventBus),
    clients: new ManagementApiChannel(
      obs.captureClient(managementApiClient(config.managementEndpoint, config.aws.region)),
    ),
    rateLimits: new DynamoRateLimiter(obs.captureClient(db), config.sessionsTable),
    admissions: new DynamoAdmissionLedger(obs.captureClient(db), config.sessionsTable),
    clock: { now: () => Date.now() },
    log: obs.log,
    metrics: obs,
    settings: {
      languages: config.languages,
      sessionTtlMs: config.sessionTtlMs,
      joinAttemptsPerMinute: config.joinAttemptsPerMinute,
      messagesPerSecond: config.messagesPerSecond,
      speakerAuth: config.speakerAuth,
      admission: config.admission,
    },
  };
}
