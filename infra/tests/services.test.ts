import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { patternFor, TranscriptFinalizedV1, TranscriptPartialV1 } from '@llt/events';
import { CONNECT_IDENTITY_SOURCE, WEBSOCKET_ROUTES } from '@llt/ingest/routes';
import { INGEST_RULES } from '@llt/ingest/rules';
import { NOTIFY_RULES } from '@llt/notify/rules';
import {
  AUDIO_OBJECTS,
  CAPTIONS_TABLE,
  CONNECTIONS_TABLE,
  SESSIONS_TABLE,
  SHARD_LEASES_TABLE,
  TRANSCRIPTS_TABLE,
  TRANSLATION_MEMO_TABLE,
  VOCABULARY_FILES,
} from '@llt/platform';
import { AMAZON_POLLY_CAPABILITIES } from '@llt/synthesize/capabilities/aws';
import { TRANSCRIBE_RULES } from '@llt/transcribe/rules';
import type { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ingestConfig from '../../services/ingest/src/config.ts';
import * as notifyConfig from '../../services/notify/src/config.ts';
import * as synthesizeConfig from '../../services/synthesize/src/config.ts';
import * as transcribeConfig from '../../services/transcribe/src/config.ts';
import * as translateConfig from '../../services/translate/src/config.ts';
import { AWS_LANGUAGES, AWS_LANGUAGES_ENV, LAMBDA_RUNTIME, WEBSOCKET_STAGE } from '../src/config.ts';
import { ALL_FUNCTIONS, FUNCTIONS, type FunctionSpec } from '../src/functions.ts';
import { INGEST_HTTP_ROUTES } from '../src/stacks/ingest-stack.ts';
import { CAPTIONS_HTTP_ROUTE } from '../src/stacks/notify-stack.ts';
import {
  actionsOf,
  type CfnResourceJson,
  dev,
  flat,
  removeTemporaryDirectories,
  resourcesOf,
  resourcesOfStatement,
  type Synthesized,
  statementsOf,
  synthesize,
  unstaged,
} from './synth.ts';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});
afterAll(removeTemporaryDirectories);

const SERVICE_STACKS = ['LltIngest', 'LltTranscribe', 'LltTranslate', 'LltSynthesize', 'LltNotify'] as const;

function functions(): { stack: string; logicalId: string; props: Record<string, unknown> }[] {
  return SERVICE_STACKS.flatMap((stack) =>
    resourcesOf(synth.json[stack]!, 'AWS::Lambda::Function').map(([logicalId, r]) => ({
      stack,
      logicalId,
      props: r.Properties!,
    })),
  );
}

function functionNamed(name: string) {
  const found = functions().find((f) => f.props.FunctionName === dev(name));
  if (!found) throw new Error(`no function ${name}`);
  return found;
}

/** The statements of the role of one function. */
function statementsOfFunction(name: string) {
  const fn = functionNamed(name);
  const template = synth.json[fn.stack]!;
  const roleId = (fn.props.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, p]) => ((p.Properties?.Roles ?? []) as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => statementsOf({ Resources: { p } as Record<string, CfnResourceJson> }));
}

