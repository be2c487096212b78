// Powertools logger, metrics and tracer for one service, created once per service and imported by its handlers.
// Quiet locally: logs at WARN unless LOG_LEVEL says otherwise, metrics off unless enabled, tracer off outside Lambda.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { stats } from './stats.ts';

/** X-Ray tracing runs on Lambda only (as Powertools decides), unless POWERTOOLS_TRACE_ENABLED=false. */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.AWS_EXECUTION_ENV && (env.POWERTOOLS_TRACE_ENABLED ?? 'true').toLowerCase() !== 'false';
}

// Loading the tracer loads the X-Ray SDK, whose continuation-local storage hooks every promise (measured:
// awaits 10x slower). Where tracing is off it is never loaded, so the local runtime runs at full speed.
const tracerModule = tracingEnabled() ? await import('@aws-lambda-powertools/tracer') : undefined;

export const NAMESPACE = 'LowLatencyTranslate';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  /** Present only where tracing is enabled. */
  tracer: Tracer | undefined;
  /** Wraps an AWS SDK client so its calls appear as X-Ray subsegments (unchanged where tracing is off). */
  captureClient<T>(client: T): T;
  /** Records a latency figure in milliseconds both as a Powertools metric and in the in-process stats. */
  latency(name: string, ms: number): void;
  /** Counts an occurrence both as a Powertools metric and in the in-process stats. */
  count(name: string, by?: number, dimension?: { name: string; value: string }): void;
}

export function createObservability(serviceName: string): Observability {
  const logger = new Logger({ serviceName, logLevel: (process.env.LOG_LEVEL as 'WARN' | undefined) ?? 'WARN' });
  const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? NAMESPACE });
  const tracer = tracerModule ? new tracerModule.Tracer({ serviceName }) : undefined;
  return {
    logger,
    metrics,
    tracer,
    captureClient: (client) => (tracer ? tracer.captureAWSv3Client(client) : client),
    latency(name, ms) {
      metrics.addMetric(name, MetricUnit.Milliseconds, ms);
      stats.histogram(`${serviceName}.${name}`).record(ms);
    },
    count(name, by = 1, dimension) {
      if (dimension) {
        const single = metrics.singleMetric();
        single.addDimension(dimension.name, dimension.value);
        single.addMetric(name, MetricUnit.Count, by);
        stats.increment(`${serviceName}.${name}.${dimension.value}`, by);
      } else {
        metrics.addMetric(name, MetricUnit.Count, by);
      }
      stats.increment(`${serviceName}.${name}`, by);
    },
  };
}
