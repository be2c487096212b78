// An Express state machine run in-process: the deployed ASL, its Lambda tasks bound to local handlers.
import './polyfill.ts';
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import {
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import {
  assertLocallySupported,
  forLocalInterpreter,
  type JsonObject,
  StateMachineDefinitionError,
  substitute,
} from './definition.ts';
import {
  bindTasks,
  type JsonValue,
  type LocalTaskHandlers,
  localTaskHandlers,
  MAX_PAYLOAD_BYTES,
  type TaskBinding,
  type TaskFunction,
} from './lambda-tasks.ts';

export { StateMachineDefinitionError } from './definition.ts';
export {
  DataLimitExceededError,
  LambdaFunctionError,
  MissingTaskHandlerError,
  type TaskBinding,
  type TaskFunction,
} from './lambda-tasks.ts';

export interface LocalStateMachineOptions {
  /** The state machine's name, as in its ARN. */
  name: string;
  /** The parsed ASL document, exactly as deployed (JSONPath only). */
  definition: object;
  /** Local handlers keyed by Lambda function name: the name in the ARN or FunctionName after substitution. */
  tasks: Readonly<Record<string, TaskFunction>>;
  /** Values for `${Name}` placeholders, as CDK's definitionSubstitutions. */
  substitutions?: Readonly<Record<string, string>>;
  /** Told about every execution that did not succeed; defaults to a line on stderr. */
  onExecutionFailed?: (error: ExecutionFailedError, input: unknown) => void;
  region?: string;
  account?: string;
  /**
   * Milliseconds to wait before retries instead of IntervalSeconds × BackoffRate, per state name (a number for
   * every retrier of the state, or one per retrier). For tests; leave unset to wait as AWS does.
   */
  retryIntervalOverrides?: NonNullable<RunOptions['overrides']>['retryIntervalOverrides'];
}

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';

/** What StartSyncExecution returns (same field names and string-encoded input/output). */
export interface SyncExecutionResult {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate: Date;
  /** The input, JSON-encoded. */
  input: string;
  /** The output, JSON-encoded, when the execution succeeded. */
  output?: string;
  /** `output` already parsed; a local convenience the SDK does not have. */
  outputValue?: unknown;
  /** The error name (e.g. the function's error type) when the execution failed or timed out. */
  error?: string;
  /** The error's cause: for a Lambda error, the runtime's JSON report. */
  cause?: string;
}

export interface LocalStateMachineStats {
  started: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  running: number;
}

export interface ExecutionFailure {
  executionArn: string;
  status: Exclude<ExecutionStatus, 'SUCCEEDED'>;
  error: string;
  cause: string;
  startDate: Date;
  stopDate: Date;
  input: string;
}

/** An execution ended FAILED or TIMED_OUT; carries the execution's error name and cause. */
export class ExecutionFailedError extends Error {
  override readonly name = 'ExecutionFailedError';
  readonly executionArn: string;
  readonly status: Exclude<ExecutionStatus, 'SUCCEEDED'>;
  readonly error: string;
  readonly causeText: string;

  constructor(stateMachine: string, failure: ExecutionFailure, options?: ErrorOptions) {
    super(`${stateMachine} execution ${failure.status}: ${failure.error}: ${failure.cause}`, options);
    this.executionArn = failure.executionArn;
    this.status = failure.status;
    this.error = failure.error;
    this.causeText = failure.cause;
  }
}

/** The execution input is not JSON or exceeds the payload quota (StartExecution's InvalidExecutionInput). */
export class InvalidExecutionInputError extends Error {
  override readonly name = 'InvalidExecutionInputError';
}

/** Failures kept for operators; older ones are dropped. */
export const RECENT_FAILURES_LIMIT = 100;

export class LocalStateMachine {
  readonly name: string;
  readonly stateMachineArn: string;
  /** How each Task state calls its function. */
  readonly taskBindings: readonly TaskBinding[];

  readonly #machine: StateMachine;
  readonly #handlers: LocalTaskHandlers;
  readonly #retryIntervalOverrides: LocalStateMachineOptions['retryIntervalOverrides'];
  readonly #region: string;
  readonly #account: string;
  readonly #onExecutionFailed: (error: ExecutionFailedError, input: unknown) => void;
  readonly #stats: LocalStateMachineStats = { started: 0, succeeded: 0, failed: 0, timedOut: 0, running: 0 };
  readonly #failures: ExecutionFailure[] = [];

  /** Validates the definition and binds its tasks; throws StateMachineDefinitionError when it cannot run as on AWS. */
  constructor(options: LocalStateMachineOptions) {
    this.name = options.name;
    this.#region = options.region ?? 'us-east-1';
    this.#account = options.account ?? '000000000000';
    this.stateMachineArn = `arn:aws:states:${this.#region}:${this.#account}:stateMachine:${this.name}`;
    this.#retryIntervalOverrides = options.retryIntervalOverrides;
    this.#onExecutionFailed =
      options.onExecutionFailed ?? ((error) => console.error(`[stepfunctions] ${error.message}`));

    const definition = substitute(options.definition, options.substitutions ?? {});
    // Before validation, whose verdict on JSONata in nested states is a less helpful schema error.
    assertLocallySupported(definition);
    // The validator adds fields to what it checks, so it gets its own copy.
    validate(this.name, structuredClone(definition));
    const tasks = new Map(Object.entries(options.tasks));
    this.taskBindings = bindTasks(definition, tasks);
    this.#handlers = localTaskHandlers(this.taskBindings, tasks);
    // Validated above; what runs is the quirk-adjusted copy, which need not pass the validator itself.
    this.#machine = new StateMachine(asAsl(forLocalInterpreter(definition)), {
      validationOptions: { noValidate: true },
    });
  }

  get stats(): LocalStateMachineStats {
    return { ...this.#stats };
  }

  /** The last failed or timed-out executions, oldest first. */
  get recentFailures(): readonly ExecutionFailure[] {
    return [...this.#failures];
  }

  /**
   * Runs one execution to its end, as StartSyncExecution does. Resolves with status FAILED or TIMED_OUT rather
   * than rejecting; rejects only when the execution cannot start (InvalidExecutionInputError).
   */
  async startSyncExecution(input?: unknown, options: { name?: string } = {}): Promise<SyncExecutionResult> {
    const inputJson = encodeInput(input);
    const name = options.name ?? randomUUID();
    const executionArn = `arn:aws:states:${this.#region}:${this.#account}:express:${this.name}:${name}:${randomUUID()}`;
    const startDate = new Date();
    this.#stats.started++;
    this.#stats.running++;
    let outcome: Pick<SyncExecutionResult, 'status' | 'output' | 'outputValue' | 'error' | 'cause'>;
    let thrown: unknown;
    try {
      const execution = this.#machine.run(JSON.parse(inputJson) as JsonValue, {
        overrides: { taskResourceLocalHandlers: this.#handlers, retryIntervalOverrides: this.#retryIntervalOverrides },
        // What `$$` exposes on AWS; the interpreter adds Execution.Input and Execution.StartTime.
        context: {
          Execution: { Id: executionArn, Name: name },
          StateMachine: { Id: this.stateMachineArn, Name: this.name },
        },
      });
      const output = await execution.result;
      const outputJson = JSON.stringify(output) ?? 'null';
      outcome = { status: 'SUCCEEDED', output: outputJson, outputValue: JSON.parse(outputJson) };
    } catch (error) {
      thrown = error;
      outcome = failureOf(error);
    } finally {
      this.#stats.running--;
    }
    const result: SyncExecutionResult = {
      executionArn,
      stateMachineArn: this.stateMachineArn,
      name,
      status: outcome.status,
      startDate,
      stopDate: new Date(),
      input: inputJson,
      ...withoutUndefined(outcome),
    };
    this.#record(result, input, thrown);
    return result;
  }

  #record(result: SyncExecutionResult, input: unknown, thrown: unknown): void {
    if (result.status === 'SUCCEEDED') {
      this.#stats.succeeded++;
      return;
    }
    if (result.status === 'TIMED_OUT') this.#stats.timedOut++;
    else this.#stats.failed++;
    const failure: ExecutionFailure = {
      executionArn: result.executionArn,
      status: result.status,
      error: result.error ?? 'States.Runtime',
      cause: result.cause ?? '',
      startDate: result.startDate,
      stopDate: result.stopDate,
      input: result.input,
    };
    this.#failures.push(failure);
    if (this.#failures.length > RECENT_FAILURES_LIMIT) this.#failures.shift();
    try {
      this.#onExecutionFailed(new ExecutionFailedError(this.name, failure, { cause: thrown }), input);
    } catch (callbackError) {
      // A reporting callback must never turn a reported failure into a thrown one.
      console.error(`[stepfunctions] onExecutionFailed threw: ${String(callbackError)}`);
    }
  }
}

