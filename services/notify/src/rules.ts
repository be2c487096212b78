// The EventBridge rules whose target is a notify handler (the CDK app and the local runtime build them from
// this list, patterns from the event contracts).
import { patternFor, type RuleDefinition, TranscriptFinalizedV1, TranscriptPartialV1 } from '@llt/events';

export const NOTIFY_RULES: readonly RuleDefinition[] = [
  { name: 'notify-transcript-partial', pattern: patternFor(TranscriptPartialV1), handler: 'events' },
  { name: 'notify-transcript-finalized', pattern: patternFor(TranscriptFinalizedV1), handler: 'events' },
];
