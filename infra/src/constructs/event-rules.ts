// EventBridge rules on the product's bus, built from the rule lists the services declare (their patterns come
// from the event contracts, `patternFor(…)`), the same lists the local runtime's bus applies.
import { type EventPattern as ContractPattern, EVENT_BUS_NAME, type RuleDefinition } from '@llt/events';
import { Stack } from 'aws-cdk-lib';
import { EventBus, type EventPattern, type IEventBus, type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { stagedName } from '../platform-refs.ts';

/** The product's bus of the app's stage, found by its name (one import per stack). */
export function productEventBus(scope: Construct): IEventBus {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild('ProductEventBus') as IEventBus | undefined;
  return existing ?? EventBus.fromEventBusName(stack, 'ProductEventBus', stagedName(stack, EVENT_BUS_NAME));
}

const PATTERN_KEYS: Record<string, keyof EventPattern> = {
  version: 'version',
  id: 'id',
  'detail-type': 'detailType',
  source: 'source',
  account: 'account',
  time: 'time',
  region: 'region',
  resources: 'resources',
  detail: 'detail',
};

/** A contract pattern in the shape CDK's Rule takes (which renders it back to the same JSON). */
export function toEventPattern(pattern: ContractPattern): EventPattern {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    const cdkKey = PATTERN_KEYS[key];
    if (!cdkKey) throw new Error(`unsupported top-level event pattern field "${key}"`);
    out[cdkKey] = value;
  }
  return out as EventPattern;
}

/** `ingest-listener-joined` → `IngestListenerJoined`: the construct id of a rule. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

/** One rule per definition, named `llt-<stage>-<definition name>`, on the product's bus. */
export function addRules(
  scope: Construct,
  rules: readonly RuleDefinition[],
  targetFor: (rule: RuleDefinition) => IRuleTarget,
): Rule[] {
  return rules.map(
    (rule) =>
      new Rule(scope, `${pascalCase(rule.name)}Rule`, {
        ruleName: stagedName(scope, `llt-${rule.name}`),
        description: `${rule.name}: ${JSON.stringify(rule.pattern)}`.slice(0, 512),
        eventBus: productEventBus(scope),
        eventPattern: toEventPattern(rule.pattern),
        targets: [targetFor(rule)],
      }),
  );
}
