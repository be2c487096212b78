// Composition root: builds the notify use cases' dependencies from configuration.
import { dynamoDocumentClient, ManagementApiChannel, managementApiClient, type Observability } from '@llt/platform';
import type { NotifyConfig } from '#config';
import type { NotifyDeps } from '#core/fanout';
import { SegmentOrder } from '#core/order';
import { PartialCoalescer } from '#core/partials';

import { DynamoCaptionLog } from './dynamo-caption-log.ts';
import { DynamoFanoutLedger } from './dynamo-fanout-ledger.ts';
import { DynamoListenerDirectory } from './dynamo-listeners.ts';

/** How long a delivery waits for an earlier segment's of its language (longer than a normal fan-out takes). */
const ORDER_WAIT_MS = 3_000;

export function createNotifyDeps(config: NotifyConfig, obs: Observability): NotifyDeps {
  const db = obs.captureClient(dynamoDocumentClient(config.aws));
  return {
    listeners: new DynamoListenerDirectory(db, config.sessionsTable),
    ledger: new DynamoFanoutLedger(db, config.sessionsTable),
    captions: new DynamoCaptionLog(db, config.captionsTable, config.sessionsTable),
    clients: new ManagementApiChannel(
      obs.captureClient(managementApiClient(config.managementEndpoint, config.aws.region)),
    ),
    log: obs.log,
    metrics: obs,
    clock: { now: () => Date.now() },
    concurrency: config.concurrency,
    partials: new PartialCoalescer(),
    order: new SegmentOrder(ORDER_WAIT_MS),
  };
}
