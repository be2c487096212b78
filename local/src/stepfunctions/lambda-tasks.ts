// Binds Task states to local Lambda handlers, reproducing what the Lambda integrations return and raise on AWS.
import { randomUUID } from 'node:crypto';
import { types } from 'node:util';
import type { RunOptions, StateMachine } from 'aws-local-stepfunctions';
import {
  allStates,
  isJsonObject,
  type JsonObject,
  StateMachineDefinitionError,
  type StateVisit,
} from './definition.ts';

/** A local stand-in for a Lambda function: receives the event, resolves with the function's result. */
export type TaskFunction = (input: unknown) => Promise<unknown>;

/** JSON as the interpreter types it (the package does not export the name). */
export type JsonValue = Parameters<StateMachine['run']>[0];

/** `overrides.taskResourceLocalHandlers`: keyed by Task state name, as the interpreter looks them up. */
export type LocalTaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/** Step Functions' payload quota for a state's input, output and a connector's result. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** How a Task state calls its function, and which one. */
export interface TaskBinding {
  stateName: string;
  /** `lambda:invoke` is the optimized integration (result wrapped in an envelope); `lambda` a bare function ARN. */
  integration: 'lambda:invoke' | 'lambda';
  /** The function called, or undefined when the state picks it at run time with `FunctionName.$`. */
  functionName: string | undefined;
}

/** Task states name functions that were not given a local handler. */
export class MissingTaskHandlerError extends StateMachineDefinitionError {
  override readonly name = 'MissingTaskHandlerError';
  readonly missing: readonly { stateName: string; functionName: string }[];

  constructor(missing: readonly { stateName: string; functionName: string }[], available: readonly string[]) {
    super(
      `No local handler for ${missing.map((m) => `${m.functionName} (Task ${m.stateName})`).join(', ')}; ` +
        `handlers exist for: ${available.length > 0 ? available.join(', ') : 'none'}`,
    );
    this.missing = missing;
  }
}

/**
 * A failed invocation as Step Functions reports it: `name` is the error name Retry and Catch match against
 * (the function's error type), `message` is the Cause string.
 */
export class LambdaFunctionError extends Error {
  override readonly name: string;

  constructor(errorName: string, cause: string, options?: ErrorOptions) {
    super(cause, options);
    this.name = errorName;
  }
}

/** A result over the payload quota. Terminal on AWS: neither States.ALL nor a retrier may handle it. */
export class DataLimitExceededError extends Error {
  override readonly name = 'States.DataLimitExceeded';

  // The interpreter reads these two getters to decide whether Retry and Catch may apply.
  get isRetryable(): boolean {
    return false;
  }

  get isCatchable(): boolean {
    return false;
  }
}

const INVOKE_RESOURCE = /^arn:aws[a-z-]*:states:::lambda:invoke(\.[A-Za-z]+)?$/;
const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]*:\d*:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9_$-]+)?$/;
const PARTIAL_ARN = /^\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9_$-]+)?$/;
const PLAIN_NAME = /^([A-Za-z0-9_-]+)(?::[A-Za-z0-9_$-]+)?$/;

/** The function name in any form Lambda accepts: name, name:qualifier, full or partial ARN (qualifier ignored). */
export function functionNameOf(reference: string): string | undefined {
  return (FUNCTION_ARN.exec(reference) ?? PARTIAL_ARN.exec(reference) ?? PLAIN_NAME.exec(reference))?.[1];
}

function bindingOf({ name, state, path }: StateVisit): TaskBinding {
  const resource = state.Resource;
  if (typeof resource !== 'string') throw new StateMachineDefinitionError(`${path}: Resource must be a string`);
  const invoke = INVOKE_RESOURCE.exec(resource);
  if (invoke) {
    if (invoke[1] !== undefined) {
      throw new StateMachineDefinitionError(
        `${path}: ${resource} is not supported locally; only request-response lambda:invoke is`,
      );
    }
    const parameters = state.Parameters;
    if (!isJsonObject(parameters)) {
      throw new StateMachineDefinitionError(`${path}: lambda:invoke needs Parameters with a FunctionName`);
    }
    const invocationType = parameters.InvocationType;
    if ('InvocationType.$' in parameters || (invocationType !== undefined && invocationType !== 'RequestResponse')) {
      throw new StateMachineDefinitionError(`${path}: only InvocationType RequestResponse is supported locally`);
    }
    if (typeof parameters['FunctionName.$'] === 'string') {
      return { stateName: name, integration: 'lambda:invoke', functionName: undefined };
    }
    const reference = parameters.FunctionName;
    const functionName = typeof reference === 'string' ? functionNameOf(reference) : undefined;
    if (functionName === undefined) {
      throw new StateMachineDefinitionError(`${path}: FunctionName ${JSON.stringify(reference)} names no function`);
    }
    return { stateName: name, integration: 'lambda:invoke', functionName };
  }
  const direct = FUNCTION_ARN.exec(resource)?.[1];
  if (direct === undefined) {
    throw new StateMachineDefinitionError(
      `${path}: Resource ${resource} is not supported locally; use arn:aws:states:::lambda:invoke or a Lambda function ARN`,
    );
  }
  return { stateName: name, integration: 'lambda', functionName: direct };
}

