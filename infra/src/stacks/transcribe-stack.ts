// Transcribe: the audio stream's consumer. One Kinesis event source mapping, per shard in order (parallelization
// 1: a session's frames must reach its recogniser in sequence), no batching delay, failed batches bisected and
// reported per record, what still fails recorded in an encrypted queue.
import { TRANSCRIPTS_TABLE } from '@llt/platform';
import { Duration } from 'aws-cdk-lib';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FUNCTIONS } from '../functions.ts';
import { acknowledge } from '../nag.ts';
import { audioStreamArn, dynamoStatement, putEventsStatement } from '../platform-refs.ts';
import { ServiceStack, type ServiceStackProps } from './service-stack.ts';

export class TranscribeStack extends ServiceStack {
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: ServiceStackProps = {}) {
    super(scope, id, props);

    const transcribe = this.addFunction('KinesisFunction', {
      spec: FUNCTIONS.transcribeKinesis,
      description: 'Kinesis audio to Amazon Transcribe streaming: partial and final transcripts',
      timeout: Duration.seconds(30),
    })
      .allow(dynamoStatement(this, TRANSCRIPTS_TABLE, ['PutItem']), putEventsStatement(this))
      .allowOnAnyResource(
        ['transcribe:StartStreamTranscription'],
        'transcribe:StartStreamTranscription has no resource-level permissions (Amazon Transcribe streaming).',
      );

    this.failures = new Queue(this, 'AudioBatchFailures', {
      queueName: 'llt-transcribe-failures',
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.failures, {
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the on-failure destination of the Kinesis event source mapping (records of batches that exhausted their retries).',
    });

    const stream = Stream.fromStreamArn(this, 'AudioStream', audioStreamArn(this));
    transcribe.function.addEventSource(
      new KinesisEventSource(stream, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(0),
        parallelizationFactor: 1,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 3,
        // Audio older than a minute is no use to a live caption.
        maxRecordAge: Duration.minutes(1),
        onFailure: new SqsDlq(this.failures),
      }),
    );
  }
}
