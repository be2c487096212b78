// Prepares an ASL definition for the local interpreter: substitutions, unsupported-feature checks, quirk fixes.

/** A parsed JSON object, as ASL definitions are. */
export type JsonObject = { [key: string]: unknown };

/** The definition cannot run locally as it would on AWS: invalid, or using a feature the interpreter ignores. */
export class StateMachineDefinitionError extends Error {
  override readonly name: string = 'StateMachineDefinitionError';
}

/** Step Functions caps Express executions at five minutes whatever the definition says. */
export const EXPRESS_MAX_SECONDS = 300;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One state of the definition, wherever it is nested, with a readable location for error messages. */
export interface StateVisit {
  name: string;
  state: JsonObject;
  /** e.g. `States.Fanout.ItemProcessor.States.Translate` */
  path: string;
}

/** Every (sub-)state machine object: the top level, each Parallel branch and each Map item processor. */
export function* machines(machine: JsonObject, path = ''): Generator<{ machine: JsonObject; path: string }> {
  yield { machine, path };
  const states = machine.States;
  if (!isJsonObject(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isJsonObject(state)) continue;
    const statePath = `${path}States.${name}`;
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      for (const [i, branch] of state.Branches.entries()) {
        if (isJsonObject(branch)) yield* machines(branch, `${statePath}.Branches[${i}].`);
      }
    }
    if (state.Type === 'Map') {
      // `Iterator` is the pre-2022 spelling of `ItemProcessor`; both are still accepted by AWS.
      const key = isJsonObject(state.ItemProcessor) ? 'ItemProcessor' : 'Iterator';
      const processor = state[key];
      if (isJsonObject(processor)) yield* machines(processor, `${statePath}.${key}.`);
    }
  }
}

/** Every state of the definition, nested ones included. */
export function* allStates(definition: JsonObject): Generator<StateVisit> {
  for (const { machine, path } of machines(definition)) {
    const states = machine.States;
    if (!isJsonObject(states)) continue;
    for (const [name, state] of Object.entries(states)) {
      if (isJsonObject(state)) yield { name, state, path: `${path}States.${name}` };
    }
  }
}

/**
 * Deep-copies the definition through JSON, replacing `${Name}` placeholders the way CloudFormation's
 * DefinitionSubstitutions do (textually, anywhere in the document). A placeholder left unresolved is an error:
 * on AWS it would reach the service as a literal and fail far from its cause.
 */
export function substitute(definition: object, substitutions: Readonly<Record<string, string>>): JsonObject {
  let text: string;
  try {
    text = JSON.stringify(definition);
  } catch (cause) {
    throw new StateMachineDefinitionError('The state machine definition is not serializable to JSON', { cause });
  }
  if (typeof text !== 'string') throw new StateMachineDefinitionError('The state machine definition is not JSON');
  const unresolved = new Set<string>();
  const replaced = text.replace(/\$\{([^}]+)\}/g, (placeholder, key: string) => {
    if (!Object.hasOwn(substitutions, key)) {
      unresolved.add(placeholder);
      return placeholder;
    }
    // The value lands inside a JSON string literal, so it is escaped as one (quotes, backslashes).
    return JSON.stringify(substitutions[key]).slice(1, -1);
  });
  if (unresolved.size > 0) {
    throw new StateMachineDefinitionError(
      `The state machine definition has unresolved substitutions: ${[...unresolved].join(', ')}`,
    );
  }
  const parsed: unknown = JSON.parse(replaced);
  if (!isJsonObject(parsed))
    throw new StateMachineDefinitionError('The state machine definition must be a JSON object');
  return parsed;
}

/** Fields the interpreter silently ignores, so a definition using them would behave differently than on AWS. */
const UNSUPPORTED_STATE_FIELDS: Readonly<Record<string, string>> = {
  Assign: 'variables (Assign) are not supported by aws-local-stepfunctions',
  Arguments: 'Arguments is a JSONata field; the local interpreter only supports JSONPath',
  Output: 'Output is a JSONata field; the local interpreter only supports JSONPath',
  ItemReader: 'Distributed Map (ItemReader) is not supported locally',
  ItemBatcher: 'Distributed Map (ItemBatcher) is not supported locally',
  ResultWriter: 'Distributed Map (ResultWriter) is not supported locally',
  ToleratedFailurePercentage: 'Distributed Map failure tolerance is not supported locally',
  ToleratedFailurePercentagePath: 'Distributed Map failure tolerance is not supported locally',
  ToleratedFailureCount: 'Distributed Map failure tolerance is not supported locally',
  ToleratedFailureCountPath: 'Distributed Map failure tolerance is not supported locally',
};

