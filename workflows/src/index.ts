// The translation fan-out workflow: its ASL (the file the CDK app deploys and the local runtime runs), the
// rule that starts it and the Lambda functions its Task states call.
import { readFileSync } from 'node:fs';
import { patternForAny, type RuleDefinition, TranscriptFinalizedV1, TranscriptStabilizedV1 } from '@llt/events';

export interface WorkflowDefinition {
  name: string;
  /** Path of the ASL document; CDK reads it with DefinitionBody.fromFile. */
  aslPath: string;
  /** The parsed ASL, `${…}` placeholders unresolved. */
  definition: object;
  /** Placeholder → the function it names (the service and handler that implement the task). */
  functions: Readonly<Record<string, WorkflowFunction>>;
  /** The EventBridge rule whose target is the state machine. */
  rule: RuleDefinition;
}

export interface WorkflowFunction {
  /** Function name used locally (on AWS, CDK substitutes the deployed function's ARN). */
  name: string;
  service: 'translate' | 'synthesize' | 'notify';
  /** Export of `@llt/<service>/handlers/workflow` that implements the task. */
  handler: string;
}

const aslPath = new URL('./translation-fanout.asl.json', import.meta.url).pathname;

export const TRANSLATION_FANOUT: WorkflowDefinition = {
  name: 'llt-translation-fanout',
  aslPath,
  definition: JSON.parse(readFileSync(aslPath, 'utf8')) as object,
  functions: {
    ResolveLanguagesFunction: { name: 'llt-notify-languages', service: 'notify', handler: 'languagesHandler' },
    TranslateFunction: { name: 'llt-translate', service: 'translate', handler: 'translateHandler' },
    NotifyCaptionFunction: { name: 'llt-notify-caption', service: 'notify', handler: 'captionHandler' },
    SynthesizeFunction: { name: 'llt-synthesize', service: 'synthesize', handler: 'synthesizeHandler' },
    NotifyAudioFunction: { name: 'llt-notify-audio', service: 'notify', handler: 'audioHandler' },
  },
  // A finalized utterance runs the full fan-out, a stable increment of one in progress the provisional branch.
  rule: {
    name: 'workflow-transcripts',
    pattern: patternForAny(TranscriptFinalizedV1, TranscriptStabilizedV1),
    handler: 'workflow',
  },
};
