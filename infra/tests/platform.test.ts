import { EVENT_BUS_NAME } from '@llt/events';
import { AUDIO_OBJECTS, AUDIO_STREAM_NAME, VOCABULARY_FILES } from '@llt/platform';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARAMETERS, WEBSOCKET_STAGE } from '../src/config.ts';
import { PLATFORM_PING_ROUTE, TABLES } from '../src/stacks/platform-stack.ts';
import { DEV, dev, removeTemporaryDirectories, resourcesOf, type Synthesized, synthesize } from './synth.ts';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});
afterAll(removeTemporaryDirectories);
const platform = () => synth.templates.LltPlatform!;
const platformJson = () => synth.json.LltPlatform!;

describe('platform stack', () => {
  it('keeps the logical ids of its stateful resources', () => {
    const expected: Record<string, string> = {
      EventBus: 'AWS::Events::EventBus',
      AudioStream: 'AWS::Kinesis::Stream',
      SessionsTable: 'AWS::DynamoDB::Table',
      ConnectionsTable: 'AWS::DynamoDB::Table',
      TranscriptsTable: 'AWS::DynamoDB::Table',
      CaptionsTable: 'AWS::DynamoDB::Table',
      TranslationMemoTable: 'AWS::DynamoDB::Table',
      AudioBucket: 'AWS::S3::Bucket',
      AccessLogsBucket: 'AWS::S3::Bucket',
      WebSocketApi: 'AWS::ApiGatewayV2::Api',
      HttpApi: 'AWS::ApiGatewayV2::Api',
      SpeakerUserPool: 'AWS::Cognito::UserPool',
    };
    const resources = platformJson().Resources;
    for (const [logicalId, type] of Object.entries(expected)) {
      expect(resources[logicalId]?.Type, logicalId).toBe(type);
    }
    // What each stage keeps on deletion: stages.test.ts.
  });

  it('creates the event bus under the contracts name', () => {
    platform().hasResourceProperties('AWS::Events::EventBus', { Name: dev(EVENT_BUS_NAME) });
  });

  it('creates the audio stream on demand, encrypted with the Kinesis key', () => {
    platform().hasResourceProperties('AWS::Kinesis::Stream', {
      Name: dev(AUDIO_STREAM_NAME),
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });

  it.each(TABLES.map((t) => [t.logicalId, t.definition] as const))(
    'creates %s from its definition',
    (logicalId, def) => {
      const table = platformJson().Resources[logicalId]!.Properties!;
      expect(table.TableName).toBe(dev(def.name));
      expect(table.KeySchema).toEqual([
        { AttributeName: def.partitionKey, KeyType: 'HASH' },
        ...(def.sortKey ? [{ AttributeName: def.sortKey, KeyType: 'RANGE' }] : []),
      ]);
      expect(table.BillingMode).toBe('PAY_PER_REQUEST');
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: def.ttlAttribute, Enabled: true });
      expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(table.SSESpecification).toMatchObject({ SSEEnabled: true });
    },
  );

  it('expires synthesized speech and vocabulary tables, blocks public access, serves browsers range requests and logs access', () => {
    const bucket = platformJson().Resources.AudioBucket!.Properties!;
    expect(bucket.LifecycleConfiguration).toMatchObject({
      Rules: [
        {
          Prefix: AUDIO_OBJECTS.prefix,
          ExpirationInDays: AUDIO_OBJECTS.retentionDays,
          Status: 'Enabled',
        },
        {
          Prefix: VOCABULARY_FILES.prefix,
          ExpirationInDays: VOCABULARY_FILES.retentionDays,
          Status: 'Enabled',
        },
      ],
    });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.CorsConfiguration).toMatchObject({
      CorsRules: [{ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'], AllowedHeaders: ['Range'] }],
    });
    expect(bucket.LoggingConfiguration).toMatchObject({ DestinationBucketName: { Ref: 'AccessLogsBucket' } });
  });

  it('refuses plain HTTP on both buckets', () => {
    for (const bucket of ['AudioBucket', 'AccessLogsBucket']) {
      platform().hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('creates the WebSocket API selecting routes by action, with an auto-deployed, logged stage', () => {
    platform().hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    platform().hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: 'WebSocketApi' },
      StageName: WEBSOCKET_STAGE,
      AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    // The platform's own route: a WebSocket API cannot be deployed without one.
    platform().hasResourceProperties('AWS::ApiGatewayV2::Route', {
      ApiId: { Ref: 'WebSocketApi' },
      RouteKey: PLATFORM_PING_ROUTE,
    });
  });

  it('creates the HTTP API with an auto-deployed default stage and CORS', () => {
    platform().hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({ AllowMethods: Match.arrayWith(['GET', 'POST']) }),
    });
    platform().hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: 'HttpApi' },
      StageName: '$default',
      AutoDeploy: true,
    });
  });

  it('creates the speakers user pool (invited only, optional TOTP MFA) and a browser client without a secret', () => {
    platform().hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    });
    platform().hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: 'SpeakerUserPool' },
      GenerateSecret: false,
    });
  });

  it('signs speakers in through managed login: authorization code flow, loopback redirect for llt login', () => {
    platform().hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: Match.arrayWith(['openid']),
      CallbackURLs: Match.arrayWith(['http://localhost:8765/callback']),
    });
    platform().hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    platform().hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true });
  });

  it('publishes every value the service stacks look up as an SSM parameter', () => {
    const names = resourcesOf(platformJson(), 'AWS::SSM::Parameter').map(([, r]) => r.Properties?.Name);
    expect(names.sort()).toEqual(
      Object.values(PARAMETERS)
        .map((p) => DEV.parameter(p))
        .sort(),
    );
  });
});

describe('independent deployment', () => {
  it('no stack exports or imports a value: services find shared resources by name or SSM parameter', () => {
    for (const [name, template] of Object.entries(synth.json)) {
      const text = JSON.stringify(template);
      expect(text, name).not.toContain('Fn::ImportValue');
      for (const output of Object.values(template.Outputs ?? {})) {
        expect(output, name).not.toHaveProperty('Export');
      }
    }
  });

  it('service stacks read the platform only through SSM parameters', () => {
    for (const name of ['LltIngest', 'LltNotify', 'LltSynthesize', 'LltObservability']) {
      const parameters = Object.entries(synth.json[name]!.Parameters ?? {}) as [
        string,
        { Type: string; Default?: string },
      ][];
      // BootstrapVersion is CDK's own (the bootstrap stack's version check).
      const ssm = parameters.filter(([id]) => id !== 'BootstrapVersion').map(([, p]) => p);
      for (const p of ssm) expect(p.Type, name).toBe('AWS::SSM::Parameter::Value<String>');
      expect(ssm.length, name).toBeGreaterThan(0);
      for (const p of ssm)
        expect(
          Object.values(PARAMETERS).map((path) => DEV.parameter(path)),
          name,
        ).toContain(p.Default);
    }
  });
});
