// Every Lambda function of the product, named once: the CDK app deploys this list and the local runtime runs the
// same list, each function in its own execution environments. Not part of the package's main entry (the workflow
// definition it names reads its ASL file): import it as `@llt/platform/functions`.
import { TRANSLATION_FANOUT } from '@llt/workflows';

export type ServiceName = 'ingest' | 'transcribe' | 'translate' | 'synthesize' | 'notify';

export interface FunctionSpec {
  /** The deployed function name (also the name the local runtime invokes it by). */
  name: string;
  service: ServiceName;
  /** Module under `services/<service>/src/handlers/` (without `.ts`). */
  module: string;
  /** The module's export Lambda calls (the part of the handler setting after the dot). */
  handler: string;
}

function workflowTask(placeholder: keyof typeof TRANSLATION_FANOUT.functions): FunctionSpec {
  const task = TRANSLATION_FANOUT.functions[placeholder];
  if (!task) throw new Error(`${TRANSLATION_FANOUT.name} has no function ${String(placeholder)}`);
  return { name: task.name, service: task.service, module: 'workflow', handler: task.handler };
}

export const FUNCTIONS = {
  ingestWebSocket: { name: 'llt-ingest-websocket', service: 'ingest', module: 'websocket', handler: 'handler' },
  ingestAuthorizer: { name: 'llt-ingest-authorizer', service: 'ingest', module: 'authorizer', handler: 'handler' },
  ingestHttp: { name: 'llt-ingest-http', service: 'ingest', module: 'http', handler: 'handler' },
  ingestEvents: { name: 'llt-ingest-events', service: 'ingest', module: 'events', handler: 'handler' },
  transcribeEvents: { name: 'llt-transcribe-events', service: 'transcribe', module: 'events', handler: 'handler' },
  translate: workflowTask('TranslateFunction'),
  synthesize: workflowTask('SynthesizeFunction'),
  notifyEvents: { name: 'llt-notify-events', service: 'notify', module: 'events', handler: 'handler' },
  notifyHttp: { name: 'llt-notify-http', service: 'notify', module: 'http', handler: 'handler' },
  notifyLanguages: workflowTask('ResolveLanguagesFunction'),
  notifyCaption: workflowTask('NotifyCaptionFunction'),
  notifyAudio: workflowTask('NotifyAudioFunction'),
} as const satisfies Record<string, FunctionSpec>;

export const ALL_FUNCTIONS: readonly FunctionSpec[] = Object.values(FUNCTIONS);

/** The handler module a function is built from, relative to the repository root. */
export function handlerPath(spec: FunctionSpec): string {
  return `services/${spec.service}/src/handlers/${spec.module}.ts`;
}

/** The function a service's EventBridge rule targets (`RuleDefinition.handler` names the handler module). */
export function ruleTarget(service: ServiceName, module: string): FunctionSpec {
  const [spec, ...others] = ALL_FUNCTIONS.filter((f) => f.service === service && f.module === module);
  if (!spec || others.length > 0) throw new Error(`no single ${service} function is built from handlers/${module}.ts`);
  return spec;
}
