// The stage a synthesis deploys (`-c stage=dev|prod`, default dev). Every physical name in the app is derived from
// it, so two stages live side by side in one account and region, and it decides what survives a stack's deletion.
// The local runtime knows no stages: it keeps the base names of shared/platform (`llt-sessions`, …).
import { RemovalPolicy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];
export const DEFAULT_STAGE: StageName = 'dev';
/** The CDK context key (`cdk synth -c stage=prod`). */
export const STAGE_CONTEXT_KEY = 'stage';
/** The tag every resource carries with its stage (the monthly budget filters costs by it). */
export const STAGE_TAG = 'llt-stage';

/** Only the known stages: a typo must not create a third, unprotected copy of the product. */
export function parseStage(value: unknown): StageName {
  if (value === undefined || value === null || value === '') return DEFAULT_STAGE;
  if (typeof value === 'string' && (STAGES as readonly string[]).includes(value)) return value as StageName;
  throw new Error(`unknown stage ${JSON.stringify(value)}: use one of ${STAGES.join(', ')} (-c stage=…)`);
}

const PRODUCT_PREFIX = 'llt-';

export class Stage {
  readonly isProd: boolean;

  constructor(readonly name: StageName) {
    this.isProd = name === 'prod';
  }

  /** The stage of the app a construct belongs to (its `stage` context). */
  static of(scope: IConstruct): Stage {
    return new Stage(parseStage(scope.node.tryGetContext(STAGE_CONTEXT_KEY)));
  }

  /** A product name of shared/platform or shared/events in this stage: `llt-sessions` → `llt-dev-sessions`. */
  resource(base: string): string {
    if (!base.startsWith(PRODUCT_PREFIX)) throw new Error(`"${base}" is not a product name (llt-…)`);
    return `${PRODUCT_PREFIX}${this.name}-${base.slice(PRODUCT_PREFIX.length)}`;
  }

  /** An SSM parameter path in this stage: `/llt/websocket/url` → `/llt/dev/websocket/url`. */
  parameter(path: string): string {
    if (!path.startsWith('/llt/')) throw new Error(`"${path}" is not a product parameter (/llt/…)`);
    return `/llt/${this.name}/${path.slice('/llt/'.length)}`;
  }

  /** The CloudFormation stack name of a stack whose construct id is `LltPlatform`, `LltIngest`, …: `llt-dev-platform`. */
  stackName(constructId: string): string {
    const service = constructId.replace(/^Llt/, '');
    return `${PRODUCT_PREFIX}${this.name}-${service.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
  }

  /**
   * What happens to a resource holding data when its stack is deleted or the resource replaced: prod keeps it; dev
   * deletes it, so a dev stage can be torn down and deployed again under the same names.
   */
  get dataRemovalPolicy(): RemovalPolicy {
    return this.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  }
}
