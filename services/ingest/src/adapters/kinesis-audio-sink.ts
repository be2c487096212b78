// The audio stream: one Kinesis record per accepted frame, partitioned by session id so a session's
// frames stay on one shard, in order.
import { type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { AudioSink } from '#core/ports';
import { AudioSinkError } from '#errors';

export class KinesisAudioSink implements AudioSink {
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
  ) {}

  async put(sessionId: string, record: Uint8Array): Promise<void> {
    try {
      await this.kinesis.send(
        new PutRecordCommand({ StreamName: this.streamName, PartitionKey: sessionId, Data: record }),
      );
    } catch (cause) {
      throw new AudioSinkError(`PutRecord to ${this.streamName} failed for session ${sessionId}`, { cause });
    }
  }
}
