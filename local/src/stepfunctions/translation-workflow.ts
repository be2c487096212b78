// The translation fan-out as it runs locally: the deployed ASL, its tasks bound to the services' workflow
// handlers, started by the same EventBridge rule the CDK app creates.
import { TRANSLATION_FANOUT } from '@llt/workflows';
import type { LocalEventBus } from '../bus/event-bus.ts';
import { invoke, type LambdaHandler } from '../lambda.ts';
import { asEventTarget, LocalStateMachine, type TaskFunction } from './local-state-machine.ts';

interface WorkflowTasks {
  handlers: Record<string, LambdaHandler<unknown, unknown>>;
  warm(): Promise<unknown>;
  shutdown(): Promise<unknown>;
}

export interface TranslationWorkflowOptions {
  env: Record<string, string>;
  region: string;
  bus: LocalEventBus;
  onError: (error: unknown, where: string) => void;
}

/** Starts the workflow (engines warmed first, so the first sentence is not the slow one); resolves with its stop. */
export async function startTranslationWorkflow(options: TranslationWorkflowOptions): Promise<() => Promise<void>> {
  const { env } = options;
  const modules: Record<string, WorkflowTasks> = {
    translate: (await import('@llt/translate/handlers/workflow')).createWorkflowTasks(env) as WorkflowTasks,
    synthesize: (await import('@llt/synthesize/handlers/workflow')).createWorkflowTasks(env) as WorkflowTasks,
    notify: (await import('@llt/notify/handlers/workflow')).createWorkflowTasks(env) as WorkflowTasks,
  };
  const shutdown = async () => {
    await Promise.allSettled(Object.values(modules).map((m) => m.shutdown()));
  };
  try {
    await Promise.all(Object.values(modules).map((m) => m.warm()));
    const tasks: Record<string, TaskFunction> = {};
    const substitutions: Record<string, string> = {};
    for (const [placeholder, fn] of Object.entries(TRANSLATION_FANOUT.functions)) {
      const handler = modules[fn.service]?.handlers[fn.handler];
      if (!handler) throw new Error(`@llt/${fn.service}/handlers/workflow has no task handler ${fn.handler}`);
      tasks[fn.name] = (payload) => invoke(fn.name, handler, payload);
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
  } catch (error) {
    await shutdown();
    throw error;
  }
  return shutdown;
}
