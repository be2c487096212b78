// Workflow task handler: the Synthesize states of the translation fan-out. The final branch hands it a finalized
// utterance (TranslationReady), the provisional branch a clause ended by an increment (TranslationPartial with
// `clause`); the payload's `increment` key tells them apart.
// The engine lives in this module for the life of the warm process, loaded and warmed once.
import { isProvisionalPayload, SynthesizeTaskInput, TranslationPartialV1Schema } from '@llt/events';
import { initializedAhead, parseTaskInput, withObservability } from '@llt/platform';
import type { Context } from 'aws-lambda';
import { createSynthesizeDeps } from '#adapters/index';
import { loadConfig } from '#config';
import { type SynthesizeDeps, synthesizeClause, synthesizeSegment } from '#core/synthesize';
import { observability } from '../observability.ts';

/** SynthesizeClause's payload: a TranslationPartial detail that ends a clause (the workflow checks `clause`). */
const SynthesizeClauseTaskInput = TranslationPartialV1Schema.required({ clause: true });

export function makeSynthesizeHandler(deps: SynthesizeDeps) {
  return async (payload: unknown) => {
    if (isProvisionalPayload(payload)) {
      const partial = parseTaskInput('SynthesizeClause', SynthesizeClauseTaskInput, payload);
      observability.logger.appendKeys({
        sessionId: partial.sessionId,
        segmentId: partial.segmentId,
        language: partial.targetLanguage,
        part: partial.clause.index,
      });
      return synthesizeClause(deps, partial);
    }
    const translation = parseTaskInput('Synthesize', SynthesizeTaskInput, payload);
    observability.logger.appendKeys({
      sessionId: translation.sessionId,
      segmentId: translation.segmentId,
      language: translation.targetLanguage,
      part: translation.speech?.part ?? 0,
    });
    return synthesizeSegment(deps, translation);
  };
}

/** The deployed task functions; the engine is built on first use (or by `warm`) from `env`. */
export function createWorkflowTasks(env: NodeJS.ProcessEnv = process.env) {
  let deps: ReturnType<typeof createSynthesizeDeps> | undefined;
  const ready = () => {
    deps ??= createSynthesizeDeps(loadConfig(env), observability);
    return deps;
  };
  const synthesizeHandler = withObservability(
    async (payload: unknown, _context: Context) => makeSynthesizeHandler(await ready())(payload),
    observability,
  );
  return {
    handlers: { synthesizeHandler },
    /**
     * Builds the engine. An environment started ahead of traffic (provisioned concurrency) also loads every spoken
     * language's voices and the encoder, so the first sentence is not the slow one; an on-demand environment, whose
     * first invocation waits for its init, loads only the voice that invocation speaks with.
     */
    warm: async () => {
      const { engine } = await ready();
      if (initializedAhead(env)) await engine.warm?.(loadConfig(env).spokenLanguages);
    },
    shutdown: async () => (deps ? (await deps).engine.close?.() : undefined),
  };
}

const deployed = createWorkflowTasks();
export const { synthesizeHandler } = deployed.handlers;
/**
 * Init code for a new execution environment, and what it releases when discarded (the local runtime runs both:
 * voices and encoder load before the first invocation, the engine's worker stops with the environment).
 */
export const { warm, shutdown } = deployed;
