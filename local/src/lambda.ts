// Invoking handlers the way Lambda does: one event, a Context object, errors surfaced to the caller.
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export type LambdaHandler<E = unknown, R = unknown> = (event: E, context: Context) => Promise<R>;

export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function invoke<E, R>(functionName: string, handler: LambdaHandler<E, R>, event: E): Promise<R> {
  return handler(event, lambdaContext(functionName));
}
