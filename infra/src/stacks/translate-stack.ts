// Translate: the workflow's Translate task (Amazon Translate on AWS), with its memo of the pieces translated for
// utterances in progress (written as increments are translated, read back by clauses and finals), and the session
// glossaries it reads by version from the sessions table.
import { RESOURCE_ENV, SESSIONS_TABLE, TRANSLATION_MEMO_TABLE } from '@llt/platform';
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { FUNCTIONS } from '../functions.ts';
import { dynamoStatement, putEventsStatement, stagedName } from '../platform-refs.ts';
import { ServiceStack, type ServiceStackProps } from './service-stack.ts';

export class TranslateStack extends ServiceStack {
  constructor(scope: Construct, id: string, props: ServiceStackProps = {}) {
    super(scope, id, props);
    this.addFunction('TranslateFunction', {
      spec: FUNCTIONS.translate,
      description: 'Workflow task: one utterance into one target language (TranslationReady)',
      memorySize: 512,
      // Inside the state's 10 s timeout, so a slow call is retried by the workflow, not cut off mid-way.
      timeout: Duration.seconds(8),
      environment: { [RESOURCE_ENV.translationMemoTable]: stagedName(this, TRANSLATION_MEMO_TABLE.name) },
    })
      .allow(
        putEventsStatement(this),
        dynamoStatement(this, TRANSLATION_MEMO_TABLE, ['PutItem', 'Query']),
        dynamoStatement(this, SESSIONS_TABLE, ['GetItem']),
      )
      .allowOnAnyResource(
        ['translate:TranslateText'],
        'translate:TranslateText is authorized on * (resource-level permissions only apply to custom terminologies, which are not used).',
      );
  }
}
