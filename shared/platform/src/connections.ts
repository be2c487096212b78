// Sending messages to WebSocket clients through the API Gateway Management API (served locally by the gateway).
import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';

export type SendResult = 'sent' | 'gone';

/** What the Management API's GET @connections tells about a connection. */
export interface ConnectionInfo {
  /** Epoch ms. */
  connectedAt: number;
  /** Epoch ms of the last message from the client (what the server posts does not count). */
  lastActiveAt: number;
}

export interface ClientChannel {
  /** Sends one JSON message; 'gone' when the connection no longer exists (HTTP 410). */
  send(connectionId: string, message: unknown): Promise<SendResult>;
  /** Closes the connection from the server side; a connection already gone is not an error. */
  disconnect(connectionId: string): Promise<void>;
  /** Whether the connection still exists (its $disconnect may have been lost with a crashed server). */
  isConnected(connectionId: string): Promise<boolean>;
}

/** Looks a connection up: when it opened and when its client last sent something. */
export interface ConnectionInspector {
  /** undefined when the connection no longer exists (HTTP 410). */
  connection(connectionId: string): Promise<ConnectionInfo | undefined>;
}

export class ManagementApiChannel implements ClientChannel, ConnectionInspector {
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
    return (await this.connection(connectionId)) !== undefined;
  }

  async connection(connectionId: string): Promise<ConnectionInfo | undefined> {
    try {
      const found = await this.client.send(new GetConnectionCommand({ ConnectionId: connectionId }));
      const connectedAt = found.ConnectedAt?.getTime() ?? 0;
      return { connectedAt, lastActiveAt: found.LastActiveAt?.getTime() ?? connectedAt };
    } catch (error) {
      if (isGone(error)) return undefined;
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
