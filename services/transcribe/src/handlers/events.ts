// EventBridge handler: session glossaries as the recognition engine's custom vocabularies (see ../rules.ts).
import { GlossaryChangedV1, SessionEndedV1 } from '@llt/events';
import { withObservability } from '@llt/platform';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { createVocabularyDeps } from '#adapters/vocabulary-deps';
import { loadEventsConfig } from '#config';
import { applyGlossary, endSessionVocabularies, type VocabularyDeps } from '#core/vocabulary';
import { UnexpectedEventError } from '#errors';
import { observability } from '../observability.ts';

export function makeEventsHandler(deps: VocabularyDeps) {
  return async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
    switch (event['detail-type']) {
      case GlossaryChangedV1.detailType:
        return applyGlossary(deps, GlossaryChangedV1.schema.parse(event.detail));
      case SessionEndedV1.detailType:
        return endSessionVocabularies(deps, SessionEndedV1.schema.parse(event.detail).sessionId);
      default:
        throw new UnexpectedEventError(`transcribe has no handler for ${event.source}@${event['detail-type']}`);
    }
  };
}

/** The deployed handler: dependencies built on the first invocation from `env` (process.env on Lambda). */
export function createEventsHandler(env: NodeJS.ProcessEnv = process.env) {
  let route: Promise<ReturnType<typeof makeEventsHandler>> | undefined;
  return withObservability(async (event: EventBridgeEvent<string, unknown>, _context: Context) => {
    route ??= createVocabularyDeps(loadEventsConfig(env), observability)
      .then(makeEventsHandler)
      .catch((error: unknown) => {
        route = undefined; // the next invocation builds them again
        throw error;
      });
    return (await route)(event);
  }, observability);
}

export const handler = createEventsHandler();
