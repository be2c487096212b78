// One service handler as a Lambda function: bundled from its TypeScript entry with the root esbuild (no
// Docker), ESM on Node.js 24 / arm64, X-Ray active, its own log group with retention and its own role that
// starts with nothing but writing to that log group; the service stack grants the rest statement by statement.

import { join } from 'node:path';
import { EVENT_BUS_NAME } from '@llt/events';
import {
  AUDIO_STREAM_NAME,
  CAPTIONS_TABLE,
  CONNECTIONS_TABLE,
  NAMESPACE,
  RESOURCE_ENV,
  SESSIONS_TABLE,
  TRANSCRIPTS_TABLE,
} from '@llt/platform';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AWS_ENGINES, AWS_LANGUAGES_ENV, LAMBDA_RUNTIME, REPO_ROOT } from '../config.ts';
import { entryOf, type FunctionSpec } from '../functions.ts';
import { acknowledge, resourceFinding } from '../nag.ts';
import { Stage } from '../stage.ts';

const LOCAL_ENGINE_STUB = join(REPO_ROOT, 'infra', 'src', 'bundling', 'local-engine-stub.ts');

/**
 * How every handler is bundled. ESM because Powertools and middy use top-level await; the banner gives the
 * CommonJS modules inside the bundle a `require`. The AWS SDK is bundled (pinned versions, one cold-start read).
 * Local-only engines: koffi and wasm-media-encoders are imported statically by the local adapters, and an ESM
 * bundle would hoist an external import and fail to load on Lambda, so they are aliased to a stub that throws if
 * ever called; the other two are only reached through dynamic imports and stay external.
 */
export const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  minify: true,
  sourceMap: false,
  forceDockerBundling: false,
  externalModules: ['@echogarden/espeak-ng-emscripten', 'tsx'],
  esbuildArgs: {
    '--alias:koffi': LOCAL_ENGINE_STUB,
    '--alias:wasm-media-encoders': LOCAL_ENGINE_STUB,
    '--log-level': 'error',
  },
};

/**
 * Environment every function gets: the AWS engines, the languages they cover, Powertools, and the shared
 * resources whose names are fixed per stage (tables, stream, bus). Values only known at deploy time (bucket,
 * WebSocket endpoint, Cognito ids) are added by the stacks whose services read them.
 */
export function baseEnvironment(spec: FunctionSpec, logLevel: string, stage: Stage): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: spec.service,
    POWERTOOLS_METRICS_NAMESPACE: NAMESPACE,
    LOG_LEVEL: logLevel,
    ...AWS_ENGINES,
    LLT_LANGUAGES: AWS_LANGUAGES_ENV,
    [RESOURCE_ENV.sessionsTable]: stage.resource(SESSIONS_TABLE.name),
    [RESOURCE_ENV.connectionsTable]: stage.resource(CONNECTIONS_TABLE.name),
    [RESOURCE_ENV.transcriptsTable]: stage.resource(TRANSCRIPTS_TABLE.name),
    [RESOURCE_ENV.captionsTable]: stage.resource(CAPTIONS_TABLE.name),
    [RESOURCE_ENV.audioStream]: stage.resource(AUDIO_STREAM_NAME),
    [RESOURCE_ENV.eventBus]: stage.resource(EVENT_BUS_NAME),
  };
}

export interface ServiceFunctionProps {
  spec: FunctionSpec;
  description: string;
  /** Added to (and overriding) the base environment. */
  environment?: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  logRetention?: RetentionDays;
  logLevel?: string;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly spec: FunctionSpec;
  /** The deployed name: the product's function name in the app's stage. */
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { spec } = props;
    this.spec = spec;
    const stage = Stage.of(this);
    this.functionName = stage.resource(spec.name);
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${this.functionName}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Logs are operational; the function's own data lives in the platform stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: logs to this function's log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${this.functionName}: ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      functionName: this.functionName,
      description: props.description,
      entry: entryOf(spec),
      handler: spec.handler,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: { ...baseEnvironment(spec, props.logLevel ?? 'INFO', stage), ...props.environment },
      bundling: BUNDLING,
    });
    acknowledge(this.role, {
      id: 'AwsSolutions-IAM5',
      findings: ['Resource::*'],
      reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) have no resource-level permissions.',
    });
  }

  /** Grants exactly these statements (each names its resources). */
  allow(...statements: PolicyStatement[]): this {
    for (const statement of statements) this.role.addToPrincipalPolicy(statement);
    return this;
  }

  /**
   * Grants a statement whose resources end in a wildcard (object keys, connection ids only known at run time),
   * with the reason recorded as the acknowledgement of each wildcard finding.
   */
  allowWildcard(statement: PolicyStatement, reason: string): this {
    this.role.addToPrincipalPolicy(statement);
    const findings = statement.resources.filter((r) => r.includes('*')).map((r) => resourceFinding(this, r));
    acknowledge(this.role, { id: 'AwsSolutions-IAM5', findings, reason });
    return this;
  }

  /**
   * Grants actions of an AWS API that has no resource-level permissions (Transcribe streaming, Translate,
   * Polly), with the reason recorded as the acknowledgement.
   */
  allowOnAnyResource(actions: string[], reason: string): this {
    return this.allowWildcard(new PolicyStatement({ actions, resources: ['*'] }), reason);
  }
}
