// Deployment-wide constants of the CDK app: the SSM parameters the platform stack publishes for the service
// stacks, the WebSocket stage, the Lambda runtime and the languages the AWS engines offer.
import { fileURLToPath } from 'node:url';
import { type DeploymentLanguages, deriveLanguages, serializeLanguages } from '@llt/events';
import { AMAZON_POLLY_CAPABILITIES } from '@llt/synthesize/capabilities/aws';
import { AMAZON_TRANSCRIBE_CAPABILITIES } from '@llt/transcribe/capabilities/aws';
import { AMAZON_TRANSLATE_CAPABILITIES } from '@llt/translate/capabilities/aws';
import { Runtime } from 'aws-cdk-lib/aws-lambda';

/** The repository root: NodejsFunction bundles from here with the root lock file and the root esbuild. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * SSM parameters the platform stack writes and the service stacks read. A service stack resolves them when it
 * is deployed (CloudFormation `AWS::SSM::Parameter::Value<String>` parameters), so no stack exports anything and
 * each stack deploys on its own once the platform stack exists.
 */
export const PARAMETERS = {
  websocketApiId: '/llt/websocket/api-id',
  /** `wss://{api}.execute-api.{region}.amazonaws.com/{stage}`: what the apps connect to. */
  websocketUrl: '/llt/websocket/url',
  /** `https://{api}.execute-api.{region}.amazonaws.com/{stage}`: the Management API (postToConnection). */
  websocketManagementEndpoint: '/llt/websocket/management-endpoint',
  httpApiId: '/llt/http/api-id',
  httpApiUrl: '/llt/http/url',
  audioBucketName: '/llt/audio-bucket/name',
  userPoolId: '/llt/cognito/user-pool-id',
  userPoolClientId: '/llt/cognito/client-id',
  eventBusName: '/llt/event-bus/name',
  audioStreamName: '/llt/audio-stream/name',
  sessionsTableName: '/llt/tables/sessions',
  connectionsTableName: '/llt/tables/connections',
  transcriptsTableName: '/llt/tables/transcripts',
  captionsTableName: '/llt/tables/captions',
  translationMemoTableName: '/llt/tables/translation-memo',
} as const;

/** The transcription workers' ECS cluster and service: the transcribe stack names them, the dashboard finds them. */
export const TRANSCRIBE_WORKERS = { cluster: 'llt-transcribe', service: 'llt-transcribe-worker' } as const;

/**
 * Queues holding what could not be delivered (base names; each stage prefixes them): the workflow rule's dead-letter
 * queue, and each service's queue for events its rules could not deliver and asynchronous invocations that failed
 * after Lambda's retries. The observability stack alarms on each.
 */
export const FAILURE_QUEUES = {
  workflow: 'llt-workflow-undelivered',
  ingest: 'llt-ingest-undelivered',
  notify: 'llt-notify-undelivered',
  transcribe: 'llt-transcribe-undelivered',
} as const;

/** Stage of the WebSocket API; part of the Management API endpoint and of the ManageConnections ARN. */
export const WEBSOCKET_STAGE = 'live';

/**
 * Every function's runtime. Node.js 24 is the newest runtime this aws-cdk-lib knows; cdk-nag's AwsSolutions-L1
 * flags anything older.
 */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/**
 * What a deployment on AWS offers, derived from what the AWS engines declare: every Transcribe Streaming locale
 * Amazon Translate can translate from, every Translate target, spoken where Polly has a voice.
 */
export const AWS_LANGUAGES: DeploymentLanguages = deriveLanguages(
  AMAZON_TRANSCRIBE_CAPABILITIES,
  AMAZON_TRANSLATE_CAPABILITIES,
  AMAZON_POLLY_CAPABILITIES,
);

/** AWS_LANGUAGES as every service reads it (LLT_LANGUAGES). */
export const AWS_LANGUAGES_ENV = serializeLanguages(AWS_LANGUAGES);

/** The engines each service runs on AWS (their local defaults are PocketSphinx, Apertium and espeak-ng). */
export const AWS_ENGINES = {
  LLT_ASR_ENGINE: 'amazon-transcribe',
  LLT_TRANSLATE_ENGINE: 'amazon-translate',
  LLT_TTS_ENGINE: 'polly',
} as const;
