// EventBridge handler: source captions (partial and final transcripts) to every listener of the session.
import { TranscriptFinalizedV1, TranscriptPartialV1 } from '@llt/events';
import { withObservability } from '@llt/platform';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { createNotifyDeps } from '#adapters/index';
import { loadConfig } from '#config';
import { deliverSourceCaption, type NotifyDeps } from '#core/fanout';
import { UnexpectedEventError } from '#errors';
import { observability } from '../observability.ts';

export function makeEventsHandler(deps: NotifyDeps) {
  return async (event: EventBridgeEvent<string, unknown>) => {
    switch (event['detail-type']) {
      case TranscriptPartialV1.detailType:
        return deliverSourceCaption(deps, TranscriptPartialV1.schema.parse(event.detail), false);
      case TranscriptFinalizedV1.detailType:
        return deliverSourceCaption(deps, TranscriptFinalizedV1.schema.parse(event.detail), true);
      default:
        throw new UnexpectedEventError(`notify has no handler for ${event.source}@${event['detail-type']}`);
    }
  };
}

/** The deployed handler: dependencies built on the first invocation from `env` (process.env on Lambda). */
export function createEventsHandler(env: NodeJS.ProcessEnv = process.env) {
  let route: ReturnType<typeof makeEventsHandler> | undefined;
  return withObservability(async (event: EventBridgeEvent<string, unknown>, _context: Context) => {
    route ??= makeEventsHandler(createNotifyDeps(loadConfig(env), observability));
    return route(event);
  }, observability);
}

export const handler = createEventsHandler();
