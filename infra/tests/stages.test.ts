// Two stages of the app side by side in one account and region: every physical name differs between them, prod
// keeps its data and cannot be deleted by accident, dev can be torn down and deployed again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStage, Stage } from '../src/stage.ts';
import { flat, removeTemporaryDirectories, resourcesOf, type Synthesized, synthesize } from './synth.ts';

let dev: Synthesized;
let prod: Synthesized;
beforeAll(() => {
  dev = synthesize({ stage: 'dev', monthlyBudgetUsd: 50 });
  prod = synthesize({ stage: 'prod', monthlyBudgetUsd: 500 });
});
afterAll(removeTemporaryDirectories);

/**
 * Properties whose value is unique only inside a parent resource (an API, a user pool, a task definition), so the
 * same value in two stages names two different things.
 */
const SCOPED_TO_PARENT = new Set(['AuthorizerName', 'StageName', 'ClientName', 'RouteKey', 'PolicyName']);
/** `…Name` properties that refer to something else than the resource (a metric, an AWS service endpoint). */
const NOT_A_NAME = new Set(['AWS::CloudWatch::Alarm MetricName', 'AWS::EC2::VPCEndpoint ServiceName']);
/** Names unique within their API (an authorizer's), whose API is the stage's own. */
const SCOPED_BY_TYPE = new Set(['AWS::ApiGatewayV2::Authorizer Name']);

/** Every physical name a template gives a resource: its top-level `…Name` properties (and an SSM parameter's Name). */
function physicalNames(synth: Synthesized): { stack: string; type: string; key: string; name: string }[] {
  const names: { stack: string; type: string; key: string; name: string }[] = [];
  for (const [stack, template] of Object.entries(synth.json)) {
    for (const [, resource] of Object.entries(template.Resources)) {
      for (const [key, value] of Object.entries(resource.Properties ?? {})) {
        const typed = `${resource.Type} ${key}`;
        if (!key.endsWith('Name') || SCOPED_TO_PARENT.has(key) || NOT_A_NAME.has(typed) || SCOPED_BY_TYPE.has(typed))
          continue;
        if (typeof value === 'object' && value !== null && !('Fn::Join' in value) && !('Fn::Sub' in value)) continue;
        names.push({ stack, type: resource.Type, key, name: flat(value) });
      }
      // A Cognito domain prefix is unique per region, like a name.
      if (resource.Type === 'AWS::Cognito::UserPoolDomain') {
        names.push({ stack, type: resource.Type, key: 'Domain', name: flat(resource.Properties?.Domain) });
      }
      // A budget's name sits one level down.
      const budgetName = (resource.Properties?.Budget as { BudgetName?: string } | undefined)?.BudgetName;
      if (budgetName) names.push({ stack, type: resource.Type, key: 'Budget.BudgetName', name: budgetName });
    }
  }
  return names;
}

