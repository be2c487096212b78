// Composition root of the events handler: the engine's vocabularies (Amazon Transcribe's on AWS, none locally,
// chosen by LLT_ASR_ENGINE like the recogniser) and the sessions table. The AWS module loads only when chosen.
import { dynamoDocumentClient, type Observability, s3Client } from '@llt/platform';
import type { EventsConfig } from '#config';
import type { CustomVocabularies, VocabularyDeps } from '#core/vocabulary';
import { DynamoGlossarySessions } from './dynamo-sessions.ts';
import { EngineWithoutVocabularies } from './local-vocabularies.ts';

async function createVocabularies(config: EventsConfig, obs: Observability): Promise<CustomVocabularies> {
  if (config.engine !== 'amazon-transcribe' || !config.vocabularyBucket) return new EngineWithoutVocabularies();
  const { TranscribeClient } = await import('@aws-sdk/client-transcribe');
  const { AwsCustomVocabularies } = await import('./aws-vocabularies.ts');
  return new AwsCustomVocabularies(
    obs.captureClient(new TranscribeClient({ region: config.aws.region })),
    obs.captureClient(s3Client(config.aws)),
    config.vocabularyBucket,
    obs.log,
  );
}

export async function createVocabularyDeps(config: EventsConfig, obs: Observability): Promise<VocabularyDeps> {
  return {
    vocabularies: await createVocabularies(config, obs),
    sessions: new DynamoGlossarySessions(obs.captureClient(dynamoDocumentClient(config.aws)), config.sessionsTable),
    log: obs.log,
    metrics: obs,
  };
}
