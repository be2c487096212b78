// The stateful, shared part of the product: event bus, audio stream, tables, audio bucket, the WebSocket and
// HTTP APIs (their routes belong to the services), the speakers' user pool, and the SSM parameters through which
// the service stacks find all of it. Every name carries the stage; data-holding resources keep fixed logical ids
// and are retained in prod.
import { EVENT_BUS_NAME, KEEPALIVE_ACTION } from '@llt/events';
import {
  AUDIO_BUCKET_NAME,
  AUDIO_OBJECTS,
  AUDIO_STREAM_NAME,
  CAPTIONS_TABLE,
  CONNECTIONS_TABLE,
  SESSIONS_TABLE,
  type TableDefinition,
  TRANSCRIPTS_TABLE,
  TRANSLATION_MEMO_TABLE,
  VOCABULARY_FILES,
} from '@llt/platform';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpStage,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketMockIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { PARAMETERS, WEBSOCKET_STAGE } from '../config.ts';
import { acknowledge, resourceFinding } from '../nag.ts';
import { stableLogicalId } from '../stable-id.ts';
import { Stage } from '../stage.ts';

export interface PlatformStackProps extends StackProps {
  /** Origins the HTTP API answers browsers from (CORS); the apps' own origin once they are hosted. */
  allowedOrigins?: string[];
  logRetention?: RetentionDays;
}

/** The tables and the logical id each keeps. */
export const TABLES: readonly { logicalId: string; definition: TableDefinition }[] = [
  { logicalId: 'SessionsTable', definition: SESSIONS_TABLE },
  { logicalId: 'ConnectionsTable', definition: CONNECTIONS_TABLE },
  { logicalId: 'TranscriptsTable', definition: TRANSCRIPTS_TABLE },
  { logicalId: 'CaptionsTable', definition: CAPTIONS_TABLE },
  { logicalId: 'TranslationMemoTable', definition: TRANSLATION_MEMO_TABLE },
];

/** A WebSocket route the platform owns: an API without routes cannot be deployed, and clients may ping. */
export const PLATFORM_PING_ROUTE = KEEPALIVE_ACTION;

