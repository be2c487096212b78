// The product's Lambda functions (one list, `@llt/platform/functions`, which the local runtime runs too) and where
// the CDK app bundles each from. The service stacks create them; the workflow and observability stacks find them
// by these deterministic names (never by cross-stack references).
import { join } from 'node:path';
import { ALL_FUNCTIONS, FUNCTIONS, type FunctionSpec, handlerPath } from '@llt/platform/functions';
import { REPO_ROOT } from './config.ts';

export {
  ALL_FUNCTIONS,
  FUNCTIONS,
  type FunctionSpec,
  ruleTarget,
  type ServiceName,
} from '@llt/platform/functions';

/**
 * The functions the CDK app deploys: the list without transcription's Kinesis consumer. On AWS the audio stream is
 * read by the transcription workers (an ECS Fargate service, the transcribe stack); the local runtime still calls
 * the consumer until it runs the workers too, and then it leaves the list.
 */
export const DEPLOYED_FUNCTIONS: readonly FunctionSpec[] = ALL_FUNCTIONS.filter(
  (f) => f !== FUNCTIONS.transcribeKinesis,
);

/** The handler file a function is bundled from. */
export function entryOf(spec: FunctionSpec): string {
  return join(REPO_ROOT, handlerPath(spec));
}
