// Ingest: the WebSocket routes (speakers' audio, listeners' connections) with the Cognito authorizer on
// $connect, the HTTP API's session routes, and the rules that relay events to speakers. Both APIs belong to the
// platform stack; this stack adds its routes to them by id (SSM).

import { CONNECT_IDENTITY_SOURCE, INGEST_HTTP_ROUTES as ROUTES, WEBSOCKET_ROUTES } from '@llt/ingest/routes';
import { INGEST_RULES } from '@llt/ingest/rules';
import { CONNECTIONS_TABLE, RESOURCE_ENV, SESSIONS_TABLE } from '@llt/platform';
import { Duration } from 'aws-cdk-lib';
import {
  HttpApi,
  type HttpMethod,
  HttpRoute,
  HttpRouteKey,
  WebSocketApi,
  WebSocketRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer, WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { FAILURE_QUEUES, PARAMETERS } from '../config.ts';
import { addRules, pascalCase } from '../constructs/event-rules.ts';
import { FUNCTIONS, ruleTarget } from '../functions.ts';
import { acknowledge } from '../nag.ts';
import {
  audioStreamArn,
  dynamoStatement,
  manageConnectionsStatement,
  platformParameter,
  putEventsStatement,
} from '../platform-refs.ts';
import { Stage } from '../stage.ts';
import { ServiceStack, type ServiceStackProps } from './service-stack.ts';

/** The HTTP API routes ingest serves (its own list, which the local runtime applies too). */
export const INGEST_HTTP_ROUTES = ROUTES.map((route) => ({ ...route, method: route.method as HttpMethod }));

const MANAGE_CONNECTIONS_REASON =
  'postToConnection/deleteConnection on any connection of the WebSocket stage: connection ids are only known at run time.';

export class IngestStack extends ServiceStack {
  constructor(scope: Construct, id: string, props: ServiceStackProps = {}) {
    super(scope, id, props);
    const webSocketApiId = platformParameter(this, PARAMETERS.websocketApiId);
    const managementEndpoint = platformParameter(this, PARAMETERS.websocketManagementEndpoint);
    const clientEnvironment = { [RESOURCE_ENV.websocketManagementEndpoint]: managementEndpoint };

    const webSocket = this.addFunction('WebSocketFunction', {
      spec: FUNCTIONS.ingestWebSocket,
      description: 'WebSocket routes: connections, control messages, audio frames to Kinesis',
      environment: clientEnvironment,
    })
      .allow(
        dynamoStatement(this, SESSIONS_TABLE, ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query']),
        dynamoStatement(this, CONNECTIONS_TABLE, ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem']),
        new PolicyStatement({ actions: ['kinesis:PutRecord'], resources: [audioStreamArn(this)] }),
        putEventsStatement(this),
      )
      .allowWildcard(manageConnectionsStatement(this, webSocketApiId), MANAGE_CONNECTIONS_REASON);

    const authorizer = this.addFunction('AuthorizerFunction', {
      spec: FUNCTIONS.ingestAuthorizer,
      description: 'WebSocket $connect authorizer: speakers present a Cognito token, listeners pass',
      memorySize: 512,
      timeout: Duration.seconds(5),
      environment: {
        // Said explicitly: the local runtime runs the same authorizer with `session-token` (no user pool).
        LLT_SPEAKER_AUTH: 'cognito',
        LLT_COGNITO_USER_POOL_ID: platformParameter(this, PARAMETERS.userPoolId),
        LLT_COGNITO_CLIENT_ID: platformParameter(this, PARAMETERS.userPoolClientId),
      },
    });

    const http = this.addFunction('HttpFunction', {
      spec: FUNCTIONS.ingestHttp,
      description: "HTTP API: create a session, resolve a join code, list languages, the session's glossary",
      memorySize: 512,
      environment: clientEnvironment,
    }).allow(
      // UpdateItem: the per-IP count of failed join attempts (rate limit) lives in the sessions table. Query: the
      // transcription workers' capacity reports, read to admit a session (its place: PutItem on the ledger item).
      dynamoStatement(this, SESSIONS_TABLE, ['GetItem', 'PutItem', 'UpdateItem', 'Query']),
      putEventsStatement(this),
    );

    this.addFunction('EventsFunction', {
      spec: FUNCTIONS.ingestEvents,
      description: 'EventBridge: tells the speaker about listeners and transcription problems',
      memorySize: 512,
      environment: clientEnvironment,
    })
      .allow(dynamoStatement(this, SESSIONS_TABLE, ['GetItem', 'Query']))
      .allowWildcard(manageConnectionsStatement(this, webSocketApiId), MANAGE_CONNECTIONS_REASON);

    const webSocketApi = WebSocketApi.fromWebSocketApiAttributes(this, 'WebSocketApi', {
      webSocketId: webSocketApiId,
      apiEndpoint: `wss://${webSocketApiId}.execute-api.${this.region}.${this.urlSuffix}`,
    });
    const integration = new WebSocketLambdaIntegration('WebSocketIntegration', webSocket.function);
    const connectAuthorizer = new WebSocketLambdaAuthorizer('ConnectAuthorizer', authorizer.function, {
      authorizerName: Stage.of(this).resource('llt-connect'),
      // Speakers (role=speaker) and listeners (role=listener) both say who they are; the handler decides.
      identitySource: [...CONNECT_IDENTITY_SOURCE],
    });
    for (const routeKey of WEBSOCKET_ROUTES) {
      const route = new WebSocketRoute(this, `${pascalCase(routeKey)}Route`, {
        webSocketApi,
        routeKey,
        integration,
        ...(routeKey === '$connect' ? { authorizer: connectAuthorizer } : {}),
      });
      if (routeKey !== '$connect') {
        acknowledge(route, {
          id: 'AwsSolutions-APIG4',
          reason:
            'A WebSocket API authorizes once, on $connect (Cognito REQUEST authorizer); later messages on that connection are checked by the handler against the connection record (only the speaker may send audio).',
        });
      }
    }

    const httpApi = HttpApi.fromHttpApiAttributes(this, 'HttpApi', {
      httpApiId: platformParameter(this, PARAMETERS.httpApiId),
    });
    const httpIntegration = new HttpLambdaIntegration('HttpIntegration', http.function);
    // Creating a session needs a signed-in speaker: a token of the speakers' user pool and app client; the handler
    // records the token's `sub` as the session's owner (requestContext.authorizer.jwt.claims), and the speaker's
    // other routes (the glossary) accept that owner only.
    const speakerJwt = new HttpJwtAuthorizer(
      'SpeakerJwtAuthorizer',
      `https://cognito-idp.${this.region}.${this.urlSuffix}/${platformParameter(this, PARAMETERS.userPoolId)}`,
      { authorizerName: 'llt-speaker', jwtAudience: [platformParameter(this, PARAMETERS.userPoolClientId)] },
    );
    for (const { method, path, speaker: signedIn } of INGEST_HTTP_ROUTES) {
      const route = new HttpRoute(this, `${method}${pascalCase(path)}Route`, {
        httpApi,
        routeKey: HttpRouteKey.with(path, method),
        integration: httpIntegration,
        ...(signedIn ? { authorizer: speakerJwt } : {}),
      });
      if (signedIn) continue;
      acknowledge(route, {
        id: 'AwsSolutions-APIG4',
        reason:
          'Public by design: listeners join anonymously with a code and the apps list languages (creating a session has the Cognito JWT authorizer). The stage is throttled.',
      });
    }

    addRules(
      this,
      INGEST_RULES,
      // A listener count or an error banner older than a minute is no longer news.
      (rule) => this.ruleTarget(ruleTarget('ingest', rule.handler), FAILURE_QUEUES.ingest, Duration.minutes(1)),
    );
  }
}
