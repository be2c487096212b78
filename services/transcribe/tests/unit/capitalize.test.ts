import { expect, test } from 'vitest';
import { capitalizeTranscript } from '#core/capitalize';

test('capitalises the sentence start and the pronoun I with its contractions', () => {
  expect(capitalizeTranscript('i think i am ready')).toBe('I think I am ready');
  expect(capitalizeTranscript("well i'm sure i'll go and i've said i'd come")).toBe(
    "Well I'm sure I'll go and I've said I'd come",
  );
  expect(capitalizeTranscript('  the  ipad is in italy ')).toBe('The ipad is in italy');
  expect(capitalizeTranscript('')).toBe('');
});
