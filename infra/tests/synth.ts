// Synthesizes the whole CDK app once for a test file, into a temporary directory, offline. Without bundling
// (the default) NodejsFunction skips esbuild, which keeps template tests fast; bundles.test.ts bundles for real.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { createLltApp, type LltApp } from '../src/llt-app.ts';
import { Stage, type StageName } from '../src/stage.ts';

export interface Synthesized {
  llt: LltApp;
  assembly: CloudAssembly;
  /** Templates by stack construct id (LltPlatform, LltIngest, …; the CloudFormation names carry the stage). */
  templates: Record<string, Template>;
  /** Raw template JSON by stack construct id. */
  json: Record<
    string,
    {
      Resources: Record<string, CfnResourceJson>;
      Outputs?: Record<string, unknown>;
      Parameters?: Record<string, unknown>;
    }
  >;
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
}

const temporary: string[] = [];

/** A fresh temporary directory, removed by `removeTemporaryDirectories` (call it in `afterAll`). */
export function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

export function removeTemporaryDirectories(): void {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface SynthOptions {
  /** The stage to synthesize (`-c stage=…`); the app's default (dev) when absent. */
  stage?: StageName;
  /** Monthly budget in USD (`-c monthlyBudgetUsd=…`). */
  monthlyBudgetUsd?: number;
  /** Bundle the functions with esbuild, as `cdk synth` does (slow); otherwise bundling is skipped. */
  bundling?: boolean;
  /**
   * Run CDK's built-in CloudFormation template validation during synthesis, as `cdk synth` does (it costs
   * seconds per synthesis). Defaults to `bundling`: the full-fidelity synthesis does everything.
   */
  templateValidation?: boolean;
}

/** The app's construct tree, not synthesized (and so not validated). */
export function build({
  bundling = false,
  templateValidation = bundling,
  stage,
  monthlyBudgetUsd,
}: SynthOptions = {}): LltApp {
  const outdir = temporaryDirectory('llt-cdk-');
  return createLltApp({
    ...(stage ? { stage } : {}),
    ...(monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd } : {}),
    appProps: {
      outdir,
      builtinCloudFormationValidation: templateValidation,
      ...(bundling ? {} : { context: { 'aws:cdk:bundling-stacks': [] } }),
    },
  });
}

/** Synthesizes the app; synthesis fails on any unacknowledged cdk-nag error (the validation plugin). */
export function synthesize(options: SynthOptions = {}): Synthesized {
  const llt = build(options);
  const assembly = llt.app.synth();
  const json: Synthesized['json'] = {};
  const templates: Record<string, Template> = {};
  for (const stack of llt.stacks) {
    const id = stack.node.id;
    json[id] = assembly.getStackByName(stack.stackName).template;
    templates[id] = Template.fromJSON(json[id] as Record<string, unknown>);
  }
  return { llt, assembly, templates, json };
}

/** Resources of one type in a template, by logical id. */
export function resourcesOf(
  template: Synthesized['json'][string],
  type: string,
): [logicalId: string, resource: CfnResourceJson][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** A CloudFormation value flattened to a string (`Fn::Join` parts joined, references as `<Ref>`), for matching. */
export function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flat).join(',');
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(flat).join(sep);
    }
    if ('Ref' in v) return `<${String(v.Ref)}>`;
    if (Array.isArray(v['Fn::GetAtt'])) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  }
  return JSON.stringify(value);
}

export interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of every IAM policy in a template (inline role policies and AWS::IAM::Policy). */
export function statementsOf(template: Synthesized['json'][string]): PolicyStatementJson[] {
  const statements: PolicyStatementJson[] = [];
  for (const [, r] of resourcesOf(template, 'AWS::IAM::Policy')) {
    const document = r.Properties?.PolicyDocument as { Statement?: PolicyStatementJson[] } | undefined;
    statements.push(...(document?.Statement ?? []));
  }
  for (const [, r] of resourcesOf(template, 'AWS::IAM::Role')) {
    for (const p of (r.Properties?.Policies as { PolicyDocument: { Statement: PolicyStatementJson[] } }[]) ?? []) {
      statements.push(...p.PolicyDocument.Statement);
    }
  }
  return statements;
}

export const actionsOf = (s: PolicyStatementJson): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOfStatement = (s: PolicyStatementJson): string[] =>
  (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map(flat);

/** The default stage the tests synthesize, and a product name in it (`llt-sessions` → `llt-dev-sessions`). */
export const DEV = new Stage('dev');
export const dev = (base: string): string => DEV.resource(base);
/** A dev-stage name back to the product's base name (`llt-dev-sessions` → `llt-sessions`). */
export const unstaged = (name: string): string => name.replace(/^llt-dev-/, 'llt-');
