// Workflow task handler: the Synthesize state of the translation fan-out (one translated utterance).
// The engine lives in this module for the life of the warm process, loaded and warmed once.
import { SynthesizeTaskInput } from '@llt/events';
import { parseTaskInput, withObservability } from '@llt/platform';
import type { Context } from 'aws-lambda';
import { createSynthesizeDeps } from '#adapters/index';
import { loadConfig } from '#config';
import { type SynthesizeDeps, synthesizeSegment } from '#core/synthesize';
import { observability } from '../observability.ts';

export function makeSynthesizeHandler(deps: SynthesizeDeps) {
  return async (payload: unknown) => {
    const translation = parseTaskInput('Synthesize', SynthesizeTaskInput, payload);
    observability.logger.appendKeys({
      sessionId: translation.sessionId,
      segmentId: translation.segmentId,
      language: translation.targetLanguage,
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
    /** Loads the deployment's voices and the encoder, so the first sentence is not the slow one. */
    warm: async () => (await ready()).engine.warm?.(loadConfig(env).spokenLanguages),
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
