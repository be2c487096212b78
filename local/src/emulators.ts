// In-process AWS API emulators on loopback ports: kinesalite (Kinesis), dynalite (DynamoDB), s3rver (S3),
// run on worker threads with their data under the data directory, and the resources the services expect in
// them, created with the real SDK from the shared definitions when they are not there yet (a restart finds
// them, with everything stored in them).
import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  RegisterStreamConsumerCommand,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { EVENT_BUS_NAME } from '@llt/events';
import {
  AUDIO_BUCKET_NAME,
  AUDIO_STREAM_CONSUMER_NAME,
  AUDIO_STREAM_NAME,
  type AwsEndpoints,
  CAPTIONS_TABLE,
  CONNECTIONS_TABLE,
  RESOURCE_ENV,
  SESSIONS_TABLE,
  SHARD_LEASES_TABLE,
  s3Client,
  type TableDefinition,
  TRANSCRIPTS_TABLE,
  TRANSLATION_MEMO_TABLE,
} from '@llt/platform';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface Emulators {
  endpoints: Required<Omit<AwsEndpoints, 'events'>>;
  /** The transcription workers' registered consumer of the audio stream (SubscribeToShard). */
  audioConsumerArn: string;
  stop(): Promise<void>;
}

/**
 * What a service needs to reach the local emulators and the event bus: the region, the endpoints and the resource
 * names under the variables the handlers read them from (`RESOURCE_ENV`), as the CDK app sets them on AWS.
 */
export function emulatorEnv(
  region: string,
  { endpoints, audioConsumerArn }: Pick<Emulators, 'endpoints' | 'audioConsumerArn'>,
  eventsEndpoint: string,
) {
  return {
    AWS_REGION: region,
    LLT_KINESIS_ENDPOINT: endpoints.kinesis,
    LLT_KINESIS_HTTP2_ENDPOINT: endpoints.kinesisHttp2,
    LLT_DYNAMODB_ENDPOINT: endpoints.dynamodb,
    LLT_S3_ENDPOINT: endpoints.s3,
    LLT_EVENTS_ENDPOINT: eventsEndpoint,
    [RESOURCE_ENV.sessionsTable]: SESSIONS_TABLE.name,
    [RESOURCE_ENV.connectionsTable]: CONNECTIONS_TABLE.name,
    [RESOURCE_ENV.transcriptsTable]: TRANSCRIPTS_TABLE.name,
    [RESOURCE_ENV.captionsTable]: CAPTIONS_TABLE.name,
    [RESOURCE_ENV.translationMemoTable]: TRANSLATION_MEMO_TABLE.name,
    [RESOURCE_ENV.audioStream]: AUDIO_STREAM_NAME,
    [RESOURCE_ENV.audioStreamConsumer]: audioConsumerArn,
    [RESOURCE_ENV.audioBucket]: AUDIO_BUCKET_NAME,
    [RESOURCE_ENV.eventBus]: EVENT_BUS_NAME,
  };
}

