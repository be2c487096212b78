// What every service stack shares: deployable alone once the platform stack exists, it finds the shared
// resources by name or SSM parameter (never a cross-stack reference) and builds its functions one way.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ServiceFunction, type ServiceFunctionProps } from '../constructs/service-function.ts';
import type { FunctionSpec } from '../functions.ts';

export interface ServiceStackProps extends StackProps {
  logRetention?: RetentionDays;
  /** Powertools log level of the functions (LOG_LEVEL). */
  logLevel?: string;
}

export abstract class ServiceStack extends Stack {
  readonly functions: ServiceFunction[] = [];

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

  /** The function this stack built for `spec` (rules and routes name their target by spec). */
  functionFor(spec: FunctionSpec): ServiceFunction {
    const fn = this.functions.find((f) => f.spec.name === spec.name);
    if (!fn) throw new Error(`${this.stackName} does not deploy ${spec.name}`);
    return fn;
  }
}
