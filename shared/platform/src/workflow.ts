// What every workflow task handler does the same way: parse the payload the state machine built.
import type { z } from 'zod';

/**
 * The payload does not match the task's contract: the workflow's ASL and the task disagree. Not retryable (a
 * retry would get the same payload); the workflow's Catch ends that branch.
 */
export class InvalidTaskInputError extends Error {
  override name = 'InvalidTaskInputError';
}

export function parseTaskInput<S extends z.ZodType>(task: string, schema: S, payload: unknown): z.infer<S> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new InvalidTaskInputError(`${task} received an invalid payload: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
