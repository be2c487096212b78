// What every service stack shares: deployable alone once the platform stack exists, it finds the shared
// resources by name or SSM parameter (never a cross-stack reference) and builds its functions one way.
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ServiceFunction, type ServiceFunctionProps } from '../constructs/service-function.ts';
import type { FunctionSpec } from '../functions.ts';
import { acknowledge } from '../nag.ts';
import { Stage } from '../stage.ts';

export interface ServiceStackProps extends StackProps {
  logRetention?: RetentionDays;
  /** Powertools log level of the functions (LOG_LEVEL). */
  logLevel?: string;
}

export abstract class ServiceStack extends Stack {
  readonly functions: ServiceFunction[] = [];
  private failureQueue: Queue | undefined;
  private readonly asyncConfigured = new Set<ServiceFunction>();

  constructor(
    scope: Construct,
    id: string,
    private readonly serviceProps: ServiceStackProps,
  ) {
    super(scope, id, serviceProps);
  }

  protected addFunction(id: string, props: Omit<ServiceFunctionProps, 'logRetention' | 'logLevel'>): ServiceFunction {
    const fn = new ServiceFunction(this, id, {
      ...props,
      ...(this.serviceProps.logRetention ? { logRetention: this.serviceProps.logRetention } : {}),
      ...(this.serviceProps.logLevel ? { logLevel: this.serviceProps.logLevel } : {}),
    });
    this.functions.push(fn);
    return fn;
  }

  /**
   * An EventBridge rule's target: the function, invoked asynchronously. Both retry policies are explicit: EventBridge
   * retries a delivery Lambda refused (throttling) `retryAttempts` times within `maxEventAge`; Lambda retries a
   * failed invocation once, and drops an event older than `maxEventAge` (its defaults are 2 retries within 6 hours,
   * far too late for live captions). What is given up lands in the stack's failure queue (`queueName`), not nowhere.
   */
  protected ruleTarget(spec: FunctionSpec, queueName: string, maxEventAge: Duration): LambdaFunction {
    const fn = this.functionFor(spec);
    const queue = this.failureQueueNamed(queueName);
    // One asynchronous invoke configuration per function, whatever the number of rules targeting it.
    if (!this.asyncConfigured.has(fn)) {
      fn.function.configureAsyncInvoke({ retryAttempts: 1, maxEventAge, onFailure: new SqsDestination(queue) });
      this.asyncConfigured.add(fn);
    }
    return new LambdaFunction(fn.function, { retryAttempts: 2, maxEventAge, deadLetterQueue: queue });
  }

  private failureQueueNamed(queueName: string): Queue {
    if (!this.failureQueue) {
      this.failureQueue = new Queue(this, 'UndeliveredEvents', {
        queueName: Stage.of(this).resource(queueName),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      acknowledge(this.failureQueue, {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself the dead-letter queue of the stack rule targets and the failure destination of its asynchronous invocations.',
      });
    }
    return this.failureQueue;
  }

  /** The function this stack built for `spec` (rules and routes name their target by spec). */
  functionFor(spec: FunctionSpec): ServiceFunction {
    const fn = this.functions.find((f) => f.spec.name === spec.name);
    if (!fn) throw new Error(`${this.stackName} does not deploy ${spec.name}`);
    return fn;
  }
}
