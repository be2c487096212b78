// How a service stack finds the shared resources: ARNs built from the deterministic names in
// shared/platform/src/resources.ts and shared/events, in the app's stage, and SSM parameters the platform stack
// publishes under the stage's path. Every function here takes a product's base name and applies the stage.
import { EVENT_BUS_NAME } from '@llt/events';
import { AUDIO_STREAM_NAME, type TableDefinition } from '@llt/platform';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { type PARAMETERS, WEBSOCKET_STAGE } from './config.ts';
import { Stage } from './stage.ts';

/** A product name (`llt-sessions`, `llt-bus`, a function's name) in the stage of `scope`'s app. */
export function stagedName(scope: Construct, base: string): string {
  return Stage.of(scope).resource(base);
}

export function tableArn(scope: Construct, table: TableDefinition): string {
  return Stack.of(scope).formatArn({
    service: 'dynamodb',
    resource: 'table',
    resourceName: stagedName(scope, table.name),
  });
}

export function eventBusArn(scope: Construct): string {
  return Stack.of(scope).formatArn({
    service: 'events',
    resource: 'event-bus',
    resourceName: stagedName(scope, EVENT_BUS_NAME),
  });
}

export function audioStreamArn(scope: Construct): string {
  return Stack.of(scope).formatArn({
    service: 'kinesis',
    resource: 'stream',
    resourceName: stagedName(scope, AUDIO_STREAM_NAME),
  });
}

export function functionArn(scope: Construct, functionName: string): string {
  return Stack.of(scope).formatArn({
    service: 'lambda',
    resource: 'function',
    resourceName: stagedName(scope, functionName),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

export function stateMachineArn(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stagedName(scope, name),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** A value the platform stack published, resolved when the reading stack is deployed. */
export function platformParameter(scope: Construct, name: (typeof PARAMETERS)[keyof typeof PARAMETERS]): string {
  return StringParameter.valueForStringParameter(scope, Stage.of(scope).parameter(name));
}

// Least-privilege statements, one per resource and purpose.

type DynamoAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query';

export function dynamoStatement(scope: Construct, table: TableDefinition, actions: readonly DynamoAction[]) {
  return new PolicyStatement({
    actions: actions.map((a) => `dynamodb:${a}`),
    resources: [tableArn(scope, table)],
  });
}

export function putEventsStatement(scope: Construct) {
  return new PolicyStatement({ actions: ['events:PutEvents'], resources: [eventBusArn(scope)] });
}

/** postToConnection / deleteConnection on the connections of the WebSocket API's stage. */
export function manageConnectionsStatement(scope: Construct, webSocketApiId: string) {
  const api = Stack.of(scope).formatArn({ service: 'execute-api', resource: webSocketApiId });
  return new PolicyStatement({
    actions: ['execute-api:ManageConnections'],
    resources: [`${api}/${WEBSOCKET_STAGE}/*/@connections/*`],
  });
}