/** The function's environment as Lambda would see it (values resolved at deploy time stand in as text). */
function environmentOf(name: string): NodeJS.ProcessEnv {
  const vars = (functionNamed(name).props.Environment as { Variables: Record<string, unknown> }).Variables;
  return Object.fromEntries(
    Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-at-deploy:${flat(v)}`]),
  );
}

describe('service functions', () => {
  it('deploys every function of the catalog exactly once, under its own name', () => {
    const names = functions().map((f) => f.props.FunctionName);
    expect(names.sort()).toEqual(ALL_FUNCTIONS.map((f) => dev(f.name)).sort());
  });

  it.each(ALL_FUNCTIONS.map((f) => [f.name, f] as const))(
    '%s: Node.js on arm64, traced, ESM handler export, its own log group with retention',
    (name, spec: FunctionSpec) => {
      const fn = functionNamed(name);
      expect(fn.props.Runtime).toBe(LAMBDA_RUNTIME.name);
      expect(fn.props.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      expect(fn.props.Architectures).toEqual(['arm64']);
      expect(fn.props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.props.Handler).toBe(`index.${spec.handler}`);
      const logGroupId = (fn.props.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logGroup = synth.json[fn.stack]!.Resources[logGroupId]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties?.RetentionInDays).toBeGreaterThan(0);
      expect(logGroup.Properties?.LogGroupName).toBe(`/aws/lambda/${dev(name)}`);
    },
  );

  it.each(ALL_FUNCTIONS.map((f) => [f.name, f] as const))(
    '%s: runs the AWS engines, with Powertools settings',
    (name, spec: FunctionSpec) => {
      const env = environmentOf(name);
      expect(env).toMatchObject({
        LLT_ASR_ENGINE: 'amazon-transcribe',
        LLT_TRANSLATE_ENGINE: 'amazon-translate',
        LLT_TTS_ENGINE: 'polly',
        LLT_LANGUAGES: AWS_LANGUAGES_ENV,
        POWERTOOLS_SERVICE_NAME: spec.service,
        POWERTOOLS_METRICS_NAMESPACE: 'LowLatencyTranslate',
      });
    },
  );

  it('offers what the AWS engines declare: every Transcribe Streaming source Translate reads, every Translate target, spoken where Polly has a voice', () => {
    expect(AWS_LANGUAGES.sources.length).toBeGreaterThanOrEqual(25);
    expect(AWS_LANGUAGES.targets.length).toBeGreaterThanOrEqual(70);
    expect(AWS_LANGUAGES.spoken.length).toBeGreaterThanOrEqual(25);
    expect(AWS_LANGUAGES.sources).toEqual(expect.arrayContaining(['en-US', 'es-US', 'es-ES', 'fr-CA', 'zh-CN']));
    expect(AWS_LANGUAGES.targets).toEqual(expect.arrayContaining(['es', 'ca', 'fr', 'fr-CA', 'pt-PT', 'zh-TW', 'sw']));
    expect(AWS_LANGUAGES.spoken).toEqual(expect.arrayContaining(['es', 'ca', 'fr', 'de', 'ja']));
    // Every Polly voice speaks a language Translate translates into: none is declared for nothing.
    for (const { language } of AMAZON_POLLY_CAPABILITIES.voices) expect(AWS_LANGUAGES.spoken).toContain(language);
    // Any source reaches any target of another language: no pairs need spelling out.
    expect(AWS_LANGUAGES.pairs).toBeUndefined();
  });

  it.each(ALL_FUNCTIONS.map((f) => [f.name] as const))(
    "%s: its environment fits Lambda's 4 KB (keys and values, deploy-time values counted at 256 bytes)",
    (name) => {
      const vars = (functionNamed(name).props.Environment as { Variables: Record<string, unknown> }).Variables;
      const bytes = Object.entries(vars).reduce(
        (sum, [k, v]) => sum + Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 256),
        0,
      );
      expect(bytes).toBeLessThanOrEqual(4096);
    },
  );

  it.each(ALL_FUNCTIONS.map((f) => [f.name, f] as const))(
    "%s: has every variable its service's configuration requires",
    (name, spec: FunctionSpec) => {
      const env = environmentOf(name);
      const loaders: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
        ingest: spec.module === 'authorizer' ? ingestConfig.loadAuthorizerConfig : ingestConfig.loadConfig,
        transcribe: spec.module === 'events' ? transcribeConfig.loadEventsConfig : transcribeConfig.loadConfig,
        translate: translateConfig.loadConfig,
        synthesize: synthesizeConfig.loadConfig,
        notify: notifyConfig.loadConfig,
      };
      expect(() => loaders[spec.service]!(env)).not.toThrow();
    },
  );

  it('gives the clients of the WebSocket API its management endpoint', () => {
    for (const fn of [FUNCTIONS.ingestWebSocket, FUNCTIONS.ingestEvents, FUNCTIONS.notifyCaption]) {
      expect(environmentOf(fn.name).LLT_WS_MANAGEMENT_ENDPOINT).toContain('websocketmanagementendpoint');
    }
  });

  it('uses no AWS managed policies', () => {
    for (const stack of Object.values(synth.json)) {
      for (const [, role] of resourcesOf(stack, 'AWS::IAM::Role')) {
        expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
      }
    }
  });
});

describe('least privilege', () => {
  const tableArn = (table: { name: string }) => `:table/${dev(table.name)}`;

  it('never grants wildcard actions, and wildcard resources only where the API has no resource-level permissions', () => {
    const anyResource = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'transcribe:StartStreamTranscription',
      // Finding one session's vocabularies by name: no resource-level permissions.
      'transcribe:ListVocabularies',
      // Pulling the worker image: ECR's token call has no resource-level permissions.
      'ecr:GetAuthorizationToken',
      'translate:TranslateText',
      'polly:SynthesizeSpeech',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ]);
    for (const [name, stack] of Object.entries(synth.json)) {
      for (const statement of statementsOf(stack)) {
        for (const action of actionsOf(statement)) expect(action, name).not.toContain('*');
        if (resourcesOfStatement(statement).includes('*')) {
          for (const action of actionsOf(statement)) expect(anyResource, `${name} ${action}`).toContain(action);
        }
      }
    }
  });

  it('notify cannot touch the audio stream, the bucket or the connections table', () => {
    for (const statement of statementsOf(synth.json.LltNotify!)) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/^(kinesis|s3):/);
      for (const resource of resourcesOfStatement(statement)) {
        expect(resource).not.toContain(tableArn(CONNECTIONS_TABLE));
        expect(resource).not.toContain(tableArn(TRANSCRIPTS_TABLE));
      }
    }
  });

  it('synthesize may put and get objects under sessions/ only, and list the audio bucket', () => {
    const s3 = statementsOfFunction(FUNCTIONS.synthesize.name).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('s3:')),
    );
    expect(s3).toHaveLength(2);
    const objects = s3.find((s) => actionsOf(s).includes('s3:PutObject'))!;
    expect(actionsOf(objects).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
    for (const resource of resourcesOfStatement(objects)) expect(resource).toMatch(/\/sessions\/\*$/);
    const list = s3.find((s) => actionsOf(s).includes('s3:ListBucket'))!;
    expect(actionsOf(list)).toEqual(['s3:ListBucket']);
    for (const resource of resourcesOfStatement(list)) expect(resource).not.toMatch(/\*$/);
    expect(AUDIO_OBJECTS.prefix).toBe('sessions/');
  });

  it('every PutEvents grant names the product bus and nothing else', () => {
    let grants = 0;
    for (const stack of SERVICE_STACKS) {
      for (const statement of statementsOf(synth.json[stack]!)) {
        if (!actionsOf(statement).includes('events:PutEvents')) continue;
        grants++;
        expect(actionsOf(statement)).toEqual(['events:PutEvents']);
        const resources = resourcesOfStatement(statement);
        expect(resources).toHaveLength(1);
        expect(resources[0]).toMatch(
          /^arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:event-bus\/llt-dev-bus$/,
        );
      }
    }
    // ingest websocket + http, transcribe, translate, synthesize.
    expect(grants).toBe(5);
  });

  it("the transcription workers' task role reads the stream, keeps its leases, reads sessions, writes its capacity report and the transcripts ledger", () => {
    const template = synth.json.LltTranscribe!;
    const [[taskRoleId]] = resourcesOf(template, 'AWS::ECS::TaskDefinition').map(([, t]) => [
      (t.Properties!.TaskRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0],
    ]) as [[string]];
    const statements = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([, p]) => ((p.Properties?.Roles ?? []) as { Ref: string }[]).some((r) => r.Ref === taskRoleId))
      .flatMap(([, p]) => statementsOf({ Resources: { p } as Record<string, CfnResourceJson> }));
    const grants = statements.map((st) => ({ actions: actionsOf(st).sort(), resources: resourcesOfStatement(st) }));
    expect(grants).toEqual([
      {
        actions: [
          'kinesis:DescribeStreamSummary',
          'kinesis:GetRecords',
          'kinesis:GetShardIterator',
          'kinesis:ListShards',
        ],
        resources: [expect.stringMatching(/:stream\/llt-dev-audio$/)],
      },
      // Enhanced fan-out: the records of each shard pushed to the workers' registered consumer.
      {
        actions: ['kinesis:DescribeStreamConsumer', 'kinesis:SubscribeToShard'],
        resources: ['<AudioStreamConsumer.ConsumerARN>'],
      },
      {
        actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
        resources: ['<ShardLeasesTable.Arn>'],
      },
      {
        actions: ['dynamodb:PutItem'],
        resources: [expect.stringMatching(new RegExp(`${tableArn(TRANSCRIPTS_TABLE)}$`))],
      },
      {
        // GetItem: each session's source language; PutItem: the worker's capacity report ingest admits against.
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [expect.stringMatching(new RegExp(`${tableArn(SESSIONS_TABLE)}$`))],
      },
      { actions: ['events:PutEvents'], resources: [expect.stringMatching(/:event-bus\/llt-dev-bus$/)] },
      { actions: ['transcribe:StartStreamTranscription'], resources: ['*'] },
      { actions: ['transcribe:GetVocabulary'], resources: [expect.stringMatching(/:vocabulary\/llt-\*$/)] },
    ]);
  });

  it('grants each function only the table actions its code uses', () => {
    const dynamoGrants = (name: string) =>
      Object.fromEntries(
        statementsOfFunction(name)
          .filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))
          .map((s) => [
            unstaged(resourcesOfStatement(s)[0]!.split(':table/')[1]!),
            actionsOf(s)
              .map((a) => a.replace('dynamodb:', ''))
              .sort(),
          ]),
      );
    // Query: the transcription workers' capacity reports, read to admit a session.
    expect(dynamoGrants(FUNCTIONS.ingestHttp.name)).toEqual({
      [SESSIONS_TABLE.name]: ['GetItem', 'PutItem', 'Query', 'UpdateItem'],
    });
    expect(dynamoGrants(FUNCTIONS.notifyHttp.name)).toEqual({
      [SESSIONS_TABLE.name]: ['GetItem'],
      [CAPTIONS_TABLE.name]: ['Query'],
    });
    expect(dynamoGrants(FUNCTIONS.notifyLanguages.name)).toEqual({ [SESSIONS_TABLE.name]: ['PutItem', 'Query'] });
    // Captions: the caption log (PutItem), and the partial turns and provisional translations, conditionally updated
    // and read back (UpdateItem, GetItem); never a Query or a delete of the history listeners catch up from.
    for (const fn of [FUNCTIONS.notifyEvents, FUNCTIONS.notifyCaption]) {
      expect(dynamoGrants(fn.name), fn.name).toEqual({
        [SESSIONS_TABLE.name]: ['DeleteItem', 'GetItem', 'Query'],
        [CAPTIONS_TABLE.name]: ['GetItem', 'PutItem', 'UpdateItem'],
      });
    }
    // PutItem: the claim on each part of a sentence's speech, so a part made twice goes out once.
    expect(dynamoGrants(FUNCTIONS.notifyAudio.name)).toEqual({
      [SESSIONS_TABLE.name]: ['DeleteItem', 'PutItem', 'Query'],
    });
    // The memo: each piece put as it is translated, read back with a Query over the utterance's increments; and
    // the session glossary of the version a transcript names (GetItem), for translation and for speech.
    expect(dynamoGrants(FUNCTIONS.translate.name)).toEqual({
      [TRANSLATION_MEMO_TABLE.name]: ['PutItem', 'Query'],
      [SESSIONS_TABLE.name]: ['GetItem'],
    });
    expect(dynamoGrants(FUNCTIONS.synthesize.name)).toEqual({ [SESSIONS_TABLE.name]: ['GetItem'] });
    // A session's source language and status, for its glossary's vocabulary.
    expect(dynamoGrants(FUNCTIONS.transcribeEvents.name)).toEqual({ [SESSIONS_TABLE.name]: ['GetItem'] });
  });

  it('the transcribe events function manages session vocabularies and their table files, nothing else of Transcribe or S3', () => {
    const grants = statementsOfFunction(FUNCTIONS.transcribeEvents.name)
      .filter((s) => actionsOf(s).some((a) => /^(transcribe|s3):/.test(a)))
      .map((s) => ({ actions: actionsOf(s).sort(), resources: resourcesOfStatement(s) }));
    expect(grants).toEqual([
      {
        actions: ['transcribe:CreateVocabulary', 'transcribe:DeleteVocabulary'],
        resources: [
          expect.stringMatching(/^arn:<AWS::Partition>:transcribe:<AWS::Region>:<AWS::AccountId>:vocabulary\/llt-\*$/),
        ],
      },
      { actions: ['s3:GetObject', 's3:PutObject'], resources: [expect.stringMatching(/\/vocabularies\/\*$/)] },
      { actions: ['transcribe:ListVocabularies'], resources: ['*'] },
    ]);
    expect(VOCABULARY_FILES.prefix).toBe('vocabularies/');
  });

  it('only the WebSocket clients may manage connections, on the stage of the platform API', () => {
    const managers = new Set<string>();
    for (const spec of ALL_FUNCTIONS) {
      for (const statement of statementsOfFunction(spec.name)) {
        if (!actionsOf(statement).includes('execute-api:ManageConnections')) continue;
        managers.add(spec.name);
        expect(resourcesOfStatement(statement)).toEqual([
          expect.stringMatching(
            new RegExp(`:<SsmParameterValuelltdevwebsocketapiid\\w+>/${WEBSOCKET_STAGE}/\\*/@connections/\\*$`),
          ),
        ]);
      }
    }
    expect([...managers].sort()).toEqual(
      [
        FUNCTIONS.ingestWebSocket,
        FUNCTIONS.ingestEvents,
        FUNCTIONS.notifyEvents,
        FUNCTIONS.notifyCaption,
        FUNCTIONS.notifyAudio,
      ]
        .map((f) => f.name)
        .sort(),
    );
  });
});

describe('ingest stack', () => {
  const routes = () => resourcesOf(synth.json.LltIngest!, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!);

  it('adds every WebSocket route to the platform API, the authorizer on $connect only', () => {
    const ws = routes().filter((r) => flat(r.ApiId).includes('websocketapiid'));
    expect(ws.map((r) => r.RouteKey).sort()).toEqual([...WEBSOCKET_ROUTES].sort());
    for (const route of ws) {
      expect(route.AuthorizationType, String(route.RouteKey)).toBe(route.RouteKey === '$connect' ? 'CUSTOM' : 'NONE');
    }
    synth.templates.LltIngest!.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.role'],
    });
    // The local gateway checks the same identity source before it runs the authorizer.
    expect(CONNECT_IDENTITY_SOURCE).toEqual(['route.request.querystring.role']);
    const authorizerUri = flat(
      resourcesOf(synth.json.LltIngest!, 'AWS::ApiGatewayV2::Authorizer')[0]![1].Properties!.AuthorizerUri,
    );
    expect(authorizerUri).toContain('AuthorizerFunction');
  });

  it('hands audio frames (base64 text on $default) to the function as sent: a proxy integration, no content conversion', () => {
    const integrations = resourcesOf(synth.json.LltIngest!, 'AWS::ApiGatewayV2::Integration').filter(([, r]) =>
      flat(r.Properties!.ApiId).includes('websocketapiid'),
    );
    expect(integrations.length).toBeGreaterThan(0);
    for (const [, integration] of integrations) {
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY' });
      expect(integration.Properties).not.toHaveProperty('ContentHandlingStrategy');
    }
  });

  it('adds its HTTP routes to the platform HTTP API', () => {
    const http = routes().filter((r) => flat(r.ApiId).includes('httpapiid'));
    expect(http.map((r) => r.RouteKey).sort()).toEqual(INGEST_HTTP_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    synth.templates.LltIngest!.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it("puts a JWT authorizer on the speakers user pool and client on the speaker's routes only", () => {
    const http = routes().filter((r) => flat(r.ApiId).includes('httpapiid'));
    const speakerRoutes = [
      'POST /api/sessions',
      'GET /api/sessions/{sessionId}/glossary',
      'PUT /api/sessions/{sessionId}/glossary',
    ];
    for (const route of http) {
      expect(route.AuthorizationType, String(route.RouteKey)).toBe(
        speakerRoutes.includes(String(route.RouteKey)) ? 'JWT' : 'NONE',
      );
    }
    const [jwt] = resourcesOf(synth.json.LltIngest!, 'AWS::ApiGatewayV2::Authorizer').filter(
      ([, r]) => r.Properties!.AuthorizerType === 'JWT',
    );
    const config = jwt![1].Properties!.JwtConfiguration as { Issuer: unknown; Audience: unknown };
    expect(flat(config.Issuer)).toContain('cognito-idp');
    expect(flat(config.Issuer)).toContain('cognitouserpoolid');
    expect(flat(config.Audience)).toContain('cognitoclientid');
    // Its handler runs the cognito scheme: it takes the owner from the authorizer's claims.
    expect(ingestConfig.loadSpeakerAuthScheme(environmentOf(FUNCTIONS.ingestHttp.name))).toBe('cognito');
  });

  it('gives the authorizer the speakers user pool and client, and says speakers present Cognito tokens', () => {
    const env = environmentOf(FUNCTIONS.ingestAuthorizer.name);
    expect(env.LLT_SPEAKER_AUTH).toBe('cognito');
    expect(ingestConfig.loadSpeakerAuthScheme(env)).toBe('cognito');
    expect(env.LLT_COGNITO_USER_POOL_ID).toContain('cognitouserpoolid');
    expect(env.LLT_COGNITO_CLIENT_ID).toContain('cognitoclientid');
  });
});

describe('notify stack', () => {
  it('adds the caption history route to the platform HTTP API', () => {
    synth.templates.LltNotify!.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: `${CAPTIONS_HTTP_ROUTE.method} ${CAPTIONS_HTTP_ROUTE.path}`,
    });
  });
});

describe('event rules', () => {
  const rules = () =>
    Object.values(synth.json).flatMap((t) => resourcesOf(t, 'AWS::Events::Rule').map(([, r]) => r.Properties!));

  it.each([
    ['LltIngest', INGEST_RULES, FUNCTIONS.ingestEvents.name],
    ['LltNotify', NOTIFY_RULES, FUNCTIONS.notifyEvents.name],
    ['LltTranscribe', TRANSCRIBE_RULES, FUNCTIONS.transcribeEvents.name],
  ] as const)('%s builds its rules from the service rule list, on the product bus', (stack, list, target) => {
    for (const rule of list) {
      const deployed = resourcesOf(synth.json[stack]!, 'AWS::Events::Rule')
        .map(([, r]) => r.Properties!)
        .find((r) => r.Name === dev(`llt-${rule.name}`));
      expect(deployed, rule.name).toBeDefined();
      expect(deployed!.EventBusName).toBe(dev('llt-bus'));
      expect(deployed!.EventPattern).toEqual(JSON.parse(JSON.stringify(rule.pattern)));
      const targets = deployed!.Targets as { Arn: unknown; RetryPolicy?: unknown }[];
      expect(targets).toHaveLength(1);
      const targetLogicalId = (targets[0]!.Arn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
      expect(synth.json[stack]!.Resources[targetLogicalId]!.Properties!.FunctionName).toBe(dev(target));
    }
  });

  it.each([
    // Live captions are worthless after a minute.
    ['LltIngest', FUNCTIONS.ingestEvents.name, 'llt-ingest-undelivered', 60],
    ['LltNotify', FUNCTIONS.notifyEvents.name, 'llt-notify-undelivered', 60],
    // A vocabulary still being built cannot be deleted: the event is retried for up to an hour.
    ['LltTranscribe', FUNCTIONS.transcribeEvents.name, 'llt-transcribe-undelivered', 3600],
  ] as const)(
    '%s sets both retry policies of its asynchronous targets and keeps what it gives up',
    (stack, target, queue, maxAge) => {
      const template = synth.json[stack]!;
      const queueId = resourcesOf(template, 'AWS::SQS::Queue').find(
        ([, q]) => q.Properties?.QueueName === dev(queue),
      )?.[0];
      expect(queueId).toBeDefined();
      // EventBridge's side: retries of a delivery Lambda refused, then the queue.
      for (const [, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
        const [t] = rule.Properties!.Targets as { RetryPolicy: unknown; DeadLetterConfig: { Arn: unknown } }[];
        expect(t!.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: maxAge });
        expect(flat(t!.DeadLetterConfig.Arn)).toBe(`<${queueId}.Arn>`);
      }
      // Lambda's side: one retry of a failed invocation, nothing older than maxAge, failures to the queue.
      const configs = resourcesOf(template, 'AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties!);
      expect(configs).toHaveLength(1);
      expect(configs[0]).toMatchObject({
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: maxAge,
        Qualifier: '$LATEST',
      });
      expect(
        flat((configs[0]!.DestinationConfig as { OnFailure: { Destination: unknown } }).OnFailure.Destination),
      ).toBe(`<${queueId}.Arn>`);
      expect(flat(configs[0]!.FunctionName)).toBe(`<${functionNamed(target).logicalId}>`);
    },
  );

  it('matches exactly the contract patterns notify subscribes to', () => {
    const patterns = rules()
      .filter((r) => String(r.Name).startsWith(dev('llt-notify-')))
      .map((r) => r.EventPattern);
    expect(patterns).toEqual(
      expect.arrayContaining([
        JSON.parse(JSON.stringify(patternFor(TranscriptPartialV1))),
        JSON.parse(JSON.stringify(patternFor(TranscriptFinalizedV1))),
      ]),
    );
  });
});

describe('transcribe stack', () => {
  const template = () => synth.json.LltTranscribe!;
  const only = (type: string) => {
    const found = resourcesOf(template(), type);
    expect(found, type).toHaveLength(1);
    return found[0]![1].Properties!;
  };

  it('runs the stream workers as a Fargate service, not as a Lambda event source mapping', () => {
    // The one function is the glossary events handler; audio never reaches a Lambda.
    expect(resourcesOf(template(), 'AWS::Lambda::Function').map(([, f]) => f.Properties!.FunctionName)).toEqual([
      dev(FUNCTIONS.transcribeEvents.name),
    ]);
    expect(resourcesOf(template(), 'AWS::Lambda::EventSourceMapping')).toEqual([]);
    expect(only('AWS::ECS::Service')).toMatchObject({
      ServiceName: dev('llt-transcribe-worker'),
      LaunchType: 'FARGATE',
      DesiredCount: 2,
      DeploymentConfiguration: {
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'ENABLED' } },
    });
    const task = only('AWS::ECS::TaskDefinition');
    expect(task).toMatchObject({
      Cpu: '512',
      Memory: '1024',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      RequiresCompatibilities: ['FARGATE'],
    });
    const [container] = task.ContainerDefinitions as Record<string, unknown>[];
    expect(container).toMatchObject({
      ReadonlyRootFilesystem: true,
      StopTimeout: 30,
      LogConfiguration: { LogDriver: 'awslogs' },
    });
  });

  it('registers the workers as a consumer of the audio stream (enhanced fan-out)', () => {
    const consumer = only('AWS::Kinesis::StreamConsumer');
    expect(consumer.ConsumerName).toBe(dev('llt-transcribe'));
    expect(flat(consumer.StreamARN)).toMatch(/:stream\/llt-dev-audio$/);
  });

  it("gives the workers what their configuration requires: their stream consumer, and Kinesis' read rate as the poll interval without one", () => {
    const task = only('AWS::ECS::TaskDefinition');
    const [container] = task.ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[];
    const env = Object.fromEntries(container!.Environment.map((e) => [e.Name, flat(e.Value)]));
    const config = transcribeConfig.loadWorkerConfig(env);
    expect(config).toMatchObject({
      engine: 'amazon-transcribe',
      audioStream: dev('llt-audio'),
      audioConsumerArn: '<AudioStreamConsumer.ConsumerARN>',
      shardLeasesTable: dev(SHARD_LEASES_TABLE.name),
      transcriptsTable: dev(TRANSCRIPTS_TABLE.name),
      leaseMs: 10_000,
      renewMs: 3_000,
      pollMs: 220,
      initialPosition: 'LATEST',
    });
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('transcribe');
    expect(env.POWERTOOLS_TRACE_ENABLED).toBe('false');
  });

  it('keeps the leases in their own table, keyed as the shared definition says', () => {
    expect(only('AWS::DynamoDB::Table')).toMatchObject({
      TableName: dev(SHARD_LEASES_TABLE.name),
      KeySchema: [{ AttributeName: SHARD_LEASES_TABLE.partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    expect(template().Resources.ShardLeasesTable?.Type).toBe('AWS::DynamoDB::Table');
  });

  it('runs in public subnets without a NAT gateway; nothing may connect in, only HTTPS goes out', () => {
    expect(resourcesOf(template(), 'AWS::EC2::NatGateway')).toEqual([]);
    expect(resourcesOf(template(), 'AWS::EC2::Subnet').map(([, s]) => s.Properties!.MapPublicIpOnLaunch)).toEqual([
      true,
      true,
    ]);
    const group = only('AWS::EC2::SecurityGroup');
    expect(group.SecurityGroupIngress).toBeUndefined();
    expect(group.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    expect(only('AWS::EC2::VPCEndpoint')).toMatchObject({ VpcEndpointType: 'Gateway' });
    expect(flat(only('AWS::EC2::VPCEndpoint').ServiceName)).toContain('dynamodb');
    expect(only('AWS::EC2::FlowLog')).toMatchObject({ TrafficType: 'REJECT' });
  });

  it('scales on CPU between 2 and 8 workers', () => {
    expect(only('AWS::ApplicationAutoScaling::ScalableTarget')).toMatchObject({ MinCapacity: 2, MaxCapacity: 8 });
    expect(only('AWS::ApplicationAutoScaling::ScalingPolicy')).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 60,
      },
    });
  });

  it('builds the image from the Dockerfile with a context of manifests and the sources the worker is made of', () => {
    const manifest = synth.assembly.artifacts.find((a) => a.id === 'LltTranscribe.assets') as AssetManifestArtifact;
    const images = Object.values(manifest.contents.dockerImages ?? {});
    expect(images).toHaveLength(1);
    const { source } = images[0]!;
    expect(source.dockerFile).toBe('services/transcribe/Dockerfile');
    expect(source.platform).toBe('linux/arm64');
    const dir = join(synth.assembly.directory, source.directory!);
    const files = listFiles(dir);
    expect(files).toContain('services/transcribe/Dockerfile');
    expect(files).toContain('services/transcribe/src/handlers/worker.ts');
    expect(files).toContain('infra/src/bundling/worker-bundle.mjs');
    expect(files).toContain('package-lock.json');
    for (const workspace of ['shared/events', 'shared/platform', 'services/transcribe', 'frontends/speaker', 'test']) {
      expect(files).toContain(`${workspace}/package.json`);
    }
    expect(files.filter((f) => /node_modules|\/tests\/|\.llt\/|^\.git\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('services/') && !f.startsWith('services/transcribe/'))).toEqual(
      ['ingest', 'notify', 'synthesize', 'translate'].map((s) => `services/${s}/package.json`),
    );
    expect(files.reduce((bytes, f) => bytes + statSync(join(dir, f)).size, 0)).toBeLessThan(2_000_000);
  });
});

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(dir, path) : [path];
    })
    .sort();
}
