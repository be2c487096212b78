// In-process AWS API emulators on loopback ports: kinesalite (Kinesis), dynalite (DynamoDB), s3rver (S3),
// and the resources the services expect in them, created with the real SDK from the shared definitions.
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import {
  AUDIO_BUCKET_NAME,
  AUDIO_STREAM_NAME,
  type AwsEndpoints,
  CONNECTIONS_TABLE,
  SESSIONS_TABLE,
  s3Client,
  type TableDefinition,
} from '@llt/platform';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import S3rver from 's3rver';

export interface Emulators {
  endpoints: Required<Omit<AwsEndpoints, 'events'>>;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  /** Folder for S3 objects (kept across restarts). */
  dataDir: string;
  region: string;
  shards?: number;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('emulator has no port');
  return `http://127.0.0.1:${address.port}`;
}

export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const kinesisServer: Server = kinesalite({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 100,
  });
  const dynamoServer: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const s3Dir = `${options.dataDir}/s3`;
  mkdirSync(s3Dir, { recursive: true });
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir });
  const [kinesis, dynamodb, s3Address] = await Promise.all([listen(kinesisServer), listen(dynamoServer), s3.run()]);
  const endpoints = { region: options.region, kinesis, dynamodb, s3: `http://127.0.0.1:${s3Address.port}` };

  await Promise.all([
    createStream(endpoints, options.shards ?? 4),
    createTable(endpoints, SESSIONS_TABLE),
    createTable(endpoints, CONNECTIONS_TABLE),
    createBucket(endpoints),
  ]);

  return {
    endpoints,
    async stop() {
      await Promise.all([
        new Promise((resolve) => kinesisServer.close(resolve)),
        new Promise((resolve) => dynamoServer.close(resolve)),
        s3.close(),
      ]);
    },
  };
}

async function createStream(e: AwsEndpoints, shards: number): Promise<void> {
  const client = new KinesisClient({
    endpoint: e.kinesis,
    region: e.region,
    credentials,
    requestHandler: new NodeHttpHandler(),
  });
  await client.send(new CreateStreamCommand({ StreamName: AUDIO_STREAM_NAME, ShardCount: shards }));
  for (;;) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: AUDIO_STREAM_NAME }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  client.destroy();
}

export function tableInput(def: TableDefinition): CreateTableCommandInput {
  const keys = [def.partitionKey, ...(def.sortKey ? [def.sortKey] : [])];
  return {
    TableName: def.name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: keys.map((name, i) => ({ AttributeName: name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
  };
}

async function createTable(e: AwsEndpoints, def: TableDefinition): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: e.dynamodb,
    region: e.region,
    credentials,
    requestHandler: new NodeHttpHandler(),
  });
  await client.send(new CreateTableCommand(tableInput(def)));
  client.destroy();
}

async function createBucket(e: AwsEndpoints): Promise<void> {
  const client = s3Client(e);
  try {
    await client.send(new CreateBucketCommand({ Bucket: AUDIO_BUCKET_NAME }));
  } catch (error) {
    if ((error as Error).name !== 'BucketAlreadyOwnedByYou' && (error as Error).name !== 'BucketAlreadyExists')
      throw error;
  }
  // Listener pages fetch audio cross-origin and analyse it, which needs CORS.
  await client.send(
    new PutBucketCorsCommand({
      Bucket: AUDIO_BUCKET_NAME,
      CORSConfiguration: {
        CORSRules: [
          { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'HEAD'], AllowedHeaders: ['*'], MaxAgeSeconds: 3600 },
        ],
      },
    }),
  );
  client.destroy();
}
