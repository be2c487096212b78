// Sending messages to WebSocket clients through the API Gateway Management API (served locally by the gateway).
import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';

export type SendResult = 'sent' | 'gone';

export interface ClientChannel {
  /** Sends one JSON message; 'gone' when the connection no longer exists (HTTP 410). */
  send(connectionId: string, message: unknown): Promise<SendResult>;
  /** Closes the connection from the server side; a connection already gone is not an error. */
  disconnect(connectionId: string): Promise<void>;
  /** Whether the connection still exists (its $disconnect may have been lost with a crashed server). */
  isConnected(connectionId: string): Promise<boolean>;
}

export class ManagementApiChannel implements ClientChannel {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async send(connectionId: string, message: unknown): Promise<SendResult> {
    try {
      await this.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify(message)) }),
      );
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw error;
    }
  }

  async disconnect(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }

  async isConnected(connectionId: string): Promise<boolean> {
    try {
      await this.client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      return true;
    } catch (error) {
      if (isGone(error)) return false;
      throw error;
    }
  }
}

function isGone(error: unknown): boolean {
  return (
    error instanceof GoneException ||
    (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 410
  );
}
