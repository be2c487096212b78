// The local Step Functions runner: ASL semantics (Map, Parallel, Retry, Catch, timeouts), Lambda output and error shapes.
import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import {
  asEventTarget,
  type ExecutionFailedError,
  InvalidExecutionInputError,
  LocalStateMachine,
  type LocalStateMachineOptions,
  MissingTaskHandlerError,
  StateMachineDefinitionError,
  type TaskFunction,
} from '../../src/stepfunctions/local-state-machine.ts';
import { installPromiseWithResolvers } from '../../src/stepfunctions/polyfill.ts';

/** A `${Name}` definition substitution placeholder. */
const ref = (name: string) => `\${${name}}`;

const invoke = (functionName: string, payload: object = { 'Payload.$': '$' }) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, ...payload },
});

/** Mirrors the translation workflow: resolve languages, fan out per language, deliver caption and audio in parallel. */
const WORKFLOW = {
  Comment: 'TranscriptFinalized → one branch per listener language',
  StartAt: 'ResolveLanguages',
  States: {
    ResolveLanguages: {
      ...invoke(ref('ResolveFunctionArn')),
      ResultSelector: { 'languages.$': '$.Payload.languages' },
      ResultPath: '$.fanout',
      Next: 'FanOut',
    },
    FanOut: {
      Type: 'Map',
      ItemsPath: '$.fanout.languages',
      MaxConcurrency: 0,
      ItemSelector: { 'language.$': '$$.Map.Item.Value', 'detail.$': '$.detail' },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Translate',
        States: {
          Translate: {
            ...invoke(ref('TranslateFunctionArn')),
            ResultSelector: { 'text.$': '$.Payload.text' },
            ResultPath: '$.translation',
            Retry: [{ ErrorEquals: ['TranslationThrottledError'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RecordFailure' }],
            Next: 'Deliver',
          },
          Deliver: {
            Type: 'Parallel',
            Branches: [
              {
                StartAt: 'NotifyCaption',
                States: {
                  NotifyCaption: {
                    ...invoke(ref('NotifyFunctionArn'), {
                      Payload: { kind: 'caption', 'language.$': '$.language', 'text.$': '$.translation.text' },
                    }),
                    OutputPath: '$.Payload',
                    End: true,
                  },
                },
              },
              {
                StartAt: 'Synthesize',
                States: {
                  Synthesize: {
                    Type: 'Task',
                    Resource: ref('SynthesizeFunctionArn'),
                    Parameters: { 'language.$': '$.language', 'text.$': '$.translation.text' },
                    ResultPath: '$.audio',
                    Next: 'NotifyAudio',
                  },
                  NotifyAudio: {
                    ...invoke(ref('NotifyFunctionArn'), {
                      Payload: { kind: 'audio', 'language.$': '$.language', 'audioKey.$': '$.audio.key' },
                    }),
                    OutputPath: '$.Payload',
                    End: true,
                  },
                },
              },
            ],
            ResultSelector: { 'caption.$': '$[0]', 'audio.$': '$[1]' },
            ResultPath: '$.delivery',
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RecordFailure' }],
            Next: 'Delivered',
          },
          Delivered: {
            Type: 'Pass',
            Parameters: { 'language.$': '$.language', status: 'DELIVERED', 'delivery.$': '$.delivery' },
            End: true,
          },
          RecordFailure: {
            Type: 'Pass',
            Parameters: {
              'language.$': '$.language',
              status: 'FAILED',
              'error.$': '$.failure.Error',
              'cause.$': '$.failure.Cause',
            },
            End: true,
          },
        },
      },
      ResultPath: '$.results',
      End: true,
    },
  },
};

const SUBSTITUTIONS = {
  ResolveFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ResolveFunction',
  // A plain name and a qualified one work too, as they do for Lambda's Invoke.
  TranslateFunctionArn: 'TranslateFunction',
  NotifyFunctionArn: 'NotifyFunction:live',
  SynthesizeFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:SynthesizeFunction',
};

type Detail = { sessionId: string; text: string };
type Item = { language: string; detail: Detail };

const finalizedEvent = (detail: Detail = { sessionId: 's-1', text: 'hello' }): EventBridgeEvent<string, Detail> => ({
  version: '0',
  id: 'e-1',
  'detail-type': 'TranscriptFinalized',
  source: 'llt.transcribe',
  account: '000000000000',
  time: '2025-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

class TranslationEngineError extends Error {
  override readonly name = 'TranslationEngineError';
}

class TranslationThrottledError extends Error {
  override readonly name = 'TranslationThrottledError';
}

/** The workflow's functions, recording their calls; `translate` may be replaced per test. */
function workflowFunctions(languages: string[], translate?: (item: Item) => Promise<unknown>) {
  const calls = {
    resolve: [] as unknown[],
    translate: [] as Item[],
    synthesize: [] as unknown[],
    notify: [] as unknown[],
  };
  const tasks: Record<string, TaskFunction> = {
    ResolveFunction: async (event) => {
      calls.resolve.push(event);
      return { languages };
    },
    TranslateFunction: async (input) => {
      const item = input as Item;
      calls.translate.push(item);
      return translate ? translate(item) : { text: `${item.detail.text} [${item.language}]` };
    },
    SynthesizeFunction: async (input) => {
      calls.synthesize.push(input);
      return { key: `audio/${(input as { language: string }).language}.mp3` };
    },
    NotifyFunction: async (input) => {
      calls.notify.push(input);
      return { status: 'sent', ...(input as object) };
    },
  };
  return { calls, tasks };
}

function workflow(tasks: Record<string, TaskFunction>, options: Partial<LocalStateMachineOptions> = {}) {
  const failures: ExecutionFailedError[] = [];
  const machine = new LocalStateMachine({
    name: 'TranslateTranscript',
    definition: WORKFLOW,
    tasks,
    substitutions: SUBSTITUTIONS,
    retryIntervalOverrides: { Translate: 0 },
    onExecutionFailed: (error) => failures.push(error),
    ...options,
  });
  return { machine, failures };
}

const FN_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:Fn';

/** A machine over `states` (the first one starts), for checking a single behaviour. */
function machineOf(states: Record<string, object>, tasks: Record<string, TaskFunction>, extra: object = {}) {
  const failures: ExecutionFailedError[] = [];
  const machine = new LocalStateMachine({
    name: 'Probe',
    definition: { StartAt: Object.keys(states)[0], States: states, ...extra },
    tasks,
    onExecutionFailed: (error) => failures.push(error),
  });
  return { machine, failures };
}

/** A one-state machine. */
const single = (state: object, tasks: Record<string, TaskFunction>, extra: object = {}) =>
  machineOf({ Step: { ...state, End: true } }, tasks, extra);

/** A Task that goes to a Pass state "Caught" for the given error names. */
const catching = (errorEquals: string[]) => ({
  Step: { Type: 'Task', Resource: FN_ARN, Catch: [{ ErrorEquals: errorEquals, Next: 'Caught' }], End: true },
  Caught: { Type: 'Pass', End: true },
});

const throwing = (value: unknown) => async () => {
  throw value;
};

describe('LocalStateMachine running the translation workflow', () => {
  // Each test builds its own machine (~80 ms, nearly all validation) so recorded calls never leak between tests.
  it('runs every language branch and delivers caption and audio for each', async () => {
    const { calls, tasks } = workflowFunctions(['de', 'fr', 'es']);
    const { machine, failures } = workflow(tasks);
    const event = finalizedEvent();

    const result = await machine.startSyncExecution(event);

    expect(failures).toEqual([]);
    expect(result.status).toBe('SUCCEEDED');
    expect(calls.resolve).toEqual([event]);
    expect(calls.translate.map((i) => i.language).sort()).toEqual(['de', 'es', 'fr']);
    expect(calls.translate[0]?.detail).toEqual(event.detail);
    expect(calls.synthesize).toHaveLength(3);
    expect(calls.notify).toHaveLength(6);
    const output = result.outputValue as typeof event & { fanout: unknown; results: unknown[] };
    // ResultSelector reads `$.Payload`: the lambda:invoke envelope is there for it, and only the selection is kept.
    expect(output.fanout).toEqual({ languages: ['de', 'fr', 'es'] });
    expect(output.detail).toEqual(event.detail);
    expect(output.results).toEqual(
      ['de', 'fr', 'es'].map((language) => ({
        language,
        status: 'DELIVERED',
        delivery: {
          caption: { status: 'sent', kind: 'caption', language, text: `hello [${language}]` },
          audio: { status: 'sent', kind: 'audio', language, audioKey: `audio/${language}.mp3` },
        },
      })),
    );
  });

  it('catches a language whose Translate always fails, with its error name, while the others complete', async () => {
    const { calls, tasks } = workflowFunctions(['de', 'xx', 'fr'], async (item) => {
      if (item.language === 'xx') throw new TranslationEngineError('no engine for xx');
      return { text: `t-${item.language}` };
    });
    const { machine, failures } = workflow(tasks);

    const result = await machine.startSyncExecution(finalizedEvent());

    expect(result.status).toBe('SUCCEEDED');
    expect(failures).toEqual([]);
    type Outcome = { language: string; status: string; error?: string; cause?: string };
    const results = (result.outputValue as { results: Outcome[] }).results;
    expect(results.map((r) => [r.language, r.status])).toEqual([
      ['de', 'DELIVERED'],
      ['xx', 'FAILED'],
      ['fr', 'DELIVERED'],
    ]);
    expect(results[1]?.error).toBe('TranslationEngineError');
    // The Cause is the Node.js runtime's error report, as Step Functions passes it on.
    const cause = JSON.parse(results[1]?.cause ?? '');
    expect(cause).toMatchObject({ errorType: 'TranslationEngineError', errorMessage: 'no engine for xx' });
    expect(Array.isArray(cause.trace)).toBe(true);
    // Not retried (the retrier only names the transient error) and never delivered.
    expect(calls.translate.filter((i) => i.language === 'xx')).toHaveLength(1);
    expect(calls.synthesize.map((s) => (s as { language: string }).language).sort()).toEqual(['de', 'fr']);
  });

  it('retries a transient Translate failure and then delivers', async () => {
    let failed = false;
    const { calls, tasks } = workflowFunctions(['de', 'fr'], async (item) => {
      if (item.language === 'de' && !failed) {
        failed = true;
        throw new TranslationThrottledError('slow down');
      }
      return { text: `t-${item.language}` };
    });
    const { machine } = workflow(tasks);

    const result = await machine.startSyncExecution(finalizedEvent());

    const results = (result.outputValue as { results: { language: string; status: string }[] }).results;
    expect(results.map((r) => r.status)).toEqual(['DELIVERED', 'DELIVERED']);
    expect(calls.translate.filter((i) => i.language === 'de')).toHaveLength(2);
    expect(calls.translate.filter((i) => i.language === 'fr')).toHaveLength(1);
  });

  it('gives up after MaxAttempts retries and lets the Catch record the failure', async () => {
    const { calls, tasks } = workflowFunctions(['de'], async () => {
      throw new TranslationThrottledError('still busy');
    });
    const { machine } = workflow(tasks);

    const result = await machine.startSyncExecution(finalizedEvent());

    expect(calls.translate).toHaveLength(3); // the first attempt and MaxAttempts (2) retries
    expect((result.outputValue as { results: unknown[] }).results).toEqual([
      expect.objectContaining({ language: 'de', status: 'FAILED', error: 'TranslationThrottledError' }),
    ]);
  });

  it('fails the execution when a state outside the per-item Catch fails, and reports it', async () => {
    const { tasks } = workflowFunctions([]);
    tasks.ResolveFunction = async () => {
      throw new TypeError('bad event');
    };
    const { machine, failures } = workflow(tasks);
    const event = finalizedEvent();

    const result = await machine.startSyncExecution(event);

    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'TypeError',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:TranslateTranscript',
      input: JSON.stringify(event),
    });
    expect(result.output).toBeUndefined();
    expect(JSON.parse(result.cause ?? '')).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad event' });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ executionArn: result.executionArn, status: 'FAILED', error: 'TypeError' });
    expect(machine.stats).toEqual({ started: 1, succeeded: 0, failed: 1, timedOut: 0, running: 0 });
    expect(machine.recentFailures).toEqual([expect.objectContaining({ executionArn: result.executionArn })]);
  });

  it('returns the StartSyncExecution result shape', async () => {
    const { tasks } = workflowFunctions(['de']);
    const { machine } = workflow(tasks);
    const before = Date.now();

    const result = await machine.startSyncExecution({ detail: { sessionId: 's', text: 'x' } }, { name: 'run-1' });

    expect(Object.keys(result).sort()).toEqual(
      [
        'executionArn',
        'input',
        'name',
        'output',
        'outputValue',
        'startDate',
        'stateMachineArn',
        'status',
        'stopDate',
      ].sort(),
    );
    expect(result.name).toBe('run-1');
    expect(result.executionArn).toMatch(
      /^arn:aws:states:us-east-1:000000000000:express:TranslateTranscript:run-1:[0-9a-f-]{36}$/,
    );
    expect(result.startDate.getTime()).toBeGreaterThanOrEqual(before);
    expect(result.stopDate.getTime()).toBeGreaterThanOrEqual(result.startDate.getTime());
    expect(JSON.parse(result.output ?? '')).toEqual(result.outputValue);
    expect(machine.stats).toEqual({ started: 1, succeeded: 1, failed: 0, timedOut: 0, running: 0 });
  });
});

describe('lambda:invoke and Lambda ARN tasks', () => {
  it('returns the Invoke response envelope around the payload', async () => {
    const { machine } = single(invoke('Fn'), { Fn: async (event) => ({ echo: event }) });

    const result = await machine.startSyncExecution({ a: 1 });

    const output = result.outputValue as Record<string, unknown>;
    expect(output).toMatchObject({
      ExecutedVersion: '$LATEST',
      Payload: { echo: { a: 1 } },
      StatusCode: 200,
      SdkHttpMetadata: { HttpStatusCode: 200, HttpHeaders: { 'Content-Type': 'application/json' } },
      SdkResponseMetadata: { RequestId: expect.any(String) },
    });
    expect(machine.taskBindings).toEqual([{ stateName: 'Step', integration: 'lambda:invoke', functionName: 'Fn' }]);
  });

  it('returns the bare result for a function ARN resource, with undefined becoming null', async () => {
    const { machine } = single({ Type: 'Task', Resource: FN_ARN, ResultPath: '$.r' }, { Fn: async () => undefined });
    expect((await machine.startSyncExecution({ a: 1 })).outputValue).toEqual({ a: 1, r: null });
  });

  it('resolves FunctionName.$ at run time and fails with Lambda.ResourceNotFoundException for unknown ones', async () => {
    const state = {
      ...invoke('unused'),
      Parameters: { 'FunctionName.$': '$.fn', 'Payload.$': '$' },
      OutputPath: '$.Payload',
    };
    const { machine } = single(state, { Fn: async () => 'ok' });

    expect((await machine.startSyncExecution({ fn: FN_ARN })).outputValue).toBe('ok');
    const missing = await machine.startSyncExecution({ fn: 'Nope' });
    expect(missing).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
  });

  it('gives handlers a copy of the input, so mutating it leaves the execution state alone', async () => {
    const { machine } = single(
      { Type: 'Task', Resource: FN_ARN, ResultPath: '$.r' },
      {
        Fn: async (event) => {
          (event as { a: number }).a = 99;
          return 1;
        },
      },
    );
    expect((await machine.startSyncExecution({ a: 1 })).outputValue).toEqual({ a: 1, r: 1 });
  });
});

describe('errors as Step Functions sees them', () => {
  it('names the error after error.name (typeof for non-errors); States.TaskFailed matches any of them', async () => {
    const cases: [unknown, string][] = [
      [new TranslationEngineError('x'), 'TranslationEngineError'],
      [Object.assign(new Error('x'), { name: 'Lambda.ServiceException' }), 'Lambda.ServiceException'],
      [new Error('x'), 'Error'],
      ['plain string', 'string'],
    ];
    for (const [value, name] of cases) {
      const { machine } = machineOf(catching(['States.TaskFailed']), { Fn: throwing(value) });
      const output = (await machine.startSyncExecution({})).outputValue as { Error: string; Cause: string };
      expect(output.Error).toBe(name);
      expect(JSON.parse(output.Cause)).toMatchObject({ errorType: name });
    }
  });

  it('catches by exact error name and skips catchers naming other errors', async () => {
    const { machine, failures } = machineOf(catching(['SomethingElse']), {
      Fn: throwing(new TranslationEngineError('x')),
    });
    expect(await machine.startSyncExecution({})).toMatchObject({ status: 'FAILED', error: 'TranslationEngineError' });
    expect(failures).toHaveLength(1);
  });

  it('retries on the thrown error name, waiting the real IntervalSeconds', async () => {
    let calls = 0;
    const { machine } = single(
      { Type: 'Task', Resource: FN_ARN, Retry: [{ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 1 }] },
      {
        Fn: async () => {
          calls++;
          if (calls === 1) throw Object.assign(new Error('throttled'), { name: 'Lambda.ServiceException' });
          return 'done';
        },
      },
    );
    // The retrier's default IntervalSeconds is 1; no override is set for this machine.
    const started = performance.now();
    const result = await machine.startSyncExecution({});
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(result).toMatchObject({ status: 'SUCCEEDED', outputValue: 'done' });
    expect(calls).toBe(2);
  });

  it('reports States.Timeout for a slow task and TIMED_OUT for a slow execution', async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = async () => {
      await released;
      return 'late';
    };
    // States.TaskFailed deliberately does not match a timeout; States.Timeout does.
    const task = machineOf(
      {
        Step: {
          Type: 'Task',
          Resource: FN_ARN,
          TimeoutSeconds: 1,
          Catch: [
            { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.wrong', Next: 'Caught' },
            { ErrorEquals: ['States.Timeout'], ResultPath: '$.caught', Next: 'Caught' },
          ],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
      { Fn: slow },
    );
    const execution = single({ Type: 'Task', Resource: FN_ARN }, { Fn: slow }, { TimeoutSeconds: 1 });

    // Both at once: each needs a full second, the minimum ASL allows.
    const [taskResult, executionResult] = await Promise.all([
      task.machine.startSyncExecution({}),
      execution.machine.startSyncExecution({}),
    ]);
    release();

    expect(taskResult.outputValue).toEqual({ caught: { Error: 'States.Timeout', Cause: 'States.Timeout' } });
    expect(executionResult).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(executionResult.output).toBeUndefined();
    expect(execution.failures.map((f) => f.status)).toEqual(['TIMED_OUT']);
    expect(execution.machine.stats).toMatchObject({ started: 1, timedOut: 1, failed: 0 });
  });

  it('fails with States.DataLimitExceeded for an oversized result, which States.ALL cannot catch', async () => {
    const { machine } = machineOf(catching(['States.ALL']), { Fn: async () => 'x'.repeat(300 * 1024) });
    expect(await machine.startSyncExecution({})).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('rejects an input that cannot start an execution', async () => {
    const { machine } = single({ Type: 'Pass' }, {});
    await expect(machine.startSyncExecution({ big: 'x'.repeat(300 * 1024) })).rejects.toThrow(
      InvalidExecutionInputError,
    );
    await expect(machine.startSyncExecution(10n)).rejects.toThrow(InvalidExecutionInputError);
    expect(machine.stats.started).toBe(0);
  });
});

describe('interpreter quirks smoothed over', () => {
  it('treats ResultPath "$" as replacing the input, in states and catchers', async () => {
    const { machine } = machineOf(
      {
        Step: { Type: 'Pass', Result: { r: 1 }, ResultPath: '$', Next: 'Fail' },
        Fail: {
          ...catching(['States.ALL']).Step,
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$', Next: 'Caught' }],
        },
        Caught: { Type: 'Pass', End: true },
      },
      { Fn: throwing(new TranslationEngineError('x')) },
    );
    expect((await machine.startSyncExecution({ a: 1 })).outputValue).toEqual({
      Error: 'TranslationEngineError',
      Cause: expect.any(String),
    });
  });

  it('outputs a falsy Pass Result instead of the input', async () => {
    const { machine } = machineOf(
      {
        A: { Type: 'Pass', Result: false, ResultPath: '$.a', Next: 'B' },
        B: { Type: 'Pass', Result: 0, ResultPath: '$.b', Next: 'C' },
        C: { Type: 'Pass', Result: null, ResultPath: '$.c', End: true },
      },
      {},
    );
    expect((await machine.startSyncExecution({ x: 1 })).outputValue).toEqual({ x: 1, a: false, b: 0, c: null });
  });

  it('matches a type test given false (IsPresent: false matches an absent field), alone and inside And/Not', async () => {
    const { machine } = machineOf(
      {
        Pick: {
          Type: 'Choice',
          Choices: [
            {
              And: [
                { Variable: '$.a', IsPresent: true },
                { Variable: '$.b', IsPresent: false },
              ],
              Next: 'OnlyA',
            },
            { Variable: '$.a', IsNull: false, Next: 'ANotNull' },
            { Not: { Variable: '$.c', IsString: false }, Next: 'CString' },
          ],
          Default: 'Other',
        },
        OnlyA: { Type: 'Pass', Result: 'only a', End: true },
        ANotNull: { Type: 'Pass', Result: 'a not null', End: true },
        CString: { Type: 'Pass', Result: 'c is a string', End: true },
        Other: { Type: 'Pass', Result: 'other', End: true },
      },
      {},
    );
    const run = async (input: object) => (await machine.startSyncExecution(input)).outputValue;
    expect(await run({ a: 1 })).toBe('only a');
    expect(await run({ a: 1, b: 2 })).toBe('a not null');
    expect(await run({ a: null, b: 2, c: 'x' })).toBe('c is a string');
    expect(await run({ a: null, b: 2, c: 3 })).toBe('other');
  });
});

describe('construction fails loudly', () => {
  it('names the functions that have no handler', () => {
    const { tasks } = workflowFunctions([]);
    delete tasks.SynthesizeFunction;
    const build = () => workflow(tasks);
    expect(build).toThrow(MissingTaskHandlerError);
    expect(build).toThrow(/SynthesizeFunction \(Task Synthesize\)/);
  });

  it('rejects JSONata at the top level or in any state, nested ones included', () => {
    expect(() => single({ Type: 'Pass' }, {}, { QueryLanguage: 'JSONata' })).toThrow(StateMachineDefinitionError);
    const nested = structuredClone(WORKFLOW);
    Object.assign(nested.States.FanOut.ItemProcessor.States.Delivered, { QueryLanguage: 'JSONata' });
    const { tasks } = workflowFunctions([]);
    expect(() => workflow(tasks, { definition: nested })).toThrow(
      /States\.FanOut\.ItemProcessor\.States\.Delivered.*JSONata/,
    );
  });

  it('rejects features the interpreter would ignore, unsupported resources and unresolved substitutions', () => {
    expect(() => single({ Type: 'Pass', Assign: { x: 1 } }, {})).toThrow(/Assign/);
    expect(() =>
      single(
        {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'Fn' },
        },
        { Fn: async () => 1 },
      ),
    ).toThrow(/waitForTaskToken/);
    expect(() => single({ Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: {} }, {})).toThrow(
      /sqs:sendMessage/,
    );
    expect(() => single(invoke(ref('Missing')), {})).toThrow(/unresolved substitutions: \$\{Missing\}/);
  });

  it('wraps the validator’s verdict on invalid ASL', () => {
    let error: unknown;
    try {
      machineOf({ Step: { Type: 'Pass', Next: 'Nowhere' } }, {});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StateMachineDefinitionError);
    expect((error as Error).message).toMatch(/Nowhere/);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});

describe('asEventTarget', () => {
  it('starts an execution with the whole EventBridge event as input', async () => {
    const { calls, tasks } = workflowFunctions(['de']);
    const { machine, failures } = workflow(tasks);
    const event = finalizedEvent();

    await asEventTarget(machine)(event);

    expect(calls.resolve).toEqual([event]);
    expect(calls.notify).toHaveLength(2);
    expect(failures).toEqual([]);
  });

  it('reports a failed execution instead of throwing, so the bus does not retry it', async () => {
    const { tasks } = workflowFunctions([]);
    tasks.ResolveFunction = throwing(new TranslationEngineError('down'));
    const onExecutionFailed = vi.fn();
    const { machine } = workflow(tasks, { onExecutionFailed });
    const event = finalizedEvent();

    await expect(asEventTarget(machine)(event)).resolves.toBeUndefined();

    expect(onExecutionFailed).toHaveBeenCalledTimes(1);
    const [error, input] = onExecutionFailed.mock.calls[0] as [ExecutionFailedError, unknown];
    expect(error).toMatchObject({ name: 'ExecutionFailedError', status: 'FAILED', error: 'TranslationEngineError' });
    expect(input).toEqual(event);
  });
});

describe('polyfill', () => {
  it('has installed Promise.withResolvers, and installing again keeps it', () => {
    const installed = (Promise as unknown as { withResolvers: unknown }).withResolvers;
    expect(typeof installed).toBe('function');
    installPromiseWithResolvers();
    expect((Promise as unknown as { withResolvers: unknown }).withResolvers).toBe(installed);
  });
});