/** Every Task state's binding; throws when one cannot run locally or names a function without a handler. */
export function bindTasks(definition: JsonObject, tasks: ReadonlyMap<string, TaskFunction>): TaskBinding[] {
  const bindings = [...allStates(definition)].filter((visit) => visit.state.Type === 'Task').map(bindingOf);
  const missing = bindings
    .filter((b): b is TaskBinding & { functionName: string } => b.functionName !== undefined)
    .filter((b) => !tasks.has(b.functionName))
    .map(({ stateName, functionName }) => ({ stateName, functionName }));
  if (missing.length > 0) throw new MissingTaskHandlerError(missing, [...tasks.keys()]);
  return bindings;
}

/** The interpreter's handler table for the given bindings. */
export function localTaskHandlers(
  bindings: readonly TaskBinding[],
  tasks: ReadonlyMap<string, TaskFunction>,
): LocalTaskHandlers {
  // Null prototype: state names such as "constructor" must not resolve to inherited members.
  const handlers: LocalTaskHandlers = Object.create(null);
  for (const binding of bindings) {
    const { functionName } = binding;
    if (binding.integration === 'lambda' && functionName !== undefined) {
      // A bare function ARN: the state's effective input is the event, the function's result is the task result.
      handlers[binding.stateName] = (input) => invokeLocal(tasks, functionName, input);
      continue;
    }
    handlers[binding.stateName] = async (input) => {
      // The interpreter hands over the evaluated Parameters: { FunctionName, Payload, ... }.
      const parameters = isJsonObject(input) ? input : {};
      const name = functionName ?? dynamicFunctionName(parameters.FunctionName);
      // Lambda invokes a function with `{}` when the request carries no payload.
      const payload = 'Payload' in parameters ? parameters.Payload : {};
      return invokeEnvelope(await invokeLocal(tasks, name, payload));
    };
  }
  return handlers;
}

function dynamicFunctionName(reference: unknown): string {
  const name = typeof reference === 'string' ? functionNameOf(reference) : undefined;
  if (name === undefined) {
    throw new LambdaFunctionError(
      'Lambda.AWSLambdaException',
      `Invalid FunctionName ${JSON.stringify(reference)} (Service: AWSLambda; Status Code: 400)`,
    );
  }
  return name;
}

async function invokeLocal(
  tasks: ReadonlyMap<string, TaskFunction>,
  functionName: string,
  payload: unknown,
): Promise<JsonValue> {
  const task = tasks.get(functionName);
  if (task === undefined) {
    throw new LambdaFunctionError(
      'Lambda.ResourceNotFoundException',
      `Function not found: ${functionName} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException)`,
    );
  }
  let body: string;
  try {
    // Lambda hands the function a deserialized copy, so a handler mutating its event cannot touch the execution.
    const result = await task(JSON.parse(JSON.stringify(payload ?? null)));
    body = JSON.stringify(result) ?? 'null';
  } catch (error) {
    throw lambdaErrorFrom(error);
  }
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new DataLimitExceededError(
      `The state/task returned a result with a size exceeding the maximum number of bytes service limit ` +
        `(${bytes} > ${MAX_PAYLOAD_BYTES}; function ${functionName})`,
    );
  }
  return JSON.parse(body);
}

/**
 * Maps whatever a handler threw to the error Step Functions raises: the name is the error type the Node.js
 * Lambda runtime reports (`error.name`, or `typeof` for non-errors) and the Cause is that runtime's JSON report.
 */
export function lambdaErrorFrom(error: unknown): LambdaFunctionError {
  const report = isErrorLike(error)
    ? { errorType: error.name || 'Error', errorMessage: error.message, trace: (error.stack ?? '').split('\n') }
    : { errorType: typeof error, errorMessage: String(error), trace: [] };
  return new LambdaFunctionError(report.errorType, JSON.stringify(report), { cause: error });
}

function isErrorLike(value: unknown): value is Error {
  if (types.isNativeError(value)) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** The `lambda:invoke` integration's result: the SDK's Invoke response around the function's payload. */
export function invokeEnvelope(payload: JsonValue): JsonValue {
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    Connection: 'keep-alive',
    'Content-Length': String(Buffer.byteLength(JSON.stringify(payload), 'utf8')),
    'Content-Type': 'application/json',
    Date: new Date().toUTCString(),
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-Remapped-Content-Length': '0',
    'x-amzn-RequestId': requestId,
  };
  const allHeaders = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]]));
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: { AllHttpHeaders: allHeaders, HttpHeaders: headers, HttpStatusCode: 200 },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}
