// Bundles every function with the root esbuild, as `cdk synth` does, and loads each bundle the way Lambda
// would: on its own, outside the repository (no node_modules to fall back on), as ESM.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_FUNCTIONS, FUNCTIONS } from '../src/functions.ts';
import {
  dev,
  removeTemporaryDirectories,
  resourcesOf,
  type Synthesized,
  synthesize,
  temporaryDirectory,
} from './synth.ts';

let synth: Synthesized;
/** Function name → the directory its bundle was copied to. */
const bundles = new Map<string, { dir: string; handler: string; env: Record<string, string> }>();

beforeAll(() => {
  synth = synthesize({ bundling: true });
  const root = temporaryDirectory('llt-bundles-');
  for (const template of Object.values(synth.json)) {
    for (const [, fn] of resourcesOf(template, 'AWS::Lambda::Function')) {
      const props = fn.Properties as {
        FunctionName: string;
        Runtime: string;
        Handler: string;
        Code: { S3Key: string };
        Environment: { Variables: Record<string, unknown> };
      };
      // The product's functions; CDK's own (the web stack's bucket deployment, Python) are not bundled here.
      if (!props.Runtime.startsWith('nodejs')) continue;
      const asset = join(synth.assembly.directory, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`);
      const dir = join(root, props.FunctionName);
      mkdirSync(dir);
      copyFileSync(join(asset, 'index.mjs'), join(dir, 'index.mjs'));
      const env = Object.fromEntries(
        Object.entries(props.Environment.Variables).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : 'resolved-at-deploy',
        ]),
      );
      bundles.set(props.FunctionName, { dir, handler: props.Handler.replace(/^index\./, ''), env });
    }
  }
}, 120_000);
afterAll(removeTemporaryDirectories);

/** Runs a module script in a fresh Node process in `cwd`; returns the JSON it prints last. */
function runNode(cwd: string, script: string, env: Record<string, string>): unknown {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'unused',
      AWS_SECRET_ACCESS_KEY: 'unused',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      LOG_LEVEL: 'ERROR',
      ...env,
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const last = out.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last);
}

describe('cdk synth', () => {
  it('passes CDK template validation and cdk-nag with nothing to report', () => {
    const report = JSON.parse(readFileSync(join(synth.assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations.map(() => r.pluginName))).toEqual([]);
  });
});

describe('function bundles', () => {
  it('bundles every function as one ESM file with a require banner', () => {
    expect([...bundles.keys()].sort()).toEqual(ALL_FUNCTIONS.map((f) => dev(f.name)).sort());
    for (const [name, { dir }] of bundles) {
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(
        code.startsWith("import { createRequire } from 'module'; const require = createRequire(import.meta.url);"),
        name,
      ).toBe(true);
      // The local engines' native and WASM packages are not imported by the bundle.
      expect(code, name).not.toMatch(/from\s*["'](koffi|wasm-media-encoders)["']/);
      expect(existsSync(join(dir, 'node_modules')), name).toBe(false);
    }
  });

  it('loads every bundle outside the repository and finds its handler export', () => {
    const entries = [...bundles].map(([name, { dir, handler }]) => ({ name, file: join(dir, 'index.mjs'), handler }));
    // One process imports them all, traced as on Lambda (the X-Ray SDK loads too).
    const exported = runNode(
      tmpdir(),
      `const found = {};
       for (const { name, file, handler } of ${JSON.stringify(entries)}) found[name] = typeof (await import(file))[handler];
       console.log(JSON.stringify(found));`,
      { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' },
    );
    expect(exported).toEqual(Object.fromEntries(entries.map((e) => [e.name, 'function'])));
  });

  it('builds the AWS engines inside the bundles (Translate, Polly)', () => {
    const invoke = (name: string, payload: unknown) => {
      const { dir, handler, env } = bundles.get(name)!;
      return runNode(
        dir,
        `const m = await import('./index.mjs');
         const context = { functionName: ${JSON.stringify(name)}, awsRequestId: 'test', getRemainingTimeInMillis: () => 5000 };
         try { console.log(JSON.stringify({ result: await m[${JSON.stringify(handler)}](${JSON.stringify(payload)}, context) })); }
         catch (error) { console.log(JSON.stringify({ error: error.name, message: error.message })); }`,
        env,
      ) as { result?: unknown; error?: string; message?: string };
    };
    // A malformed task: the engine is built first, then the payload is refused, not a missing module.
    for (const fn of [FUNCTIONS.translate, FUNCTIONS.synthesize]) {
      const outcome = invoke(dev(fn.name), { malformed: true });
      expect(outcome.error, `${fn.name}: ${outcome.message}`).toBe('InvalidTaskInputError');
    }
  });
});
