// EventBridge handler for the events ingest relays to clients (see ../rules.ts for which).
import { ListenerJoinedV1, ListenerLeftV1, TranscriptionLagChangedV1, TranscriptionUnavailableV1 } from '@llt/events';
import { withObservability } from '@llt/platform';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { createIngestDeps } from '#adapters/index';
import { loadConfig } from '#config';
import type { IngestDeps } from '#core/deps';
import { announceListeners, tellSpeaker } from '#core/relay';
import { observability } from '../observability.ts';

export class UnexpectedEventError extends Error {
  override name = 'UnexpectedEventError';
}

export function makeEventsHandler(deps: IngestDeps) {
  return async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
    if (event['detail-type'] === ListenerJoinedV1.detailType || event['detail-type'] === ListenerLeftV1.detailType) {
      const { sessionId } = (
        event['detail-type'] === ListenerJoinedV1.detailType ? ListenerJoinedV1 : ListenerLeftV1
      ).schema.parse(event.detail);
      await announceListeners(deps, await deps.sessions.get(sessionId));
      return;
    }
    if (event['detail-type'] === TranscriptionLagChangedV1.detailType) {
      const { sessionId, lagMs, behind, degraded } = TranscriptionLagChangedV1.schema.parse(event.detail);
      await tellSpeaker(deps, sessionId, { type: 'lag', sessionId, lagMs, behind, degraded });
      return;
    }
    if (event['detail-type'] !== TranscriptionUnavailableV1.detailType) {
      throw new UnexpectedEventError(`ingest has no handler for ${event.source}@${event['detail-type']}`);
    }
    const detail = TranscriptionUnavailableV1.schema.parse(event.detail);
    const told = await tellSpeaker(deps, detail.sessionId, {
      type: 'error',
      code: 'transcription_unavailable',
      message: detail.message,
      retryable: true,
    });
    deps.log.warn('transcription unavailable', {
      sessionId: detail.sessionId,
      reason: detail.reason,
      speakerTold: told,
    });
  };
}

/** The deployed handler: dependencies built on the first invocation from `env` (process.env on Lambda). */
export function createEventsHandler(env: NodeJS.ProcessEnv = process.env) {
  let route: ReturnType<typeof makeEventsHandler> | undefined;
  return withObservability(async (event: EventBridgeEvent<string, unknown>, _context: Context) => {
    route ??= makeEventsHandler(createIngestDeps(loadConfig(env), observability));
    return route(event);
  }, observability);
}

export const handler = createEventsHandler();
