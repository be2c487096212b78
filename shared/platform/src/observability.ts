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

/** The logging a service's core needs (structured: a message and extra keys). */
export interface ServiceLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** The metrics a service's core records. */
export interface ServiceMetrics {
  latency(name: string, ms: number): void;
  count(name: string, by?: number, dimension?: { name: string; value: string }): void;
}

export interface Observability extends ServiceMetrics {
  logger: Logger;
  metrics: Metrics;
  /** Present only where tracing is enabled. */
  tracer: Tracer | undefined;
  /** Wraps an AWS SDK client so its calls appear as X-Ray subsegments (unchanged where tracing is off). */
  captureClient<T>(client: T): T;
  /** The Powertools logger behind the core's ServiceLog port. */
  log: ServiceLog;
}

export function createObservability(serviceName: string): Observability {
  const logger = new Logger({ serviceName, logLevel: (process.env.LOG_LEVEL as 'WARN' | undefined) ?? 'WARN' });
  const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? NAMESPACE });
  const tracer = tracerModule ? new tracerModule.Tracer({ serviceName }) : undefined;
  return {
    logger,
    log: {
      info: (message, extra = {}) => logger.info(message, extra),
      warn: (message, extra = {}) => logger.warn(message, extra),
      error: (message, extra = {}) => logger.error(message, extra),
    },
    metrics,
    tracer,
    captureClient: (client) => (tracer ? tracer.captureAWSv3Client(client) : client),
    // Both record a figure as a Powertools metric and in the in-process stats.
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
