// Notify: source captions from the bus to every listener, the caption-history route on the platform's HTTP
// API, and the workflow's three tasks (resolve languages, deliver a translated caption, deliver an audio URL).
// Each function gets only the table actions its code path uses.

import { NOTIFY_RULES } from '@llt/notify/rules';
import { CAPTIONS_TABLE, RESOURCE_ENV, SESSIONS_TABLE } from '@llt/platform';
import { Duration } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Construct } from 'constructs';
import { FAILURE_QUEUES, PARAMETERS } from '../config.ts';
import { addRules } from '../constructs/event-rules.ts';
import type { ServiceFunction } from '../constructs/service-function.ts';
import { FUNCTIONS, ruleTarget } from '../functions.ts';
import { acknowledge } from '../nag.ts';
import { dynamoStatement, manageConnectionsStatement, platformParameter } from '../platform-refs.ts';
import { ServiceStack, type ServiceStackProps } from './service-stack.ts';

/** The HTTP API route notify serves (the same path the local runtime sends to notify). */
export const CAPTIONS_HTTP_ROUTE = { method: HttpMethod.GET, path: '/api/sessions/{sessionId}/captions' } as const;

export class NotifyStack extends ServiceStack {
  constructor(scope: Construct, id: string, props: ServiceStackProps = {}) {
    super(scope, id, props);
    const webSocketApiId = platformParameter(this, PARAMETERS.websocketApiId);
    const environment = {
      [RESOURCE_ENV.websocketManagementEndpoint]: platformParameter(this, PARAMETERS.websocketManagementEndpoint),
    };
    // Delivering to listeners: find them, forget the gone ones, post to their connections.
    const deliver = (fn: ServiceFunction, sessionActions: ('GetItem' | 'Query' | 'DeleteItem' | 'PutItem')[]) => {
      return fn
        .allow(dynamoStatement(this, SESSIONS_TABLE, sessionActions))
        .allowWildcard(
          manageConnectionsStatement(this, webSocketApiId),
          'postToConnection on any connection of the WebSocket stage: listener connection ids are only known at run time.',
        );
    };

    // In the captions table beside the caption log (PutItem), the partial fan-out turns: each turn's newest caption
    // and owner, conditionally updated and read back (UpdateItem, GetItem), so coalescing holds across environments.
    const captionsAndTurns = () => dynamoStatement(this, CAPTIONS_TABLE, ['PutItem', 'UpdateItem', 'GetItem']);
    deliver(
      this.addFunction('EventsFunction', {
        spec: FUNCTIONS.notifyEvents,
        description: 'EventBridge: source captions (partial and final) to the speaker and every listener',
        environment,
      }),
      ['GetItem', 'Query', 'DeleteItem'],
    ).allow(captionsAndTurns());

    const http = this.addFunction('HttpFunction', {
      spec: FUNCTIONS.notifyHttp,
      description: 'HTTP API: caption history of a session and language',
      memorySize: 512,
      environment,
    }).allow(dynamoStatement(this, CAPTIONS_TABLE, ['Query']), dynamoStatement(this, SESSIONS_TABLE, ['GetItem']));

    // Workflow tasks: inside their states' 10 s timeouts.
    const taskTimeout = Duration.seconds(8);
    this.addFunction('LanguagesFunction', {
      spec: FUNCTIONS.notifyLanguages,
      description: 'Workflow task: the languages a segment goes to; claims the segment against duplicates',
      memorySize: 512,
      timeout: taskTimeout,
      environment,
    }).allow(dynamoStatement(this, SESSIONS_TABLE, ['Query', 'PutItem']));
    // Provisional translations too: each translated increment is an UpdateItem on its utterance's item in the
    // captions table (returning the increments so far), and their fan-out takes the language's partial turn.
    deliver(
      this.addFunction('CaptionFunction', {
        spec: FUNCTIONS.notifyCaption,
        description: 'Workflow task: a translated caption to the speaker and the listeners of its language',
        timeout: taskTimeout,
        environment,
      }),
      ['GetItem', 'Query', 'DeleteItem'],
    ).allow(captionsAndTurns());
    deliver(
      this.addFunction('AudioFunction', {
        spec: FUNCTIONS.notifyAudio,
        description: 'Workflow task: a synthesized clip URL to the listeners of its language',
        timeout: taskTimeout,
        environment,
      }),
      // PutItem: each part of a sentence's speech is claimed once (a part made twice goes out once).
      ['Query', 'DeleteItem', 'PutItem'],
    );

    const httpApi = HttpApi.fromHttpApiAttributes(this, 'HttpApi', {
      httpApiId: platformParameter(this, PARAMETERS.httpApiId),
    });
    const captions = new HttpRoute(this, 'CaptionsRoute', {
      httpApi,
      routeKey: HttpRouteKey.with(CAPTIONS_HTTP_ROUTE.path, CAPTIONS_HTTP_ROUTE.method),
      integration: new HttpLambdaIntegration('CaptionsIntegration', http.function),
    });
    acknowledge(captions, {
      id: 'AwsSolutions-APIG4',
      reason:
        'Public by design: anonymous listeners catch up on the final captions of a session they joined by code (session ids are 96 random bits). The stage is throttled.',
    });

    addRules(
      this,
      NOTIFY_RULES,
      // A caption older than a minute is no longer live.
      (rule) => this.ruleTarget(ruleTarget('notify', rule.handler), FAILURE_QUEUES.notify, Duration.minutes(1)),
    );
  }
}
