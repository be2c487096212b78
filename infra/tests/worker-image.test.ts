// The transcription worker's image, without Docker: its build stage's bundle (infra/src/bundling/worker-bundle.mjs,
// what the Dockerfile runs) loads outside the repository with the AWS engines, and run as the container runs it —
// `node worker.mjs`, configured by its environment — against the local emulators it takes the stream's shard
// leases, and on SIGTERM (how ECS stops a task) frees them and exits 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { AUDIO_STREAM_NAME, RESOURCE_ENV, SHARD_LEASES_TABLE, TRANSCRIPTS_TABLE } from '@llt/platform';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../local/src/emulators.ts';
// @ts-expect-error: a plain JavaScript module (the image's build stage runs it with Node alone).
import { bundleWorker } from '../src/bundling/worker-bundle.mjs';
import { workerEnvironment } from '../src/stacks/transcribe-stack.ts';
import { Stage } from '../src/stage.ts';

let dir: string;
let bundle: string;
let emulators: Emulators;
let db: DynamoDBClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llt-worker-image-'));
  bundle = join(dir, 'app', 'worker.mjs');
  await (bundleWorker as (outfile: string) => Promise<void>)(bundle);
  emulators = await startEmulators({ dataDir: join(dir, 'data'), region: 'us-east-1' });
  db = new DynamoDBClient({
    endpoint: emulators.endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
}, 120_000);

afterAll(async () => {
  db?.destroy();
  await emulators?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function leases(): Promise<Record<string, string | undefined>> {
  const items = (await db.send(new ScanCommand({ TableName: 'llt-shard-leases', ConsistentRead: true }))).Items ?? [];
  return Object.fromEntries(
    items.filter((i) => i.leaseKey?.S?.startsWith('shard#')).map((i) => [i.leaseKey!.S!, i.owner?.S]),
  );
}

async function until(what: string, done: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the bundle as the container runs it, against the local emulators. */
function startWorker() {
  const env = {
    PATH: process.env.PATH ?? '',
    ...workerEnvironment('INFO', new Stage('dev')),
    // The local emulators hold the resources under the local runtime's names (no stage).
    [RESOURCE_ENV.audioStream]: AUDIO_STREAM_NAME,
    [RESOURCE_ENV.shardLeasesTable]: SHARD_LEASES_TABLE.name,
    [RESOURCE_ENV.transcriptsTable]: TRANSCRIPTS_TABLE.name,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_METRICS_DISABLED: 'true',
    // As on ECS Fargate; tracing stays off all the same (POWERTOOLS_TRACE_ENABLED=false).
    AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE',
    LLT_KINESIS_ENDPOINT: emulators.endpoints.kinesis,
    LLT_DYNAMODB_ENDPOINT: emulators.endpoints.dynamodb,
    LLT_EVENTS_ENDPOINT: 'http://127.0.0.1:9',
    LLT_TRANSCRIBE_WORKER_ID: 'task-1',
  };
  let output = '';
  const worker: ChildProcess = spawn(process.execPath, [bundle], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  worker.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
  return { worker, exited, output: () => output };
}

describe('transcription worker image', () => {
  it('bundles into one ESM file that imports no local engine', () => {
    const code = readFileSync(bundle, 'utf8');
    expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
    expect(code).not.toMatch(/from\s*["'](koffi|wasm-media-encoders)["']/);
  });

  it('runs as the container does: takes the shard leases, and on SIGTERM frees them and exits 0', async () => {
    const { worker, exited, output } = startWorker();
    try {
      // The leases can all be taken before the worker logs that it started (its capacity probe reads /proc first):
      // wait for both.
      await until('the worker to hold every shard lease and say it started', async () => {
        const owners = Object.values(await leases());
        return (
          owners.length === 4 &&
          owners.every((owner) => owner === 'task-1') &&
          output().includes('transcription worker started')
        );
      }).catch((error: Error) => {
        throw new Error(`${error.message}; the worker printed:\n${output().slice(-3000)}`);
      });
      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Object.values(await leases())).toEqual([undefined, undefined, undefined, undefined]);
      expect(output()).toContain('stream worker stopped');
    } finally {
      worker.kill('SIGKILL');
    }
  }, 60_000);

  it('stops cleanly on a SIGTERM that arrives while it is still starting', async () => {
    const { worker, exited, output } = startWorker();
    try {
      // Its first lease is taken inside the start, before "started": the signal lands in that window (or just after
      // the start, which must stop as cleanly; resuming from the earlier runs' timestamp checkpoints).
      await until('the worker to take its first lease', async () => output().includes('"lease taken"'));
      worker.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('no exit'), 10_000))]);
      expect(code, output().slice(-3000)).toBe(0);
      expect(Object.values(await leases()).every((owner) => owner === undefined)).toBe(true);
      expect(output()).toContain('stream worker stopped');
    } finally {
      worker.kill('SIGKILL');
    }
  }, 60_000);
});