describe('stages', () => {
  it('defaults to dev and refuses an unknown stage', () => {
    expect(parseStage(undefined)).toBe('dev');
    expect(parseStage('prod')).toBe('prod');
    expect(() => parseStage('prd')).toThrow(/unknown stage/);
  });

  it('derives product names from the stage, leaving the local names to the local runtime', () => {
    expect(new Stage('dev').resource('llt-sessions')).toBe('llt-dev-sessions');
    expect(new Stage('prod').resource('llt-ingest-websocket')).toBe('llt-prod-ingest-websocket');
    expect(new Stage('prod').parameter('/llt/websocket/url')).toBe('/llt/prod/websocket/url');
    expect(new Stage('prod').stackName('LltPlatform')).toBe('llt-prod-platform');
    expect(() => new Stage('dev').resource('sessions')).toThrow();
  });

  it('names every stack after its stage, with the same construct ids (cdk deploy LltPlatform -c stage=…)', () => {
    const ids = (s: Synthesized) => s.llt.stacks.map((stack) => stack.node.id);
    expect(ids(dev)).toEqual(ids(prod));
    for (const stack of dev.llt.stacks) expect(stack.stackName).toMatch(/^llt-dev-[a-z-]+$/);
    for (const stack of prod.llt.stacks) expect(stack.stackName).toMatch(/^llt-prod-[a-z-]+$/);
  });

  it('gives every named resource a name carrying its stage', () => {
    for (const [synth, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const names = physicalNames(synth);
      expect(names.length).toBeGreaterThan(50);
      for (const { stack, type, key, name } of names) {
        expect(name, `${stack} ${type} ${key}`).toMatch(new RegExp(`llt-${stage}-|/llt/${stage}/`));
      }
    }
  });

  it('two stages share no physical name', () => {
    const prodNames = new Set(physicalNames(prod).map((n) => n.name));
    const shared = physicalNames(dev).filter((n) => prodNames.has(n.name));
    expect(shared.map((n) => `${n.stack} ${n.type} ${n.key} ${n.name}`)).toEqual([]);
    const stackNames = new Set(prod.llt.stacks.map((s) => s.stackName));
    expect(dev.llt.stacks.filter((s) => stackNames.has(s.stackName))).toEqual([]);
  });

  it("every stack looks its stage's platform up (SSM parameters under the stage's path)", () => {
    for (const [synth, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      const lookups = Object.values(synth.json).flatMap((t) =>
        Object.entries((t.Parameters ?? {}) as Record<string, { Type: string; Default?: string }>)
          // BootstrapVersion is CDK's own (the bootstrap stack's version check).
          .filter(([id, p]) => id !== 'BootstrapVersion' && p.Type.startsWith('AWS::SSM::Parameter::Value'))
          .map(([, p]) => p.Default ?? ''),
      );
      expect(lookups.length).toBeGreaterThan(5);
      for (const path of lookups) expect(path).toMatch(new RegExp(`^/llt/${stage}/`));
    }
  });

  it('prod retains every resource holding data, protects its tables and user pool, and every stack', () => {
    const platform = prod.json.LltPlatform!.Resources;
    for (const id of [
      'AudioStream',
      'SessionsTable',
      'ConnectionsTable',
      'TranscriptsTable',
      'CaptionsTable',
      'TranslationMemoTable',
      'AudioBucket',
      'AccessLogsBucket',
      'SpeakerUserPool',
    ]) {
      expect(platform[id]?.DeletionPolicy, id).toBe('Retain');
      expect(platform[id]?.UpdateReplacePolicy, id).toBe('Retain');
    }
    for (const id of [
      'SessionsTable',
      'ConnectionsTable',
      'TranscriptsTable',
      'CaptionsTable',
      'TranslationMemoTable',
    ]) {
      expect(platform[id]?.Properties?.DeletionProtectionEnabled, id).toBe(true);
    }
    expect(platform.SpeakerUserPool?.Properties?.DeletionProtection).toBe('ACTIVE');
    expect(prod.json.LltTranscribe!.Resources.ShardLeasesTable?.DeletionPolicy).toBe('Retain');
    for (const stack of prod.llt.stacks) expect(stack.terminationProtection, stack.node.id).toBe(true);
  });

  it('dev deletes its data with the stack, except the access logs bucket (never empty)', () => {
    const platform = dev.json.LltPlatform!.Resources;
    for (const id of [
      'AudioStream',
      'SessionsTable',
      'ConnectionsTable',
      'TranscriptsTable',
      'CaptionsTable',
      'TranslationMemoTable',
      'AudioBucket',
      'SpeakerUserPool',
    ]) {
      expect(platform[id]?.DeletionPolicy, id).toBe('Delete');
    }
    expect(platform.AccessLogsBucket?.DeletionPolicy).toBe('Retain');
    expect(platform.SpeakerUserPool?.Properties?.DeletionProtection).toBe('INACTIVE');
    for (const stack of dev.llt.stacks) expect(stack.terminationProtection, stack.node.id).toBeFalsy();
  });

  it('keeps the stateful logical ids in both stages', () => {
    for (const synth of [dev, prod]) {
      const ids = resourcesOf(synth.json.LltPlatform!, 'AWS::DynamoDB::Table').map(([id]) => id);
      expect(ids.sort()).toEqual([
        'CaptionsTable',
        'ConnectionsTable',
        'SessionsTable',
        'TranscriptsTable',
        'TranslationMemoTable',
      ]);
    }
  });
});
