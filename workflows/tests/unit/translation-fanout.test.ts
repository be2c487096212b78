// The deployed ASL of the translation fan-out, run by the local interpreter with stand-in task functions:
// which tasks run for which language, in what order, and how one failure stays in its own branch.
import { TranscriptFinalizedV1, TranscriptStabilizedV1 } from '@llt/events';
import { LocalStateMachine, type TaskFunction } from '@llt/local/stepfunctions';
import { expect, test } from 'vitest';
import finalSample from '../../../shared/events/samples/llt.transcribe@TranscriptFinalized.v1.json';
import stableSample from '../../../shared/events/samples/llt.transcribe@TranscriptStabilized.v1.json';
import { TRANSLATION_FANOUT } from '../../src/index.ts';

type Call = { fn: string; at: number; payload: Record<string, unknown> };

class TransientError extends Error {
  override name = 'TranslationEngineError';
}
class PermanentError extends Error {
  override name = 'UnsupportedLanguagePairError';
}

function machineWith(
  overrides: Partial<Record<string, TaskFunction>> = {},
  languages = ['ca', 'eo', 'es'],
  spoken = languages,
) {
  const calls: Call[] = [];
  let clock = 0;
  const record = (fn: string, payload: unknown) =>
    calls.push({ fn, at: clock++, payload: payload as Record<string, unknown> });
  const defaults: Record<string, TaskFunction> = {
    ResolveLanguagesFunction: async (p) => {
      record('languages', p);
      return { languages, spoken, duplicate: false };
    },
    TranslateFunction: async (p) => {
      record('translate', p);
      const { transcript, targetLanguage } = p as { transcript: { text: string }; targetLanguage: string };
      return { targetLanguage, text: `${targetLanguage}:${transcript.text}` };
    },
    NotifyCaptionFunction: async (p) => {
      record('caption', p);
      return { sent: 1, gone: 0, failed: 0 };
    },
    SynthesizeFunction: async (p) => {
      record('synthesize', p);
      return { language: (p as { targetLanguage: string }).targetLanguage, url: 'http://audio' };
    },
    NotifyAudioFunction: async (p) => {
      record('audio', p);
      return { sent: 1, gone: 0, failed: 0 };
    },
  };
  const tasks: Record<string, TaskFunction> = {};
  const substitutions: Record<string, string> = {};
  for (const [placeholder, fn] of Object.entries(TRANSLATION_FANOUT.functions)) {
    tasks[fn.name] = (overrides[placeholder] ?? defaults[placeholder]) as TaskFunction;
    substitutions[placeholder] = fn.name;
  }
  const machine = new LocalStateMachine({
    name: TRANSLATION_FANOUT.name,
    definition: TRANSLATION_FANOUT.definition,
    tasks,
    substitutions,
    retryIntervalOverrides: {
      TranslateIncrement: 0,
      NotifyPartialTranslation: 0,
      ProvisionalLanguages: 0,
      Translate: 0,
      Synthesize: 0,
      NotifyCaption: 0,
      NotifyAudio: 0,
      ResolveLanguages: 0,
    },
    onExecutionFailed: () => undefined,
  });
  return { machine, calls, record };
}

const transcript = TranscriptFinalizedV1.schema.parse(finalSample);
const event = {
  version: '0',
  id: 'e1',
  'detail-type': 'TranscriptFinalized',
  source: 'llt.transcribe',
  account: '000000000000',
  time: '2026-11-21T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: transcript,
};

test('every language with listeners is translated, its caption delivered and its speech synthesized then delivered', async () => {
  const { machine, calls } = machineWith();
  const result = await machine.startSyncExecution(event);
  expect(result.status).toBe('SUCCEEDED');
  expect(calls[0]).toMatchObject({ fn: 'languages', payload: { transcript } });
  expect(calls[0]?.payload.executionId).toBe(result.executionArn);
  for (const language of ['ca', 'eo', 'es']) {
    const mine = calls.filter(
      (c) =>
        (c.payload as { targetLanguage?: string }).targetLanguage === language ||
        (c.payload as { language?: string }).language === language,
    );
    expect(mine.map((c) => c.fn).sort()).toEqual(['audio', 'caption', 'synthesize', 'translate']);
    const at = Object.fromEntries(mine.map((c) => [c.fn, c.at]));
    expect(at.translate).toBeLessThan(at.caption as number);
    expect(at.synthesize).toBeLessThan(at.audio as number);
    // The translate task gets the transcript and its language; caption and synthesis get the translation.
    expect(mine.find((c) => c.fn === 'translate')?.payload).toEqual({ transcript, targetLanguage: language });
    expect(mine.find((c) => c.fn === 'caption')?.payload).toEqual({
      targetLanguage: language,
      text: `${language}:${transcript.text}`,
    });
    expect(mine.find((c) => c.fn === 'audio')?.payload).toEqual({ language, url: 'http://audio' });
  }
});

