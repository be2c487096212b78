// Publishing contract events to EventBridge (or the local bus, which speaks the same API).
// The detail is validated against its schema before PutEvents, so a malformed event never leaves its producer.
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type EventDefinition, registryName } from '@llt/events';
import type { z } from 'zod';

export class EventPublishError extends Error {
  override name = 'EventPublishError';
}

export interface EventPublisher {
  publish<S extends z.ZodType>(def: EventDefinition<S>, detail: z.input<S>): Promise<void>;
}

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish<S extends z.ZodType>(def: EventDefinition<S>, detail: z.input<S>): Promise<void> {
    const parsed = def.schema.safeParse(detail);
    if (!parsed.success) {
      throw new EventPublishError(`refusing to publish an invalid ${registryName(def)}: ${parsed.error.message}`);
    }
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: def.source,
            DetailType: def.detailType,
            Detail: JSON.stringify(parsed.data),
          },
        ],
      }),
    );
    if (out.FailedEntryCount) {
      const entry = out.Entries?.[0];
      throw new EventPublishError(
        `PutEvents rejected ${registryName(def)}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}
