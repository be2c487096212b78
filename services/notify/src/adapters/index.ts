// Composition root: builds the notify use cases' dependencies from configuration.
import { dynamoDocumentClient, ManagementApiChannel, managementApiClient, type Observability } from '@llt/platform';
import type { NotifyConfig } from '#config';
import type { NotifyDeps } from '#core/fanout';
import { DynamoListenerDirectory } from './dynamo-listeners.ts';

export function createNotifyDeps(config: NotifyConfig, obs: Observability): NotifyDeps {
  return {
    listeners: new DynamoListenerDirectory(obs.captureClient(dynamoDocumentClient(config.aws)), config.sessionsTable),
    clients: new ManagementApiChannel(
      obs.captureClient(managementApiClient(config.managementEndpoint, config.aws.region)),
    ),
    log: obs.log,
    metrics: obs,
    clock: { now: () => Date.now() },
    concurrency: config.concurrency,
  };
}
