// Transcribe: the audio stream's consumer, as long-running stream workers on ECS Fargate rather than a Lambda event
// source mapping (services/transcribe/README.md says why). Each worker holds shard leases in its lease table, keeps
// every session's Amazon Transcribe stream for the session's life, and reads its shards as the stream's registered
// consumer (enhanced fan-out: SubscribeToShard pushes each record ~70 ms after the put). The image is
// built from services/transcribe/Dockerfile; the tasks run in public subnets of their own VPC (no NAT gateway).
// Beside them, the events function turns each session glossary into an Amazon Transcribe custom vocabulary (a table
// file under the audio bucket's vocabularies/ prefix) and deletes a session's vocabularies when they are superseded
// or the session ends; the workers look vocabularies up (GetVocabulary) and name the READY one in their requests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_BUS_NAME } from '@llt/events';
import {
  AUDIO_STREAM_CONSUMER_NAME,
  AUDIO_STREAM_NAME,
  NAMESPACE,
  RESOURCE_ENV,
  SESSIONS_TABLE,
  SHARD_LEASES_TABLE,
  type TableDefinition,
  TRANSCRIPTS_TABLE,
  VOCABULARY_FILES,
} from '@llt/platform';
import { TRANSCRIBE_RULES } from '@llt/transcribe/rules';
import { Duration, IgnoreMode, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  IpAddresses,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  AwsLogDriver,
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnStreamConsumer } from 'aws-cdk-lib/aws-kinesis';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  AWS_ENGINES,
  AWS_LANGUAGES_ENV,
  FAILURE_QUEUES,
  PARAMETERS,
  REPO_ROOT,
  TRANSCRIBE_WORKERS,
} from '../config.ts';
import { addRules } from '../constructs/event-rules.ts';
import { FUNCTIONS, ruleTarget } from '../functions.ts';
import { acknowledge, resourceFinding } from '../nag.ts';
import { audioStreamArn, dynamoStatement, platformParameter, putEventsStatement } from '../platform-refs.ts';
import { stableLogicalId } from '../stable-id.ts';
import { Stage } from '../stage.ts';
import { ServiceStack, type ServiceStackProps } from './service-stack.ts';

/** The worker's Dockerfile, relative to the repository root (the image's build context). */
export const WORKER_DOCKERFILE = 'services/transcribe/Dockerfile';

/**
 * What the image's build context holds: the root manifest and lock file, every workspace's package.json (npm ci
 * checks the lock file against all of them), and the sources the worker is bundled from. Everything else — above
 * all node_modules — is left out, so synthesizing stages a few hundred kilobytes.
 */
export function workerImageContext(): string[] {
  const workspaces = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] })
    .workspaces;
  return [
    'package.json',
    'package-lock.json',
    '.npmrc',
    ...workspaces.map((w) => `${w}/package.json`),
    'shared/events/src',
    'shared/platform/src',
    'services/transcribe/src',
    'infra/src/bundling',
    WORKER_DOCKERFILE,
  ];
}

export interface TranscribeStackProps extends ServiceStackProps {
  /** Workers running at all times; default 2 (one may be replaced or fail while the other reads every shard). */
  desiredCount?: number;
  /** Upper bound of CPU-driven scale-out; default 8 (a worker beyond the number of shards holds no lease). */
  maxCount?: number;
}

export class TranscribeStack extends ServiceStack {
  readonly leases: Table;
  readonly vpc: Vpc;
  readonly cluster: Cluster;
  readonly taskDefinition: FargateTaskDefinition;
  readonly service: FargateService;