export interface EmulatorOptions {
  /** Folder for the stream, the tables and the S3 objects (kept across restarts). */
  dataDir: string;
  region: string;
  shards?: number;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export class EmulatorStartError extends Error {
  override name = 'EmulatorStartError';
}

type EmulatorName = 'kinesis' | 'dynamodb' | 's3';
/** What the emulators listen on: one endpoint each, and Kinesis' HTTP/2 one (SubscribeToShard). */
type EndpointName = EmulatorName | 'kinesisHttp2';
type WorkerMessage =
  | { type: 'ready'; endpoints: Record<EndpointName, string> }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

/** Starts some emulators on a worker thread of their own; resolves with their endpoints and a stop function. */
async function startWorker(emulators: EmulatorName[], dataDir: string) {
  // A worker inherits the parent's execArgv; it is plain JavaScript and needs no loader flags.
  const worker = new Worker(new URL('./emulator-worker.mjs', import.meta.url), {
    workerData: { emulators, s3Dir: `${dataDir}/s3`, dbDir: dataDir },
    execArgv: [],
  });
  const endpoints = await new Promise<Partial<Record<EndpointName, string>>>((resolve, reject) => {
    worker.once('error', (cause) => reject(new EmulatorStartError('emulator worker crashed', { cause })));
    worker.once('message', (message: WorkerMessage) => {
      if (message.type === 'ready') resolve(message.endpoints);
      else
        reject(
          new EmulatorStartError(
            `emulators did not start: ${message.type === 'failed' ? message.message : message.type}`,
          ),
        );
    });
  });
  const stop = async () => {
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    await worker.terminate();
  };
  return { endpoints, stop };
}

export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  mkdirSync(`${options.dataDir}/s3`, { recursive: true });
  // Kinesis and DynamoDB each see one request per audio frame: each gets an event loop (and core) of its own. S3
  // gets a third: its uploads of synthesized speech (tens of KB written to files) held DynamoDB's requests up when
  // they shared one, and with them the frames' sequence claims (`npm run bench:e2e:hard`, two pairs of runs in one
  // sitting, shared → own: ingest.FrameClaimMs p95 25 → 17 and 25 → 19 ms, RecordToRecognizerMs p95 398 → 160 and
  // 150 → 139 ms, translated caption p50 644 → 553 and 574 → 553 ms).
  const workers = await Promise.all([
    startWorker(['kinesis'], options.dataDir),
    startWorker(['dynamodb'], options.dataDir),
    startWorker(['s3'], options.dataDir),
  ]);
  const all = Object.assign({}, ...workers.map((w) => w.endpoints)) as Record<EndpointName, string>;
  const endpoints = {
    region: options.region,
    kinesis: all.kinesis,
    kinesisHttp2: all.kinesisHttp2,
    dynamodb: all.dynamodb,
    s3: all.s3,
  };
  const stop = async () => {
    await Promise.all(workers.map((w) => w.stop()));
  };

  let audioConsumerArn: string;
  try {
    [audioConsumerArn] = await Promise.all([
      createStream(endpoints, options.shards ?? 4),
      createTable(endpoints, SESSIONS_TABLE),
      createTable(endpoints, CONNECTIONS_TABLE),
      createTable(endpoints, TRANSCRIPTS_TABLE),
      createTable(endpoints, CAPTIONS_TABLE),
      createTable(endpoints, SHARD_LEASES_TABLE),
      createTable(endpoints, TRANSLATION_MEMO_TABLE),
      createBucket(endpoints),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints, audioConsumerArn, stop };
}

/** The audio stream, active, with the transcription workers' consumer registered (a restart registers it anew). */
async function createStream(e: AwsEndpoints, shards: number): Promise<string> {
  const client = new KinesisClient({
    endpoint: e.kinesis,
    region: e.region,
    credentials,
    requestHandler: new NodeHttpHandler(),
  });
  await unlessPresent(client.send(new CreateStreamCommand({ StreamName: AUDIO_STREAM_NAME, ShardCount: shards })), [
    'ResourceInUseException',
  ]);
  for (;;) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: AUDIO_STREAM_NAME }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') {
      const registered = await client.send(
        new RegisterStreamConsumerCommand({
          StreamARN: out.StreamDescriptionSummary.StreamARN,
          ConsumerName: AUDIO_STREAM_CONSUMER_NAME,
        }),
      );
      client.destroy();
      const arn = registered.Consumer?.ConsumerARN;
      if (!arn) throw new EmulatorStartError('the Kinesis emulator registered no consumer');
      return arn;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
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
  try {
    await unlessPresent(client.send(new CreateTableCommand(tableInput(def))), ['ResourceInUseException']);
  } finally {
    client.destroy();
  }
}

/** A create call whose "already exists" errors mean the resource was kept from the previous run. */
async function unlessPresent(creating: Promise<unknown>, existsErrors: readonly string[]): Promise<void> {
  try {
    await creating;
  } catch (error) {
    if (!existsErrors.includes((error as Error).name)) throw error;
  }
}

async function createBucket(e: AwsEndpoints): Promise<void> {
  const client = s3Client(e);
  await unlessPresent(client.send(new CreateBucketCommand({ Bucket: AUDIO_BUCKET_NAME })), [
    'BucketAlreadyOwnedByYou',
    'BucketAlreadyExists',
  ]);
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
