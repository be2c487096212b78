// The audio bucket's lifecycle rule, locally: s3rver keeps objects forever, so synthesized speech older than
// the retention the CDK app gives S3 is deleted on a timer.
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { AUDIO_BUCKET_NAME, AUDIO_OBJECTS } from '@llt/platform';

export interface AudioSweeperOptions {
  s3: S3Client;
  bucket?: string;
  retentionMs?: number;
  intervalMs?: number;
  now?: () => number;
  onError: (error: unknown, where: string) => void;
}

/** Deletes the audio objects last modified before `now - retentionMs`; returns how many it deleted. */
export async function sweepAudio(
  s3: S3Client,
  { bucket = AUDIO_BUCKET_NAME, retentionMs = AUDIO_OBJECTS.retentionDays * 86_400_000, now = Date.now } = {},
): Promise<number> {
  const cutoff = now() - retentionMs;
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: AUDIO_OBJECTS.prefix, ContinuationToken: token }),
    );
    const expired = (page.Contents ?? []).filter((o) => o.Key && o.LastModified && o.LastModified.getTime() < cutoff);
    if (expired.length > 0) {
      await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: expired.map((o) => ({ Key: o.Key as string })), Quiet: true },
        }),
      );
      deleted += expired.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}

/** Sweeps every `intervalMs` (default 10 minutes); resolves with its stop. */
export function startAudioSweeper(options: AudioSweeperOptions): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = sweepAudio(options.s3, options).catch((error: unknown) => options.onError(error, 'audio sweeper'));
  }, options.intervalMs ?? 600_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
