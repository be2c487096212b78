// S3 AudioStore: synthesized sentences as private objects, handed to listeners as short-lived presigned GET URLs.
import { GetObjectCommand, HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AudioStore } from '#core/ports';
import { SynthesisError } from '#errors';

/** Error name the workflow can match on; keep it stable. */
export const AUDIO_STORE_ERROR = 'AudioStoreError';

export class AudioStoreError extends SynthesisError {
  override name = AUDIO_STORE_ERROR;
}

// Listeners fetch a sentence once, right after it is announced; a browser may replay it from cache for a few
// minutes, but nothing shared (a CDN or proxy) may keep audio of a private session.
const CACHE_CONTROL = 'private, max-age=300';
// SigV4's ceiling for presigned URLs.
const MAX_EXPIRES_S = 7 * 24 * 3600;

export class S3AudioStore implements AudioStore {
  readonly #presigner: S3Client;

  /**
   * @param publicEndpoint Origin the listeners' browsers reach the bucket at when it differs from the endpoint this
   *   client uses (locally, s3rver behind another host name). The host is part of the signature, so URLs are signed
   *   for that origin rather than rewritten afterwards. Unset on AWS: the client's own endpoint is public.
   */
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    publicEndpoint?: string,
  ) {
    // Presigning is offline: the second client only needs what goes into the URL and its signature.
    this.#presigner = publicEndpoint
      ? new S3Client({
          endpoint: publicEndpoint,
          region: client.config.region,
          credentials: client.config.credentials,
          forcePathStyle: client.config.forcePathStyle,
          // These decide which x-amz-checksum-* parameters land in the URL; sign as the client the service was given.
          requestChecksumCalculation: client.config.requestChecksumCalculation,
          responseChecksumValidation: client.config.responseChecksumValidation,
        })
      : client;
  }

  async put(key: string, audio: Uint8Array, contentType: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: audio,
          ContentType: contentType,
          CacheControl: CACHE_CONTROL,
        }),
      );
    } catch (cause) {
      throw new AudioStoreError(`could not store s3://${this.bucket}/${key} (${describeError(cause)})`, { cause });
    }
  }

  /**
   * HeadObject: 404 when the object is not there. S3 answers 403 instead when the caller may not list the bucket
   * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html), which is refused here as an error, not
   * taken for "missing": the function's role is granted s3:ListBucket on the bucket for this.
   */
  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (cause) {
      if (cause instanceof NotFound || (cause as { name?: string }).name === 'NotFound') return false;
      throw new AudioStoreError(`could not look up s3://${this.bucket}/${key} (${describeError(cause)})`, { cause });
    }
  }

  async presign(key: string, expiresInS: number): Promise<string> {
    if (!Number.isInteger(expiresInS) || expiresInS < 1 || expiresInS > MAX_EXPIRES_S) {
      throw new AudioStoreError(`presigned URL lifetime must be 1–${MAX_EXPIRES_S} whole seconds, not ${expiresInS}`);
    }
    try {
      return await getSignedUrl(this.#presigner, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        expiresIn: expiresInS,
      });
    } catch (cause) {
      throw new AudioStoreError(`could not presign s3://${this.bucket}/${key} (${describeError(cause)})`, { cause });
    }
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
