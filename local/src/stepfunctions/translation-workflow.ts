// The translation fan-out as it runs locally: the deployed ASL, its Task states bound to the functions the
// workflow names (each run in its own execution environments by the local Lambda service), started by the same
// EventBridge rule the CDK app creates.
import { TRANSLATION_FANOUT } from '@llt/workflows';
import type { LocalEventBus } from '../bus/event-bus.ts';
import type { LambdaService } from '../lambda/service.ts';
import { asEventTarget, LocalStateMachine, type TaskFunction } from './local-state-machine.ts';

export interface TranslationWorkflowOptions {
  lambda: LambdaService;
  region: string;
  bus: LocalEventBus;
  onError: (error: unknown, where: string) => void;
}

/** Builds the state machine (its tasks invoke the functions through `lambda`) and adds the rule that starts it. */
export function startTranslationWorkflow(options: TranslationWorkflowOptions): LocalStateMachine {
  const tasks: Record<string, TaskFunction> = {};
  const substitutions: Record<string, string> = {};
  for (const [placeholder, fn] of Object.entries(TRANSLATION_FANOUT.functions)) {
    tasks[fn.name] = (payload) => options.lambda.invoke(fn.name, payload);
    substitutions[placeholder] = fn.name;
  }
  const machine = new LocalStateMachine({
    name: TRANSLATION_FANOUT.name,
    definition: TRANSLATION_FANOUT.definition,
    tasks,
    substitutions,
    region: options.region,
    onExecutionFailed: (error) => options.onError(error, 'translation workflow'),
  });
  options.bus.addRule(TRANSLATION_FANOUT.rule.name, TRANSLATION_FANOUT.rule.pattern, asEventTarget(machine));
  return machine;
}
