// cdk-nag acknowledgements, each with the reason the finding does not apply. A rule is acknowledged on the one
// construct it concerns (never stack-wide); wildcard IAM findings (AwsSolutions-IAM5) one resource at a time.
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface Acknowledgement {
  /** The rule, e.g. `AwsSolutions-S1`. */
  id: string;
  reason: string;
  /** The rule's findings this covers (e.g. `Resource::*`); the whole rule on this construct when omitted. */
  findings?: string[];
}

export function acknowledge(construct: IConstruct, ...acknowledgements: Acknowledgement[]): void {
  for (const { id, reason, findings } of acknowledgements) {
    const ids = findings ? findings.map((finding) => `${id}[${finding}]`) : [id];
    Validations.of(construct).acknowledge(...ids.map((one) => ({ id: one, reason })));
  }
}

/**
 * The IAM5 finding cdk-nag reports for a resource of a policy statement: `Resource::` and the ARN with its
 * references flattened the way cdk-nag does (`<AWS::Region>`, `<LogicalId>`, `<LogicalId.Attribute>`).
 */
export function resourceFinding(scope: IConstruct, resource: string): string {
  return `Resource::${flatten(Stack.of(scope).resolve(resource))}`;
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node && typeof node === 'object') {
    const value = node as Record<string, unknown>;
    if (Array.isArray(value['Fn::Join'])) {
      const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if ('Fn::Sub' in value) return flatten(value['Fn::Sub']);
    if (Array.isArray(value['Fn::GetAtt'])) {
      const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Ref' in value) return `<${flatten(value.Ref)}>`;
  }
  return JSON.stringify(node);
}