/** Rejects what the interpreter would silently run differently from AWS: JSONata, variables, Distributed Map. */
export function assertLocallySupported(definition: JsonObject): void {
  const problems: string[] = [];
  for (const { machine, path } of machines(definition)) {
    if (machine.QueryLanguage !== undefined && machine.QueryLanguage !== 'JSONPath') {
      problems.push(`${path || 'top level'}: QueryLanguage ${JSON.stringify(machine.QueryLanguage)} is not supported`);
    }
    const config = machine.ProcessorConfig;
    if (isJsonObject(config) && config.Mode !== undefined && config.Mode !== 'INLINE') {
      problems.push(`${path}ProcessorConfig: Mode ${JSON.stringify(config.Mode)} (Distributed Map) is not supported`);
    }
  }
  for (const { state, path } of allStates(definition)) {
    if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') {
      problems.push(`${path}: QueryLanguage ${JSON.stringify(state.QueryLanguage)} is not supported`);
    }
    for (const [field, reason] of Object.entries(UNSUPPORTED_STATE_FIELDS)) {
      if (field in state) problems.push(`${path}: ${reason}`);
    }
  }
  if (problems.length > 0) {
    throw new StateMachineDefinitionError(
      `The state machine definition uses features the local interpreter would silently ignore ` +
        `(it runs JSONPath only):\n  ${problems.join('\n  ')}`,
    );
  }
}

/**
 * Returns a copy adjusted so aws-local-stepfunctions 3.0.0 behaves as Step Functions does; the copy is only run,
 * never validated (the original is), so the adjustments need not be valid ASL themselves.
 */
export function forLocalInterpreter(definition: JsonObject): JsonObject {
  const copy = structuredClone(definition);
  // Express executions end after five minutes; the interpreter only times out when TimeoutSeconds is set.
  const timeout = typeof copy.TimeoutSeconds === 'number' ? copy.TimeoutSeconds : EXPRESS_MAX_SECONDS;
  copy.TimeoutSeconds = Math.min(timeout, EXPRESS_MAX_SECONDS);
  for (const { state } of allStates(copy)) {
    // The interpreter sets a key literally named "$" for ResultPath "$"; omitting it has AWS's meaning.
    if (state.ResultPath === '$') delete state.ResultPath;
    if (Array.isArray(state.Catch)) {
      for (const catcher of state.Catch) {
        if (isJsonObject(catcher) && catcher.ResultPath === '$') delete catcher.ResultPath;
      }
    }
    // The interpreter's Task default is 60 s where AWS has none; the execution's own limit must win instead.
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = EXPRESS_MAX_SECONDS;
    }
    // The interpreter ignores a falsy Pass Result (false, 0, "", null) and passes the input through; a literal
    // Parameters template yields the same value on both.
    if (state.Type === 'Pass' && 'Result' in state && !state.Result) {
      state.Parameters = state.Result;
      delete state.Result;
    }
    if (state.Type === 'Choice' && Array.isArray(state.Choices)) {
      state.Choices = state.Choices.map((rule) => (isJsonObject(rule) ? withNegatedTypeTests(rule) : rule));
    }
  }
  return copy;
}

/** Choice rules that test a variable's presence or type: Step Functions matches `false` as "is not". */
const TYPE_TESTS = ['IsPresent', 'IsNull', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;

/**
 * Step Functions matches `"IsPresent": false` when the field is absent (and each other type test given `false`
 * when the variable is not of that type: https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html).
 * The interpreter never matches a `false` test; rewritten as `Not` of the `true` test it behaves as AWS does.
 */
function withNegatedTypeTests(rule: JsonObject): JsonObject {
  const out: JsonObject = { ...rule };
  for (const key of ['And', 'Or'] as const) {
    const rules = out[key];
    if (Array.isArray(rules)) out[key] = rules.map((r) => (isJsonObject(r) ? withNegatedTypeTests(r) : r));
  }
  if (isJsonObject(out.Not)) out.Not = withNegatedTypeTests(out.Not);
  for (const test of TYPE_TESTS) {
    if (out[test] !== false) continue;
    const { Next, [test]: _negated, ...inner } = out;
    return { Not: { ...inner, [test]: true }, ...(Next === undefined ? {} : { Next }) };
  }
  return out;
}
