// Workflow task handler: the Translate state of the translation fan-out (one utterance, one language) and the
// TranslateIncrement state of its provisional branch (one stable increment, one language).
// The engine lives in this module for the life of the warm process: Apertium keeps one pipeline per pair.
import { isProvisionalPayload, TranslateIncrementTaskInput, TranslateTaskInput } from '@llt/events';
import { initializedAhead, parseTaskInput, withObservability } from '@llt/platform';
import type { Context } from 'aws-lambda';
import { createTranslateDeps } from '#adapters/index';
import { loadConfig } from '#config';
import { type TranslateDeps, translateIncrement, translateSegment } from '#core/translate';
import { observability } from '../observability.ts';

export function makeTranslateHandler(deps: TranslateDeps) {
  return async (payload: unknown) => {
    if (isProvisionalPayload(payload)) {
      const input = parseTaskInput('TranslateIncrement', TranslateIncrementTaskInput, payload);
      observability.logger.appendKeys({
        sessionId: input.increment.sessionId,
        segmentId: input.increment.segmentId,
        language: input.targetLanguage,
      });
      return translateIncrement(deps, input);
    }
    const input = parseTaskInput('Translate', TranslateTaskInput, payload);
    observability.logger.appendKeys({
      sessionId: input.transcript.sessionId,
      segmentId: input.transcript.segmentId,
      language: input.targetLanguage,
    });
    return translateSegment(deps, input);
  };
}

/** The deployed task functions; the engine is built on first use (or by `warm`) from `env`. */
export function createWorkflowTasks(env: NodeJS.ProcessEnv = process.env) {
  let deps: ReturnType<typeof createTranslateDeps> | undefined;
  const ready = () => {
    deps ??= createTranslateDeps(loadConfig(env), observability);
    return deps;
  };
  const translateHandler = withObservability(
    async (payload: unknown, _context: Context) => makeTranslateHandler(await ready())(payload),
    observability,
  );
  return {
    handlers: { translateHandler },
    /**
     * Builds the engine. An environment started ahead of traffic (provisioned concurrency; what `npm start` gives
     * each workflow function) also starts every offered language's pipelines, so no sentence pays for them. An
     * on-demand environment starts only the pipelines its invocations ask for: its first invocation waits for its
     * init, and one sentence in one language needs one route, not all of them (with eight languages, a dozen
     * Apertium modes and ~0.4 GB of pivot dictionaries each).
     */
    warm: async () => {
      const { engine } = await ready();
      if (initializedAhead(env)) await engine.warm?.(loadConfig(env).targetLanguages);
    },
    shutdown: async () => (deps ? (await deps).engine.close?.() : undefined),
  };
}

const deployed = createWorkflowTasks();
export const { translateHandler } = deployed.handlers;
/**
 * Init code for a new execution environment, and what it releases when discarded (the local runtime runs both:
 * the engine's pipelines start before the first invocation and stop with the environment).
 */
export const { warm, shutdown } = deployed;
