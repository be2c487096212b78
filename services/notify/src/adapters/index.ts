// Composition root: builds the notify use cases' dependencies from configuration.
import { dynamoDocumentClient, ManagementApiChannel, managementApiClient, type Observability } from '@llt/platform';
import type { NotifyConfig } from '#config';
import { AudienceCache } from '#core/audience';
import type { NotifyDeps } from '#core/fanout';
import { DynamoCaptionLog } from './dynamo-caption-log.ts';
import { DynamoFanoutLedger } from './dynamo-fanout-ledger.ts';
import { DynamoListenerDirectory } from './dynamo-listeners.ts';
import { DynamoPartialTranslations } from './dynamo-partial-translations.ts';
import { DynamoPartialTurns } from './dynamo-partial-turns.ts';

export function createNotifyDeps(config: NotifyConfig, obs: Observability): NotifyDeps {
  const db = obs.captureClient(dynamoDocumentClient(config.aws));
  const listeners = new DynamoListenerDirectory(db, config.sessionsTable);
  return {
    listeners,
    audience: new AudienceCache(listeners),
    ledger: new DynamoFanoutLedger(db, config.sessionsTable),
    captions: new DynamoCaptionLog(db, config.captionsTable, config.sessionsTable),
    clients: new ManagementApiChannel(
      obs.captureClient(managementApiClient(config.managementEndpoint, config.aws.region)),
    ),
    log: obs.log,
    metrics: obs,
    clock: { now: () => Date.now() },
    concurrency: config.concurrency,
    languages: config.languages,
    turns: new DynamoPartialTurns(db, config.captionsTable),
    partialTranslations: new DynamoPartialTranslations(db, config.captionsTable),
  };
}
