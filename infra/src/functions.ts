// The product's Lambda functions (one list, `@llt/platform/functions`, which the local runtime runs too) and where
// the CDK app bundles each from. The service stacks create them; the workflow and observability stacks find them
// by these deterministic names (never by cross-stack references).
import { join } from 'node:path';
import { type FunctionSpec, handlerPath } from '@llt/platform/functions';
import { REPO_ROOT } from './config.ts';

export {
  ALL_FUNCTIONS,
  FUNCTIONS,
  type FunctionSpec,
  ruleTarget,
  type ServiceName,
} from '@llt/platform/functions';

/** The handler file a function is bundled from. */
export function entryOf(spec: FunctionSpec): string {
  return join(REPO_ROOT, handlerPath(spec));
}
