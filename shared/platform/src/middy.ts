// Wraps a Lambda handler with the Powertools middlewares, the same way for every function.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Observability } from './observability.ts';

export function withObservability<E, R>(
  fn: (event: E, context: Context) => Promise<R>,
  { logger, metrics, tracer }: Observability,
) {
  const handler = middy(fn)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }));
  // With metrics off (locally, by default) there is nothing to flush, and Powertools would warn on every call.
  return metricsEnabled() ? handler.use(logMetrics(metrics)) : handler;
}

function metricsEnabled(): boolean {
  return (process.env.POWERTOOLS_METRICS_DISABLED ?? 'false').toLowerCase() !== 'true';
}
