// Wraps a Lambda handler with the Powertools middlewares, the same way for every function.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { type Observability, tracingEnabled } from './observability.ts';
import { traceKeysOf } from './trace-keys.ts';

const tracerMiddleware = tracingEnabled() ? await import('@aws-lambda-powertools/tracer/middleware') : undefined;

export function withObservability<E, R>(
  fn: (event: E, context: Context) => Promise<R>,
  { logger, metrics, tracer }: Observability,
) {
  const handler = middy(fn);
  if (tracer && tracerMiddleware) {
    handler.use(tracerMiddleware.captureLambdaHandler(tracer, { captureResponse: false }));
    // On the handler's subsegment (opened by the middleware above): the session and segment the invocation is for.
    handler.use({
      before: (request) => {
        for (const [key, value] of Object.entries(traceKeysOf(request.event))) tracer.putAnnotation(key, value);
      },
    });
  }
  handler.use(injectLambdaContext(logger, { resetKeys: true }));
  // With metrics off (locally, by default) there is nothing to flush, and Powertools would warn on every call.
  return metricsEnabled() ? handler.use(logMetrics(metrics)) : handler;
}

function metricsEnabled(): boolean {
  return (process.env.POWERTOOLS_METRICS_DISABLED ?? 'false').toLowerCase() !== 'true';
}
