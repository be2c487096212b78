// Composition root: builds the translate use case's dependencies from configuration. The engine is Apertium
// locally and Amazon Translate on AWS; each engine's module loads only when chosen.
import { dynamoDocumentClient, EventBridgePublisher, eventBridgeClient, type Observability } from '@llt/platform';
import type { TranslateConfig } from '#config';
import type { GlossaryStore, TranslationEngine } from '#core/ports';
import type { TranslateDeps } from '#core/translate';
import { DynamoGlossaryStore } from './dynamo-glossary.ts';
import { DynamoTranslationMemo } from './dynamo-translation-memo.ts';

/** A translation engine that may hold processes or connections to warm up and release. */
export interface ManagedEngine extends TranslationEngine {
  warm?(targetLanguages: readonly string[]): Promise<void>;
  close?(): Promise<void>;
}

async function createEngine(config: TranslateConfig, obs: Observability): Promise<ManagedEngine> {
  if (config.engine === 'amazon-translate') {
    const { TranslateClient } = await import('@aws-sdk/client-translate');
    const { AmazonTranslateEngine } = await import('./aws-translate.ts');
    return new AmazonTranslateEngine(obs.captureClient(new TranslateClient({ region: config.aws.region })));
  }
  const { ApertiumTranslator } = await import('./apertium.ts');
  return new ApertiumTranslator();
}

export async function createTranslateDeps(
  config: TranslateConfig,
  obs: Observability,
): Promise<TranslateDeps & { engine: ManagedEngine; glossary: GlossaryStore }> {
  const db = obs.captureClient(dynamoDocumentClient(config.aws));
  return {
    engine: await createEngine(config, obs),
    memo: new DynamoTranslationMemo(db, config.translationMemoTable),
    glossary: new DynamoGlossaryStore(db, config.sessionsTable),
    events: new EventBridgePublisher(obs.captureClient(eventBridgeClient(config.aws)), config.eventBus),
    log: obs.log,
    metrics: obs,
    clock: { now: () => Date.now() },
  };
}
