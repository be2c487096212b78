// KinesisAudioSink on mocked Kinesis: PutRecord partitioned by session id; every failure an AudioSinkError with cause.
import {
  KinesisClient,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { failureOf } from '@llt/platform/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import { KinesisAudioSink } from '#adapters/kinesis-audio-sink';
import { AudioSinkError } from '#errors';

const client = new KinesisClient({ region: 'eu-west-1' });
const kinesis = mockClient(client);
const sink = new KinesisAudioSink(client, 'llt-audio-test');

beforeEach(() => {
  kinesis.reset();
});

describe('KinesisAudioSink', () => {
  test('puts the record on the stream with the session id as partition key, bytes unchanged', async () => {
    kinesis.on(PutRecordCommand).resolves({ ShardId: 'shardId-000000000000', SequenceNumber: '1' });
    const record = new Uint8Array([1, 2, 3, 250, 251]);
    await sink.put('s_abcdefgh', record);
    const calls = kinesis.commandCalls(PutRecordCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      { StreamName: 'llt-audio-test', PartitionKey: 's_abcdefgh', Data: record },
    ]);
  });

  test.each([
    [
      'throughput exceeded',
      () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard', $metadata: {} }),
    ],
    ['a missing stream', () => new ResourceNotFoundException({ message: 'Stream not found', $metadata: {} })],
    ['a network error', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('%s becomes an AudioSinkError naming stream and session, keeping the cause', async (_label, make) => {
    const cause = make();
    kinesis.on(PutRecordCommand).rejects(cause);
    const error = await failureOf(sink.put('s_abcdefgh', new Uint8Array(4)));
    expect(error).toBeInstanceOf(AudioSinkError);
    expect(error.name).toBe('AudioSinkError');
    expect(error.message).toBe('PutRecord to llt-audio-test failed for session s_abcdefgh');
    expect(error.cause).toBe(cause);
    expect(kinesis.commandCalls(PutRecordCommand)).toHaveLength(1);
  });
});