/**
 * An event bus rule target starting one execution per event, with the whole EventBridge envelope as input, as
 * the Step Functions target does. A FAILED or TIMED_OUT execution is reported through `onExecutionFailed`, not
 * thrown: EventBridge's job ended when the execution started, so it would not retry. Only an execution that could
 * not start rejects (and the bus retries it, as EventBridge retries a failed StartExecution). The promise settles
 * when the execution ends, so a bus waiting for idle also waits for the workflows it started.
 */
export function asEventTarget(machine: LocalStateMachine): (event: EventBridgeEvent<string, unknown>) => Promise<void> {
  return async (event) => {
    await machine.startSyncExecution(event);
  };
}

function validate(name: string, definition: JsonObject): void {
  try {
    new StateMachine(asAsl(definition), {
      validationOptions: { checkPaths: true, checkArn: true },
    });
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new StateMachineDefinitionError(`State machine ${name}: ${detail}`, { cause });
  }
}

/** Only a type assertion: the library's own validator is what checks the shape. */
function asAsl(definition: JsonObject): StateMachineDefinition {
  return definition as unknown as StateMachineDefinition;
}

function encodeInput(input: unknown): string {
  let json: string | undefined;
  try {
    // StartExecution's input defaults to "{}".
    json = input === undefined ? '{}' : JSON.stringify(input);
  } catch (cause) {
    throw new InvalidExecutionInputError('Execution input is not serializable to JSON', { cause });
  }
  if (json === undefined) throw new InvalidExecutionInputError(`Execution input of type ${typeof input} is not JSON`);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new InvalidExecutionInputError(`Execution input is ${bytes} bytes; the maximum is ${MAX_PAYLOAD_BYTES}`);
  }
  return json;
}

/** Reads the interpreter's rejection the way StartSyncExecution reports the execution's end. */
function failureOf(error: unknown): Pick<SyncExecutionResult, 'status' | 'error' | 'cause'> {
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution exceeded its TimeoutSeconds' };
  }
  // ExecutionError wraps the state's error: its name is the Step Functions error name, its message the Cause.
  const stateError = error instanceof ExecutionError ? error.cause : error;
  if (stateError instanceof Error) {
    return { status: 'FAILED', error: stateError.name, cause: stateError.message };
  }
  return { status: 'FAILED', error: 'States.Runtime', cause: String(stateError) };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
