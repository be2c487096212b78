// Workflow task handlers of notify: which languages a segment (or an increment of an utterance in progress) goes
// to, and delivering its translated caption (final or provisional) and its audio URL to the listeners of one
// language. The final and the provisional branches call the same task functions; the payload's keys tell them
// apart (`transcript` or `increment`).
import {
  isProvisionalPayload,
  NotifyAudioTaskInput,
  NotifyCaptionTaskInput,
  NotifyPartialTranslationTaskInput,
  ProvisionalLanguagesInput,
  type ProvisionalLanguagesOutput,
  ResolveLanguagesInput,
  type ResolveLanguagesOutput,
} from '@llt/events';
import { parseTaskInput, withObservability } from '@llt/platform';
import type { Context } from 'aws-lambda';
import { createNotifyDeps } from '#adapters/index';
import { loadConfig } from '#config';
import {
  type Delivery,
  deliverAudioParts,
  deliverPartialTranslation,
  deliverTranslation,
  type NotifyDeps,
} from '#core/fanout';
import { provisionalLanguages, resolveLanguages } from '#core/languages';
import { observability } from '../observability.ts';

export function makeWorkflowHandlers(deps: NotifyDeps) {
  return {
    languages: async (payload: unknown): Promise<ResolveLanguagesOutput | ProvisionalLanguagesOutput> => {
      if (isProvisionalPayload(payload)) {
        const input = parseTaskInput('ResolveLanguages', ProvisionalLanguagesInput, payload);
        observability.logger.appendKeys({ sessionId: input.increment.sessionId, segmentId: input.increment.segmentId });
        return provisionalLanguages(deps, input);
      }
      const input = parseTaskInput('ResolveLanguages', ResolveLanguagesInput, payload);
      observability.logger.appendKeys({ sessionId: input.transcript.sessionId, segmentId: input.transcript.segmentId });
      return resolveLanguages(deps, input);
    },
    caption: async (payload: unknown): Promise<Delivery> => {
      if (isProvisionalPayload(payload)) {
        const partial = parseTaskInput('NotifyCaption', NotifyPartialTranslationTaskInput, payload);
        observability.logger.appendKeys({
          sessionId: partial.sessionId,
          segmentId: partial.segmentId,
          language: partial.targetLanguage,
        });
        return deliverPartialTranslation(deps, partial);
      }
      const translation = parseTaskInput('NotifyCaption', NotifyCaptionTaskInput, payload);
      observability.logger.appendKeys({
        sessionId: translation.sessionId,
        segmentId: translation.segmentId,
        language: translation.targetLanguage,
      });
      return deliverTranslation(deps, translation);
    },
    audio: async (payload: unknown): Promise<Delivery> => {
      const input = parseTaskInput('NotifyAudio', NotifyAudioTaskInput, payload);
      const parts = Array.isArray(input) ? input : [input];
      const first = parts[0];
      if (first) {
        observability.logger.appendKeys({
          sessionId: first.sessionId,
          segmentId: first.segmentId,
          language: first.language,
          parts: parts.map((p) => p.part ?? 0),
        });
      }
      return deliverAudioParts(deps, parts);
    },
  };
}

/** The deployed task functions; dependencies are built on the first invocation from `env`. */
export function createWorkflowTasks(env: NodeJS.ProcessEnv = process.env) {
  let routes: ReturnType<typeof makeWorkflowHandlers> | undefined;
  const ready = () => {
    routes ??= makeWorkflowHandlers(createNotifyDeps(loadConfig(env), observability));
    return routes;
  };
  const task = <R>(pick: (r: ReturnType<typeof makeWorkflowHandlers>) => (payload: unknown) => Promise<R>) =>
    withObservability(async (payload: unknown, _context: Context) => pick(ready())(payload), observability);
  return {
    handlers: {
      languagesHandler: task((r) => r.languages),
      captionHandler: task((r) => r.caption),
      audioHandler: task((r) => r.audio),
    },
    warm: async () => {
      ready();
    },
    shutdown: async () => undefined,
  };
}

const deployed = createWorkflowTasks();
export const { languagesHandler, captionHandler, audioHandler } = deployed.handlers;
/** Init code for a new execution environment (the local runtime runs it before the first invocation). */
export const { warm } = deployed;
