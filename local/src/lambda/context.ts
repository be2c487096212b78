// The Context object Lambda hands a handler, and invoking a handler in this thread with one.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export type LambdaHandler<E = unknown, R = unknown> = (event: E, context: Context) => Promise<R>;

export interface ContextOptions {
  /** The invocation's request id (Lambda's `awsRequestId`); a new one when absent. */
  requestId?: string;
  /** The execution environment's log stream (one per environment on Lambda). */
  logStreamName?: string;
  memoryLimitInMB?: number;
}

export function lambdaContext(functionName: string, timeoutMs = 30_000, options: ContextOptions = {}): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId: options.requestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: options.logStreamName ?? 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Calls a handler in this thread (no execution environment of its own). */
export function invoke<E, R>(functionName: string, handler: LambdaHandler<E, R>, event: E): Promise<R> {
  return handler(event, lambdaContext(functionName));
}
