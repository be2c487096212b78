import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { patternForAny, TranscriptFinalizedV1, TranscriptStabilizedV1 } from '@llt/events';
import { TRANSLATION_FANOUT } from '@llt/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_FUNCTIONS } from '../src/functions.ts';
import {
  actionsOf,
  dev,
  flat,
  removeTemporaryDirectories,
  resourcesOf,
  resourcesOfStatement,
  type Synthesized,
  statementsOf,
  synthesize,
} from './synth.ts';

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});
afterAll(removeTemporaryDirectories);
const workflow = () => synth.json.LltWorkflow!;
const stateMachine = () => resourcesOf(workflow(), 'AWS::StepFunctions::StateMachine')[0]![1].Properties!;
const functionArn = (name: string) =>
  `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${dev(name)}`;

describe('workflow stack', () => {
  it('deploys the translation fan-out as an Express state machine, logged and traced', () => {
    expect(stateMachine()).toMatchObject({
      StateMachineName: dev(TRANSLATION_FANOUT.name),
      StateMachineType: 'EXPRESS',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });

  it("deploys the workflow's own ASL file", () => {
    const location = stateMachine().DefinitionS3Location as { Key: string };
    const asset = readFileSync(join(synth.assembly.directory, `asset.${location.Key}`), 'utf8');
    expect(asset).toBe(readFileSync(TRANSLATION_FANOUT.aslPath, 'utf8'));
  });

  it('substitutes every placeholder of the definition with the ARN of the function that implements it', () => {
    const placeholders = [...readFileSync(TRANSLATION_FANOUT.aslPath, 'utf8').matchAll(/\$\{(\w+)\}/g)].map(
      (m) => m[1],
    );
    const substitutions = stateMachine().DefinitionSubstitutions as Record<string, unknown>;
    expect(Object.keys(substitutions).sort()).toEqual([...new Set(placeholders)].sort());
    const deployed = new Set(ALL_FUNCTIONS.map((f) => f.name));
    for (const [placeholder, arn] of Object.entries(substitutions)) {
      const name = TRANSLATION_FANOUT.functions[placeholder]!.name;
      expect(flat(arn)).toBe(functionArn(name));
      expect(deployed).toContain(name);
    }
  });

  it('may invoke exactly the task functions, unqualified', () => {
    const invoke = statementsOf(workflow()).filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(actionsOf(invoke[0]!)).toEqual(['lambda:InvokeFunction']);
    expect(resourcesOfStatement(invoke[0]!).sort()).toEqual(
      Object.values(TRANSLATION_FANOUT.functions)
        .map((f) => functionArn(f.name))
        .sort(),
    );
  });

  it('is started by one rule for finalized utterances and stable increments on the product bus, with the whole event as input', () => {
    const rules = resourcesOf(workflow(), 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const rule = rules[0]![1] as { Properties: Record<string, unknown> };
    expect(rule.Properties.Name).toBe(dev(`llt-${TRANSLATION_FANOUT.rule.name}`));
    expect(rule.Properties.EventBusName).toBe(dev('llt-bus'));
    expect(rule.Properties.EventPattern).toEqual(
      JSON.parse(JSON.stringify(patternForAny(TranscriptFinalizedV1, TranscriptStabilizedV1))),
    );
    const [target] = rule.Properties.Targets as Record<string, unknown>[];
    expect(target!.Arn).toEqual({ Ref: resourcesOf(workflow(), 'AWS::StepFunctions::StateMachine')[0]![0] });
    expect(target).not.toHaveProperty('Input');
    expect(target).not.toHaveProperty('InputPath');
    expect(target).not.toHaveProperty('InputTransformer');
    expect(target).toHaveProperty('DeadLetterConfig');
  });
});