test('a language without a voice gets its caption and no synthesis; the spoken ones get both', async () => {
  const { machine, calls } = machineWith({}, ['ca', 'gl'], ['ca']);
  const result = await machine.startSyncExecution(event);
  expect(result.status).toBe('SUCCEEDED');
  const fns = (language: string) =>
    calls
      .filter((c) => [c.payload.targetLanguage, c.payload.language].includes(language))
      .map((c) => c.fn)
      .sort();
  expect(fns('gl')).toEqual(['caption', 'translate']);
  expect(fns('ca')).toEqual(['audio', 'caption', 'synthesize', 'translate']);
});

test('a caption never waits for speech synthesis', async () => {
  let releaseSynthesis: () => void = () => undefined;
  const synthesisHeld = new Promise<void>((resolve) => {
    releaseSynthesis = resolve;
  });
  let captionDelivered = false;
  const { machine } = machineWith(
    {
      NotifyCaptionFunction: async () => {
        captionDelivered = true;
        releaseSynthesis();
        return { sent: 1, gone: 0, failed: 0 };
      },
      SynthesizeFunction: async () => {
        await synthesisHeld;
        expect(captionDelivered).toBe(true);
        return { url: 'http://audio' };
      },
    },
    ['es'],
  );
  expect((await machine.startSyncExecution(event)).status).toBe('SUCCEEDED');
  expect(captionDelivered).toBe(true);
});

test('one language failing for good does not hold up the others, and the output says which failed', async () => {
  const { machine, calls, record } = machineWith({
    TranslateFunction: async (p) => {
      record('translate', p);
      const { targetLanguage } = p as { targetLanguage: string };
      if (targetLanguage === 'eo') throw new PermanentError('no pair');
      return { targetLanguage, text: 'ok' };
    },
  });
  const result = await machine.startSyncExecution(event);
  expect(result.status).toBe('SUCCEEDED');
  // Not retryable: translated once, then caught.
  expect(calls.filter((c) => c.fn === 'translate' && c.payload.targetLanguage === 'eo')).toHaveLength(1);
  expect(
    calls
      .filter((c) => c.fn === 'caption')
      .map((c) => c.payload.targetLanguage)
      .sort(),
  ).toEqual(['ca', 'es']);
  const output = result.outputValue as { languages: { language?: string; failed?: string }[] };
  expect(output.languages.find((l) => l.language === 'eo')).toMatchObject({ failed: 'translate' });
});

test('a transient engine error is retried; speech failing leaves the caption delivered', async () => {
  let attempts = 0;
  const { machine, calls, record } = machineWith(
    {
      TranslateFunction: async (p) => {
        record('translate', p);
        if (++attempts === 1) throw new TransientError('pipeline restarted');
        return { targetLanguage: 'es', text: 'hola' };
      },
      SynthesizeFunction: async () => {
        throw new PermanentError('no voice');
      },
    },
    ['es'],
  );
  const result = await machine.startSyncExecution(event);
  expect(result.status).toBe('SUCCEEDED');
  expect(calls.filter((c) => c.fn === 'translate')).toHaveLength(2);
  expect(calls.filter((c) => c.fn === 'caption')).toHaveLength(1);
  expect(calls.filter((c) => c.fn === 'audio')).toHaveLength(0);
  const output = result.outputValue as { languages: { caption: unknown; speech: { failed?: string } }[] };
  expect(output.languages[0]?.speech).toMatchObject({ failed: 'speech' });
  expect(output.languages[0]?.caption).toEqual({ delivery: { sent: 1, gone: 0, failed: 0 } });
});

test('a segment already fanned out by another execution reaches nobody', async () => {
  const { machine, calls } = machineWith({
    ResolveLanguagesFunction: async () => ({ languages: [], spoken: [], duplicate: true }),
  });
  expect((await machine.startSyncExecution(event)).status).toBe('SUCCEEDED');
  expect(calls).toEqual([]);
});

test('a notify task that timed out is not retried: it reached some listeners, a retry would repeat it to them', () => {
  const text = JSON.stringify(TRANSLATION_FANOUT.definition);
  const definition = JSON.parse(text) as {
    States: { PerLanguage: { ItemProcessor: { States: { CaptionAndSpeech: { Branches: { States: object }[] } } } } };
  };
  const states = definition.States.PerLanguage.ItemProcessor.States.CaptionAndSpeech.Branches.flatMap((b) =>
    Object.entries(b.States),
  ) as [string, { Retry?: { ErrorEquals: string[] }[] }][];
  const notify = states.filter(([name]) => name.startsWith('Notify'));
  expect(notify.map(([name]) => name).sort()).toEqual(['NotifyAudio', 'NotifyCaption']);
  for (const [, state] of notify) {
    expect(state.Retry?.flatMap((r) => r.ErrorEquals)).not.toContain('States.Timeout');
  }
});

const increment = TranscriptStabilizedV1.schema.parse(stableSample);
const stableEvent = { ...event, id: 'e2', 'detail-type': 'TranscriptStabilized', detail: increment };

