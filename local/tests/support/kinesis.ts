// The local Kinesis on emulators of its own (a fresh data folder), with a client that speaks to it as the services'
// clients do (HTTP/1.1) and sees every refusal as it comes (no retries).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type Emulators, startEmulators } from '../../src/emulators.ts';

export interface LocalKinesis {
  emulators: Emulators;
  kinesis: KinesisClient;
  stop(): Promise<void>;
}

export async function startLocalKinesis(name: string, shards: number): Promise<LocalKinesis> {
  const dataDir = mkdtempSync(join(tmpdir(), `llt-${name}-`));
  const emulators = await startEmulators({ dataDir, region: 'eu-west-1', shards });
  const kinesis = new KinesisClient({
    region: 'eu-west-1',
    endpoint: emulators.endpoints.kinesis,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // HTTP/1.1, as the services' clients (the SDK's default handler for Kinesis speaks HTTP/2).
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
  return {
    emulators,
    kinesis,
    async stop() {
      kinesis.destroy();
      await emulators.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
