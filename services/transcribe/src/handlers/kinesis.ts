// Kinesis event source handler: decodes the batch's audio records and hands them to the transcriber.
// Recogniser state lives in this module for the life of the process: one stream per live session. Not deployed on
// AWS (Lambda would not keep that state: the stream workers, handlers/worker.ts, read the stream there); the local
// runtime calls it until it runs the workers too.
import { type AudioRecord, AudioRecordFormatError, decodeAudioRecord } from '@llt/events';
import { withObservability } from '@llt/platform';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createTranscriberDeps } from '#adapters/index';
import { loadConfig } from '#config';
import { Transcriber } from '#core/transcriber';
import { observability } from '../observability.ts';

export function makeKinesisHandler(transcriber: Transcriber, onMalformed: (error: Error, eventId: string) => void) {
  return async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
    const records: AudioRecord[] = [];
    for (const record of event.Records) {
      try {
        records.push(decodeAudioRecord(Buffer.from(record.kinesis.data, 'base64')));
      } catch (error) {
        // A record that can never be decoded is skipped (and logged), not retried forever.
        if (!(error instanceof AudioRecordFormatError)) throw error;
        onMalformed(error, record.eventID);
      }
    }
    await transcriber.handle(records);
    return { batchItemFailures: [] };
  };
}

/** The deployed handler: the transcriber is built on the first invocation from `env` (process.env on Lambda). */
export function createKinesisHandler(env: NodeJS.ProcessEnv = process.env) {
  let transcriber: Transcriber | undefined;
  let route: ReturnType<typeof makeKinesisHandler> | undefined;
  const handler = withObservability(async (event: KinesisStreamEvent, _context: Context) => {
    if (!route) {
      transcriber = new Transcriber(await createTranscriberDeps(loadConfig(env), observability));
      route = makeKinesisHandler(transcriber, (error, eventId) => {
        observability.count('MalformedRecords');
        observability.logger.error('malformed audio record skipped', { eventId, error: error.message });
      });
    }
    return route(event);
  }, observability);
  return Object.assign(handler, {
    /** Releases every recogniser (the local runtime calls this on shutdown). */
    shutdown: async () => transcriber?.shutdown(),
    /**
     * Releases idle sessions' recognisers. Lambda does this after each batch only; a long-running process
     * (the local runtime) also calls it on a timer, so a speaker who vanished does not hold a decoder.
     */
    sweep: async () => transcriber?.releaseIdle(),
  });
}

export const handler = createKinesisHandler();