export class PlatformStack extends Stack {
  readonly eventBus: EventBus;
  readonly audioStream: Stream;
  readonly tables: Table[];
  readonly audioBucket: Bucket;
  readonly webSocketApi: WebSocketApi;
  readonly webSocketStage: WebSocketStage;
  readonly httpApi: HttpApi;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: PlatformStackProps = {}) {
    super(scope, id, props);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const stage = Stage.of(this);
    // Data: kept in prod whatever happens to the stack; a dev stage can be deleted and deployed again.
    const dataRemovalPolicy = stage.dataRemovalPolicy;

    this.eventBus = stableLogicalId(
      new EventBus(this, 'EventBus', {
        eventBusName: stage.resource(EVENT_BUS_NAME),
        description: 'Low-latency translate: events between services (contracts in shared/events)',
      }),
      'EventBus',
    );

    this.audioStream = stableLogicalId(
      new Stream(this, 'AudioStream', {
        streamName: stage.resource(AUDIO_STREAM_NAME),
        // Sessions come and go; on-demand capacity follows them without shard management.
        streamMode: StreamMode.ON_DEMAND,
        encryption: StreamEncryption.MANAGED,
        retentionPeriod: Duration.hours(24),
        removalPolicy: dataRemovalPolicy,
      }),
      'AudioStream',
    );

    this.tables = TABLES.map(({ logicalId, definition }) =>
      stableLogicalId(
        new Table(this, logicalId, {
          tableName: stage.resource(definition.name),
          partitionKey: { name: definition.partitionKey, type: AttributeType.STRING },
          ...(definition.sortKey ? { sortKey: { name: definition.sortKey, type: AttributeType.STRING } } : {}),
          billingMode: BillingMode.PAY_PER_REQUEST,
          timeToLiveAttribute: definition.ttlAttribute,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          encryption: TableEncryption.AWS_MANAGED,
          deletionProtection: stage.isProd,
          removalPolicy: dataRemovalPolicy,
        }),
        logicalId,
      ),
    );

    const accessLogs = stableLogicalId(
      new Bucket(this, 'AccessLogsBucket', {
        encryption: BucketEncryption.S3_MANAGED,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforceSSL: true,
        lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(90) }],
        // CloudFormation cannot delete a bucket with objects in it, and access logs keep arriving: retained in every
        // stage (its name is generated from the stack's, so a new stack makes a new one).
        removalPolicy: RemovalPolicy.RETAIN,
      }),
      'AccessLogsBucket',
    );

    this.audioBucket = stableLogicalId(
      new Bucket(this, 'AudioBucket', {
        // Bucket names are global: the stage, account and region make the shared name unique.
        bucketName: `${stage.resource(AUDIO_BUCKET_NAME)}-${this.account}-${this.region}`,
        encryption: BucketEncryption.S3_MANAGED,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforceSSL: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: 'audio-bucket/',
        lifecycleRules: [
          {
            id: 'ExpireSynthesizedSpeech',
            prefix: AUDIO_OBJECTS.prefix,
            expiration: Duration.days(AUDIO_OBJECTS.retentionDays),
            abortIncompleteMultipartUploadAfter: Duration.days(1),
          },
          {
            // Transcribe reads a vocabulary table only while it builds the vocabulary (minutes).
            id: 'ExpireVocabularyTables',
            prefix: VOCABULARY_FILES.prefix,
            expiration: Duration.days(VOCABULARY_FILES.retentionDays),
          },
        ],
        // Listeners' browsers fetch the presigned URLs from the apps' origin and seek with Range requests.
        cors: [
          {
            allowedMethods: [HttpMethods.GET, HttpMethods.HEAD],
            allowedOrigins: ['*'],
            allowedHeaders: ['Range'],
            exposedHeaders: ['Accept-Ranges', 'Content-Length', 'Content-Range', 'Content-Type', 'ETag'],
            maxAge: 3600,
          },
        ],
        // Its objects expire after a day, so a dev stage's bucket is empty (and deletable) a day after its last use.
        removalPolicy: dataRemovalPolicy,
      }),
      'AudioBucket',
    );

    // WebSocket stage logging needs API Gateway's account-level CloudWatch role (one per account and region).
    const apiGatewayLogGroups = this.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*' });
    const apiGatewayLogsRole = new Role(this, 'ApiGatewayCloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway account setting: writes the APIs execution and access logs',
      inlinePolicies: {
        logs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: [
                'logs:CreateLogGroup',
                'logs:CreateLogStream',
                'logs:DescribeLogGroups',
                'logs:DescribeLogStreams',
                'logs:PutLogEvents',
                'logs:GetLogEvents',
                'logs:FilterLogEvents',
              ],
              resources: [apiGatewayLogGroups],
            }),
          ],
        }),
      },
    });
    acknowledge(apiGatewayLogsRole, {
      id: 'AwsSolutions-IAM5',
      findings: [resourceFinding(this, apiGatewayLogGroups)],
      reason:
        'The account-wide API Gateway logging role writes execution logs to groups API Gateway names per API and stage (API-Gateway-Execution-Logs_{api}/{stage}), unknown in advance; limited to this account and region.',
    });
    // The setting is one per account and region, so each stage's platform sets it to its own role and the last one
    // deployed wins. The role outlives its stack: deleting one stage must not leave the setting (and the other
    // stage's WebSocket logging) pointing at a deleted role.
    apiGatewayLogsRole.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const apiGatewayAccount = new CfnAccount(this, 'ApiGatewayAccount', {
      cloudWatchRoleArn: apiGatewayLogsRole.roleArn,
    });

    this.webSocketApi = stableLogicalId(
      new WebSocketApi(this, 'WebSocketApi', {
        apiName: stage.resource('llt-websocket'),
        description: 'Speakers stream audio in, listeners receive captions and audio URLs (routes: IngestStack)',
        routeSelectionExpression: '$request.body.action',
      }),
      'WebSocketApi',
    );
    // Keep-alive for clients ({"action":"ping"}): API Gateway never pings a client and closes a connection after
    // 10 minutes without a message from it; a mock integration answers without invoking anything or replying.
    // It also gives the API a route so its first deployment succeeds before the ingest stack adds its own.
    const ping = this.webSocketApi.addRoute(PLATFORM_PING_ROUTE, {
      integration: new WebSocketMockIntegration('PingIntegration', {
        requestTemplates: { $default: '{"statusCode": 200}' },
        templateSelectionExpression: '\\$default',
      }),
    });
    acknowledge(ping, {
      id: 'AwsSolutions-APIG4',
      reason:
        'WebSocket APIs authorize once, on $connect (ingest authorizer); a ping on an established connection carries no data.',
    });
    const webSocketLogs = new LogGroup(this, 'WebSocketAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.webSocketStage = new WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: this.webSocketApi,
      stageName: WEBSOCKET_STAGE,
      // Routes come from the ingest stack; every change to them deploys itself.
      autoDeploy: true,
      throttle: { rateLimit: 2000, burstLimit: 5000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(webSocketLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            connectionId: '$context.connectionId',
            routeKey: '$context.routeKey',
            eventType: '$context.eventType',
            status: '$context.status',
            error: '$context.error.message',
            authorizerError: '$context.authorizer.error',
            integrationLatency: '$context.integrationLatency',
            requestTime: '$context.requestTimeEpoch',
            ip: '$context.identity.sourceIp',
          }),
        ),
      },
    });
    this.webSocketStage.node.addDependency(apiGatewayAccount);

    this.httpApi = stableLogicalId(
      new HttpApi(this, 'HttpApi', {
        apiName: stage.resource('llt-http'),
        description: 'Sessions, join codes, languages (ingest) and caption history (notify)',
        createDefaultStage: false,
        corsPreflight: {
          allowOrigins: props.allowedOrigins ?? ['*'],
          allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
          allowHeaders: ['content-type', 'authorization'],
          maxAge: Duration.hours(1),
        },
      }),
      'HttpApi',
    );
    const httpLogs = new LogGroup(this, 'HttpAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new HttpStage(this, 'HttpStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      // A talk starting: hundreds of listeners join (join code + languages) within seconds.
      throttle: { rateLimit: 500, burstLimit: 1000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(httpLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            error: '$context.error.message',
            integrationError: '$context.integrationErrorMessage',
            latency: '$context.responseLatency',
            requestTime: '$context.requestTimeEpoch',
            ip: '$context.identity.sourceIp',
          }),
        ),
      },
    });

    this.userPool = stableLogicalId(
      new UserPool(this, 'SpeakerUserPool', {
        userPoolName: stage.resource('llt-speakers'),
        // Speakers are invited by an operator; listeners never sign in.
        selfSignUpEnabled: false,
        signInAliases: { email: true },
        autoVerify: { email: true },
        passwordPolicy: {
          minLength: 12,
          requireLowercase: true,
          requireUppercase: true,
          requireDigits: true,
          requireSymbols: true,
        },
        // A speaker may enrol an authenticator app (TOTP); the operator can require it by setting the pool's MFA to on.
        mfa: Mfa.OPTIONAL,
        mfaSecondFactor: { otp: true, sms: false },
        accountRecovery: AccountRecovery.EMAIL_ONLY,
        featurePlan: FeaturePlan.ESSENTIALS,
        deletionProtection: stage.isProd,
        removalPolicy: dataRemovalPolicy,
      }),
      'SpeakerUserPool',
    );
    acknowledge(
      this.userPool,
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection (Plus plan) is billed per active user; the pool holds a few operator-invited speakers with self sign-up off, a strong password policy and optional TOTP MFA.',
      },
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional, not required: speakers are invited by an operator (no self sign-up), passwords are 12+ characters of four classes, and each speaker may enrol TOTP; an operator who wants it for everyone sets the pool MFA to ON.',
      },
    );
    this.userPoolClient = this.userPool.addClient('SpeakerWebClient', {
      userPoolClientName: 'llt-speaker-web',
      // A browser app cannot keep a secret.
      generateSecret: false,
      authFlows: { userSrp: true },
      // The speaker app and `llt login` sign in through managed login: authorization code with PKCE.
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: speakerCallbackUrls(this),
      },
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    // Managed login, on a Cognito domain (`-c authDomainPrefix=…`, default llt-<stage>-speakers-<account>).
    this.userPool.addDomain('SpeakerLogin', {
      cognitoDomain: {
        domainPrefix:
          (this.node.tryGetContext('authDomainPrefix') as string | undefined) ??
          `${stage.resource('llt-speakers')}-${this.account}`,
      },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    new CfnManagedLoginBranding(this, 'SpeakerLoginBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.userPoolClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    const published: Record<keyof typeof PARAMETERS, string> = {
      websocketApiId: this.webSocketApi.apiId,
      websocketUrl: this.webSocketStage.url,
      websocketManagementEndpoint: this.webSocketStage.callbackUrl,
      httpApiId: this.httpApi.apiId,
      httpApiUrl: this.httpApi.apiEndpoint,
      audioBucketName: this.audioBucket.bucketName,
      userPoolId: this.userPool.userPoolId,
      userPoolClientId: this.userPoolClient.userPoolClientId,
      eventBusName: this.eventBus.eventBusName,
      audioStreamName: this.audioStream.streamName,
      sessionsTableName: stage.resource(SESSIONS_TABLE.name),
      connectionsTableName: stage.resource(CONNECTIONS_TABLE.name),
      transcriptsTableName: stage.resource(TRANSCRIPTS_TABLE.name),
      captionsTableName: stage.resource(CAPTIONS_TABLE.name),
      translationMemoTableName: stage.resource(TRANSLATION_MEMO_TABLE.name),
    };
    for (const [key, value] of Object.entries(published) as [keyof typeof PARAMETERS, string][]) {
      new StringParameter(this, `${key[0]?.toUpperCase()}${key.slice(1)}Parameter`, {
        parameterName: stage.parameter(PARAMETERS[key]),
        stringValue: value,
        description: `Low-latency translate platform (${stage.name}): ${key}`,
      });
    }

    new CfnOutput(this, 'WebSocketUrl', { value: this.webSocketStage.url });
    new CfnOutput(this, 'HttpApiUrl', { value: this.httpApi.apiEndpoint });
    new CfnOutput(this, 'AudioBucketName', { value: this.audioBucket.bucketName });
    new CfnOutput(this, 'SpeakerUserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'SpeakerUserPoolClientId', { value: this.userPoolClient.userPoolClientId });
  }
}

/**
 * Where managed login may send speakers back: the speaker app on the custom domain (`-c domainName=…`) or at
 * `-c speakerAppUrl=…` (the CloudFront address, known once the web stack is deployed), and `llt login`'s loopback
 * redirect (Cognito allows plain http only on localhost).
 */
function speakerCallbackUrls(scope: Construct): string[] {
  const domainName = scope.node.tryGetContext('domainName') as string | undefined;
  const appUrl = scope.node.tryGetContext('speakerAppUrl') as string | undefined;
  return [
    ...(domainName ? [`https://${domainName}/speaker/`] : []),
    ...(appUrl ? [appUrl] : []),
    'http://localhost:8765/callback',
  ];
}
