// Workflow task handlers of notify: which languages a segment goes to, and delivering its translated caption
// and its audio URL to the listeners of one language.
import {
  NotifyAudioTaskInput,
  NotifyCaptionTaskInput,
  ResolveLanguagesInput,
  type ResolveLanguagesOutput,
} from '@llt/events';
import { parseTaskInput, withObservability } from '@llt/platform';
import type { Context } from 'aws-lambda';
import { createNotifyDeps } from '#adapters/index';
import { loadConfig } from '#config';
import { type Delivery, deliverAudio, deliverTranslation, type NotifyDeps } from '#core/fanout';
import { resolveLanguages } from '#core/languages';
import { observability } from '../observability.ts';

export function makeWorkflowHandlers(deps: NotifyDeps) {
  return {
    languages: async (payload: unknown): Promise<ResolveLanguagesOutput> => {
      const input = parseTaskInput('ResolveLanguages', ResolveLanguagesInput, payload);
      observability.logger.appendKeys({ sessionId: input.transcript.sessionId, segmentId: input.transcript.segmentId });
      return resolveLanguages(deps, input);
    },
    caption: async (payload: unknown): Promise<Delivery> => {
      const translation = parseTaskInput('NotifyCaption', NotifyCaptionTaskInput, payload);
      observability.logger.appendKeys({
        sessionId: translation.sessionId,
        segmentId: translation.segmentId,
        language: translation.targetLanguage,
      });
      return deliverTranslation(deps, translation);
    },
    audio: async (payload: unknown): Promise<Delivery> => {
      const speech = parseTaskInput('NotifyAudio', NotifyAudioTaskInput, payload);
      observability.logger.appendKeys({
        sessionId: speech.sessionId,
        segmentId: speech.segmentId,
        language: speech.language,
      });
      return deliverAudio(deps, speech);
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
