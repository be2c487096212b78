// Stateful resources keep the logical id written here whatever the construct tree around them becomes:
// renaming or moving a construct must never make CloudFormation replace a table, a stream or a bucket.
import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export function stableLogicalId<T extends IConstruct>(construct: T, logicalId: string): T {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  resource.overrideLogicalId(logicalId);
  return construct;
}