test('a stable increment is translated into every connected language and delivered as a provisional caption, not synthesized unless it ends a clause', async () => {
  const { machine, calls } = machineWith({
    ResolveLanguagesFunction: async (p) => {
      calls.push({ fn: 'languages', at: -1, payload: p as Record<string, unknown> });
      return { languages: ['ca', 'es'], spoken: ['ca', 'es'] };
    },
    TranslateFunction: async (p) => {
      calls.push({ fn: 'translate', at: -1, payload: p as Record<string, unknown> });
      const { increment: inc, targetLanguage } = p as { increment: { text: string }; targetLanguage: string };
      return { targetLanguage, increment: 1, text: `${targetLanguage}:${inc.text}` };
    },
  });
  const result = await machine.startSyncExecution(stableEvent);
  expect(result.status).toBe('SUCCEEDED');
  expect(calls[0]).toEqual({ fn: 'languages', at: -1, payload: { increment } });
  for (const language of ['ca', 'es']) {
    expect(calls.find((c) => c.fn === 'translate' && c.payload.targetLanguage === language)?.payload).toEqual({
      increment,
      targetLanguage: language,
    });
    expect(calls.find((c) => c.fn === 'caption' && c.payload.targetLanguage === language)?.payload).toEqual({
      targetLanguage: language,
      increment: 1,
      text: `${language}:${increment.text}`,
    });
  }
  expect(calls.filter((c) => ['synthesize', 'audio'].includes(c.fn))).toEqual([]);
});

test('a provisional translation that fails leaves the other languages and the execution unharmed', async () => {
  const { machine, calls } = machineWith({
    ResolveLanguagesFunction: async () => ({ languages: ['ca', 'es'], spoken: ['ca', 'es'] }),
    TranslateFunction: async (p) => {
      const { targetLanguage } = p as { targetLanguage: string };
      if (targetLanguage === 'ca') throw new PermanentError('no');
      return { targetLanguage, increment: 1, text: 'hola' };
    },
  });
  const result = await machine.startSyncExecution(stableEvent);
  expect(result.status).toBe('SUCCEEDED');
  expect(calls.filter((c) => c.fn === 'caption').map((c) => c.payload.targetLanguage)).toEqual(['es']);
  const output = JSON.parse(result.output ?? '{}') as { languages: { failed?: string; language?: string }[] };
  expect(output.languages).toContainEqual(expect.objectContaining({ failed: 'provisional', language: 'ca' }));
});

test('the rule starts the workflow for finalized and stabilized transcripts only', () => {
  expect(TRANSLATION_FANOUT.rule.pattern).toEqual({
    source: ['llt.transcribe'],
    'detail-type': ['TranscriptFinalized', 'TranscriptStabilized'],
    detail: { v: [1] },
  });
});

test('an increment that ends a clause is also spoken, in the languages with a voice only, beside its caption', async () => {
  const { machine, calls } = machineWith({
    ResolveLanguagesFunction: async () => ({ languages: ['ca', 'gl'], spoken: ['ca'] }),
    TranslateFunction: async (p) => {
      const { targetLanguage } = p as { targetLanguage: string };
      return { targetLanguage, increment: 1, text: 'hola', clause: { index: 0, text: 'bon dia hola' } };
    },
  });
  const result = await machine.startSyncExecution(stableEvent);
  expect(result.status).toBe('SUCCEEDED');
  const by = (fn: string) =>
    calls.filter((c) => c.fn === fn).map((c) => c.payload.targetLanguage ?? c.payload.language);
  expect(by('caption').sort()).toEqual(['ca', 'gl']);
  expect(by('synthesize')).toEqual(['ca']);
  expect(calls.find((c) => c.fn === 'synthesize')?.payload).toMatchObject({
    clause: { index: 0, text: 'bon dia hola' },
  });
  expect(calls.filter((c) => c.fn === 'audio')).toHaveLength(1);
});

test('a final whose every word was spoken ahead in clauses gets its caption and no more speech', async () => {
  const { machine, calls } = machineWith({
    TranslateFunction: async (p) => {
      const { targetLanguage } = p as { targetLanguage: string };
      return { targetLanguage, text: 'hola', speech: { text: targetLanguage === 'ca' ? '' : 'hola', part: 2 } };
    },
  });
  const result = await machine.startSyncExecution(event);
  expect(result.status).toBe('SUCCEEDED');
  const synthesized = calls.filter((c) => c.fn === 'synthesize').map((c) => c.payload.targetLanguage);
  expect(synthesized.sort()).toEqual(['eo', 'es']);
  expect(calls.filter((c) => c.fn === 'caption')).toHaveLength(3);
});

test('a final that lists its clause parts goes to Synthesize even with nothing left, to make any part that is missing', async () => {
  const { machine, calls } = machineWith({
    TranslateFunction: async (p) => {
      const { targetLanguage } = p as { targetLanguage: string };
      return { targetLanguage, text: 'hola', speech: { text: '', part: 1, clauses: ['hola'] } };
    },
  });
  const result = await machine.startSyncExecution(event);
  expect(result.status).toBe('SUCCEEDED');
  const synthesized = calls.filter((c) => c.fn === 'synthesize').map((c) => c.payload.targetLanguage);
  expect(synthesized.sort()).toEqual(['ca', 'eo', 'es']);
});