  constructor(scope: Construct, id: string, props: TranscribeStackProps = {}) {
    super(scope, id, props);
    const stage = Stage.of(this);

    // Leases, heartbeats and checkpoints: worth keeping only while the workers run (losing the table makes the
    // next workers start at each shard's latest record), so in dev the table goes with the stack; prod keeps it.
    this.leases = stableLogicalId(
      new Table(this, 'ShardLeasesTable', {
        tableName: stage.resource(SHARD_LEASES_TABLE.name),
        partitionKey: { name: SHARD_LEASES_TABLE.partitionKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: SHARD_LEASES_TABLE.ttlAttribute,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: TableEncryption.AWS_MANAGED,
        removalPolicy: stage.dataRemovalPolicy,
      }),
      'ShardLeasesTable',
    );

    // Public subnets in two zones and no NAT gateway: the tasks only call AWS APIs (Kinesis, DynamoDB, EventBridge,
    // Transcribe streaming, ECR, CloudWatch Logs), reach them through the internet gateway with a public IP, and
    // accept no inbound connection. A NAT gateway would cost more than the two tasks. DynamoDB goes through a free
    // gateway endpoint.
    this.vpc = new Vpc(this, 'Vpc', {
      ipAddresses: IpAddresses.cidr('10.42.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'workers', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
      gatewayEndpoints: { DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB } },
    });
    const flowLogs = new LogGroup(this, 'VpcFlowLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('RejectedTraffic', {
      destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: FlowLogTrafficType.REJECT,
    });
    const securityGroup = new SecurityGroup(this, 'WorkerSecurityGroup', {
      vpc: this.vpc,
      description: 'Transcription workers: no inbound traffic; HTTPS out to AWS APIs only',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs over HTTPS');

    this.cluster = new Cluster(this, 'Cluster', {
      clusterName: stage.resource(TRANSCRIBE_WORKERS.cluster),
      vpc: this.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });

    this.taskDefinition = new FargateTaskDefinition(this, 'WorkerTask', {
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    const logGroup = new LogGroup(this, 'WorkerLogs', {
      logGroupName: `/ecs/${stage.resource(TRANSCRIBE_WORKERS.service)}`,
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The workers' consumer of the audio stream: records pushed to it, with read throughput of its own.
    const consumer = new CfnStreamConsumer(this, 'AudioStreamConsumer', {
      streamArn: audioStreamArn(this),
      consumerName: stage.resource(AUDIO_STREAM_CONSUMER_NAME),
    });
    this.taskDefinition.addContainer('worker', {
      image: ContainerImage.fromAsset(REPO_ROOT, {
        file: WORKER_DOCKERFILE,
        platform: Platform.LINUX_ARM64,
        ignoreMode: IgnoreMode.DOCKER,
        exclude: ['*', ...workerImageContext().map((path) => `!${path}`)],
      }),
      logging: new AwsLogDriver({ logGroup, streamPrefix: 'worker' }),
      environment: {
        ...workerEnvironment(props.logLevel ?? 'INFO', stage, streamQuotaFromContext(this)),
        [RESOURCE_ENV.audioStreamConsumer]: consumer.attrConsumerArn,
      },
      readonlyRootFilesystem: true,
      // SIGTERM, then this long to end the utterances in progress and free the leases before SIGKILL.
      stopTimeout: Duration.seconds(30),
    });
    const role = this.taskDefinition.taskRole;
    for (const statement of [
      new PolicyStatement({
        actions: [
          'kinesis:DescribeStreamSummary',
          'kinesis:ListShards',
          'kinesis:GetShardIterator',
          'kinesis:GetRecords',
        ],
        resources: [audioStreamArn(this)],
      }),
      new PolicyStatement({
        actions: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
        resources: [consumer.attrConsumerArn],
      }),
      new PolicyStatement({
        actions: ['dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [this.leases.tableArn],
      }),
      dynamoStatement(this, TRANSCRIPTS_TABLE, ['PutItem']),
      // Each session's source language, read once when its first frame arrives; PutItem: the worker's capacity
      // report (ingest admits sessions against it).
      dynamoStatement(this, SESSIONS_TABLE, ['GetItem', 'PutItem']),
      putEventsStatement(this),
      new PolicyStatement({ actions: ['transcribe:StartStreamTranscription'], resources: ['*'] }),
      // Whether a session's custom vocabulary is READY before a request names it.
      new PolicyStatement({ actions: ['transcribe:GetVocabulary'], resources: [sessionVocabularies(this)] }),
    ]) {
      role.addToPrincipalPolicy(statement);
    }
    acknowledge(role, {
      id: 'AwsSolutions-IAM5',
      findings: ['Resource::*'],
      reason:
        'transcribe:StartStreamTranscription has no resource-level permissions (Amazon Transcribe streaming); it is the only action on "*".',
    });
    acknowledge(role, {
      id: 'AwsSolutions-IAM5',
      findings: [resourceFinding(this, sessionVocabularies(this))],
      reason:
        'Session vocabularies are named llt-{sessionId}-v{version} at run time; GetVocabulary only, on those names.',
    });
    acknowledge(this.taskDefinition, {
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds configuration only (engine names, table, stream and bus names, lease timings); the task has no secrets, it authenticates with its task role.',
    });
    acknowledge(this.taskDefinition.obtainExecutionRole(), {
      id: 'AwsSolutions-IAM5',
      findings: ['Resource::*'],
      reason:
        'ecr:GetAuthorizationToken, which the execution role needs to pull the worker image, has no resource-level permissions.',
    });

    this.service = new FargateService(this, 'WorkerService', {
      serviceName: stage.resource(TRANSCRIBE_WORKERS.service),
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: props.desiredCount ?? 2,
      assignPublicIp: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      securityGroups: [securityGroup],
      // A deployment starts the new tasks before stopping the old ones; each stop hands its shards on (SIGTERM).
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
    });
    this.addVocabularyFunction();

    // CPU follows the number of live sessions (each one's audio is sent to Transcribe and its results parsed);
    // more workers share the shards by the lease balance rule, fewer take over the leases of the ones removed.
    this.service
      .autoScaleTaskCount({ minCapacity: props.desiredCount ?? 2, maxCapacity: props.maxCount ?? 8 })
      .scaleOnCpuUtilization('Cpu', {
        targetUtilizationPercent: 60,
        scaleOutCooldown: Duration.minutes(1),
        scaleInCooldown: Duration.minutes(10),
      });
  }

  /**
   * The events function: GlossaryChanged and SessionEnded from the bus. IAM per the Service Authorization Reference
   * for Amazon Transcribe (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazontranscribe.html):
   * CreateVocabulary and DeleteVocabulary take the vocabulary resource, ListVocabularies none; CreateVocabulary with
   * a VocabularyFileUri and no DataAccessRoleArn reads the file with the caller's s3:GetObject.
   */
  private addVocabularyFunction(): void {
    const bucketName = platformParameter(this, PARAMETERS.audioBucketName);
    const vocabularyFiles = `arn:${Stack.of(this).partition}:s3:::${bucketName}/${VOCABULARY_FILES.prefix}*`;
    this.addFunction('EventsFunction', {
      spec: FUNCTIONS.transcribeEvents,
      description:
        'EventBridge: session glossaries as Amazon Transcribe custom vocabularies (create, supersede, delete)',
      // Several AWS calls per event (list, put the table, create, deletes), each a few hundred ms at worst.
      timeout: Duration.seconds(30),
      memorySize: 256,
      environment: { [RESOURCE_ENV.audioBucket]: bucketName },
    })
      .allow(dynamoStatement(this, SESSIONS_TABLE, ['GetItem']))
      .allowWildcard(
        new PolicyStatement({
          actions: ['transcribe:CreateVocabulary', 'transcribe:DeleteVocabulary'],
          resources: [sessionVocabularies(this)],
        }),
        'Session vocabularies are named llt-{sessionId}-v{version} at run time; only those names.',
      )
      .allowWildcard(
        new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [vocabularyFiles] }),
        `One vocabulary table per session glossary version under ${VOCABULARY_FILES.prefix} (keys made at run time); nothing else in the bucket. GetObject is how Transcribe reads the table on the caller's behalf.`,
      )
      .allowOnAnyResource(
        ['transcribe:ListVocabularies'],
        'transcribe:ListVocabularies has no resource-level permissions; it finds the vocabularies of one session by name.',
      );
    // A vocabulary still being built cannot be deleted: the event fails and is retried; an hour bounds the retries.
    addRules(this, TRANSCRIBE_RULES, (rule) =>
      this.ruleTarget(ruleTarget('transcribe', rule.handler), FAILURE_QUEUES.transcribe, Duration.hours(1)),
    );
  }
}

/** The custom vocabularies of sessions (`llt-{sessionId}-v{version}`) in the stack's account and region. */
function sessionVocabularies(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'transcribe', resource: 'vocabulary', resourceName: 'llt-*' });
}

/**
 * The worker's environment: the AWS engines, Powertools, the shared resources by their fixed names, and its own
 * settings. Tracing is off: X-Ray's SDK hangs segments on Lambda invocations, and a long-running loop has none.
 */
/** Amazon Transcribe's default quota of concurrent streams per account and region. */
export const DEFAULT_TRANSCRIBE_STREAM_QUOTA = 25;

export function workerEnvironment(
  logLevel: string,
  stage: Stage,
  streamQuota = DEFAULT_TRANSCRIBE_STREAM_QUOTA,
): Record<string, string> {
  const table = (definition: TableDefinition) => stage.resource(definition.name);
  return {
    POWERTOOLS_SERVICE_NAME: 'transcribe',
    POWERTOOLS_METRICS_NAMESPACE: NAMESPACE,
    POWERTOOLS_TRACE_ENABLED: 'false',
    LOG_LEVEL: logLevel,
    ...AWS_ENGINES,
    LLT_LANGUAGES: AWS_LANGUAGES_ENV,
    [RESOURCE_ENV.transcriptsTable]: table(TRANSCRIPTS_TABLE),
    [RESOURCE_ENV.sessionsTable]: table(SESSIONS_TABLE),
    [RESOURCE_ENV.shardLeasesTable]: table(SHARD_LEASES_TABLE),
    [RESOURCE_ENV.audioStream]: stage.resource(AUDIO_STREAM_NAME),
    [RESOURCE_ENV.eventBus]: stage.resource(EVENT_BUS_NAME),
    // Amazon Transcribe's quota of concurrent streams (25 by default per account and region; 5 in some): the most
    // sessions one worker transcribes, and what each worker reports as the deployment's capacity, which ingest
    // admits new sessions against. A raised quota: `-c transcribeStreamQuota=N`.
    LLT_ASR_MAX_SESSIONS: String(streamQuota),
    // Without a registered consumer (the stack always gives one) the worker polls. Kinesis allows five GetRecords a
    // second per shard, counted where they arrive: every 220 ms (200 would be throttled whenever one read reaches
    // Kinesis a little faster than the one five before it), about 110 ms from put to recogniser on average.
    LLT_TRANSCRIBE_POLL_MS: '220',
    LLT_TRANSCRIBE_LEASE_MS: '10000',
    LLT_TRANSCRIBE_RENEW_MS: '3000',
    LLT_TRANSCRIBE_INITIAL_POSITION: 'LATEST',
  };
}

/** `-c transcribeStreamQuota=N`: the account's raised quota of concurrent Transcribe streams. */
function streamQuotaFromContext(scope: Construct): number {
  const raw = scope.node.tryGetContext('transcribeStreamQuota') as string | number | undefined;
  if (raw === undefined) return DEFAULT_TRANSCRIBE_STREAM_QUOTA;
  const quota = Number(raw);
  if (!Number.isInteger(quota) || quota < 1)
    throw new Error(`transcribeStreamQuota must be a positive integer, got ${raw}`);
  return quota;
}
