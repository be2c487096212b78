// The EventBridge rules whose target is a transcribe handler (the CDK app and the local runtime build them from
// this list, patterns from the event contracts). They exist wherever transcribe runs: locally the handler's engine
// keeps no vocabularies and it does nothing, but it receives and validates the same events as on AWS.
import { GlossaryChangedV1, patternFor, type RuleDefinition, SessionEndedV1 } from '@llt/events';

export const TRANSCRIBE_RULES: readonly RuleDefinition[] = [
  // A session glossary becomes the engine's custom vocabulary ahead of speech.
  { name: 'transcribe-glossary-changed', pattern: patternFor(GlossaryChangedV1), handler: 'events' },
  // An ended session's vocabularies are deleted (the account holds 100).
  { name: 'transcribe-session-ended', pattern: patternFor(SessionEndedV1), handler: 'events' },
];
