// Synthesize: the workflow's Synthesize task (Amazon Polly on AWS): speech into the audio bucket's sessions/
// prefix, handed to listeners as presigned URLs (signed with this function's role, hence s3:GetObject); it looks up
// which parts of a sentence's speech exist (HeadObject, hence s3:ListBucket for a 404 on a missing one). It reads
// the session glossaries by version from the sessions table, to say each term as its spoken form.
import { AUDIO_OBJECTS, RESOURCE_ENV, SESSIONS_TABLE } from '@llt/platform';
import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { PARAMETERS } from '../config.ts';
import { FUNCTIONS } from '../functions.ts';
import { dynamoStatement, platformParameter, putEventsStatement } from '../platform-refs.ts';
import { ServiceStack, type ServiceStackProps } from './service-stack.ts';

export class SynthesizeStack extends ServiceStack {
  constructor(scope: Construct, id: string, props: ServiceStackProps = {}) {
    super(scope, id, props);
    const bucketName = platformParameter(this, PARAMETERS.audioBucketName);
    const audioBucket = `arn:${Stack.of(this).partition}:s3:::${bucketName}`;
    const audioObjects = `${audioBucket}/${AUDIO_OBJECTS.prefix}*`;

    this.addFunction('SynthesizeFunction', {
      spec: FUNCTIONS.synthesize,
      description: 'Workflow task: translated text to speech in S3 and a presigned URL (SpeechSynthesized)',
      // Inside the state's 15 s timeout.
      timeout: Duration.seconds(12),
      environment: { [RESOURCE_ENV.audioBucket]: bucketName },
    })
      .allowWildcard(
        new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [audioObjects] }),
        `One object per segment and language under ${AUDIO_OBJECTS.prefix} (keys made at run time); nothing else in the bucket. GetObject is what the presigned URLs listeners receive are authorized by.`,
      )
      // A final's speech looks up which clause parts were made (HeadObject). Without s3:ListBucket S3 answers a
      // missing key with 403 instead of 404, which cannot be told from a refusal
      // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
      .allow(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [audioBucket] }))
      .allow(putEventsStatement(this), dynamoStatement(this, SESSIONS_TABLE, ['GetItem']))
      .allowOnAnyResource(
        ['polly:SynthesizeSpeech'],
        'polly:SynthesizeSpeech is authorized on * (resource-level permissions only apply to lexicons, which are not used).',
      );
  }
}
