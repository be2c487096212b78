#!/usr/bin/env node
// Which stacks of the CDK app a change touches, from the paths it changes: a service's folder → that service's
// stack; the workflow's folder → the workflow stack; the web apps → the web stack; shared code, the CDK app or the
// dependencies → every stack. Everything else (tests, the local runtime, the CLI, docs) deploys nothing.
//
//   node .github/scripts/changed-stacks.mjs BASE HEAD    # compares two commits (BASE empty or all zeros: every stack)
//
// Prints the stacks, and under GitHub Actions writes them to $GITHUB_OUTPUT: `stacks` (space-separated, platform
// first) and one `true`/`false` output per stack, named by the stack's key below.
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The CDK app's stacks (construct ids, as `cdk deploy` names them), by the key the workflows use; platform first. */
export const STACKS = {
  platform: 'LltPlatform',
  ingest: 'LltIngest',
  transcribe: 'LltTranscribe',
  translate: 'LltTranslate',
  synthesize: 'LltSynthesize',
  notify: 'LltNotify',
  workflow: 'LltWorkflow',
  observability: 'LltObservability',
  web: 'LltWeb',
};

const ALL = Object.keys(STACKS);

/** Path prefixes and the stack keys a change under them concerns. */
export const RULES = [
  ['services/ingest/', ['ingest']],
  ['services/transcribe/', ['transcribe']],
  ['services/translate/', ['translate']],
  ['services/synthesize/', ['synthesize']],
  ['services/notify/', ['notify']],
  ['workflows/', ['workflow']],
  ['frontends/', ['web']],
  ['shared/', ALL],
  ['infra/', ALL],
  ['package.json', ALL],
  ['package-lock.json', ALL],
  ['tsconfig.json', ALL],
  ['tsconfig.base.json', ALL],
];

/** The stack keys the changed paths concern, in deployment order (platform first). */
export function stacksFor(paths) {
  const keys = new Set();
  for (const path of paths) {
    for (const [prefix, stacks] of RULES) {
      if (prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix) for (const key of stacks) keys.add(key);
    }
  }
  return ALL.filter((key) => keys.has(key));
}

function changedPaths(base, head) {
  const output = execFileSync('git', ['diff', '--name-only', `${base}...${head}`], { encoding: 'utf8' });
  return output.split('\n').filter(Boolean);
}

function main([base = '', head = 'HEAD']) {
  // A new branch, a first push or a forced history: no base to compare with, so everything deploys.
  const keys = !base || /^0+$/.test(base) ? ALL : stacksFor(changedPaths(base, head));
  const stacks = keys.map((key) => STACKS[key]);
  console.log(stacks.length ? `Stacks changed: ${stacks.join(' ')}` : 'No stack changed');
  if (process.env.GITHUB_OUTPUT) {
    const lines = [`stacks=${stacks.join(' ')}`, ...ALL.map((key) => `${key}=${keys.includes(key)}`)];
    appendFileSync(process.env.GITHUB_OUTPUT, `${lines.join('\n')}\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
