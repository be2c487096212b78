// cdk-nag (AwsSolutions) over every stack: no unacknowledged error or warning, and every acknowledgement in the
// code silences a finding that really exists (none is stale, none is broader than its construct).
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, removeTemporaryDirectories, type Synthesized, synthesize } from './synth.ts';

interface Recorded {
  path: string;
  id: string;
  reason: string;
}

let synth: Synthesized;
const acknowledged: Recorded[] = [];
let unacknowledged: { stack: string; rule: string; path: string }[] = [];
const original = Validations.prototype.acknowledge;

beforeAll(() => {
  synth = synthesize();
  // A second app whose acknowledgements are recorded instead of applied: what cdk-nag finds there is exactly what
  // the acknowledgements of the real app silence.
  Validations.prototype.acknowledge = function (this: Validations, ...rules) {
    const scope = (this as unknown as { scope: IConstruct }).scope;
    // cdk-nag's rules only: aws-cdk-lib acknowledges some CloudFormation validation warnings itself (a stack whose
    // availability zones are read, e.g. by a VPC, acknowledges W3010).
    for (const rule of rules) {
      if (rule.id.startsWith('AwsSolutions-')) {
        acknowledged.push({ path: scope.node.path, id: rule.id, reason: rule.reason });
      }
    }
  };
  const bare = build();
  unacknowledged = bare.stacks.flatMap((stack) =>
    new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => ({ stack: stack.node.id, rule: v.ruleName, path: r.constructPath ?? '' })),
      ),
  );
});
afterAll(() => {
  Validations.prototype.acknowledge = original;
  removeTemporaryDirectories();
});

describe('cdk-nag AwsSolutions', () => {
  it.each([
    'LltPlatform',
    'LltIngest',
    'LltTranscribe',
    'LltTranslate',
    'LltSynthesize',
    'LltNotify',
    'LltWorkflow',
    'LltObservability',
    'LltWeb',
  ])('%s has no unacknowledged finding', (name) => {
    const stack = synth.llt.stacks.find((s) => s.node.id === name)!;
    const violations = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack).violations;
    expect(
      violations.map((v) => `${v.severity} ${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
  });

  it('every acknowledgement silences a real finding on its own construct, with a written reason', () => {
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const ack of acknowledged) {
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(40);
      const silenced = unacknowledged.filter((f) => f.rule === ack.id && f.path.startsWith(`${ack.path}/`));
      expect(silenced.length, `${ack.path} ${ack.id} silences nothing`).toBeGreaterThan(0);
    }
    for (const finding of unacknowledged) {
      const by = acknowledged.some((a) => a.id === finding.rule && finding.path.startsWith(`${a.path}/`));
      expect(by, `${finding.path} ${finding.rule}`).toBe(true);
    }
  });

  it('writes the acknowledgements into the templates (audit trail)', () => {
    const metadata = Object.values(synth.json).flatMap((t) =>
      Object.values(t.Resources).flatMap((r) => (r.Metadata?.cdk_nag ? [r.Metadata.cdk_nag] : [])),
    );
    expect(metadata.length).toBeGreaterThan(0);
  });
});
