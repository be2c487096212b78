// Entry point of the CDK app (`npm run cdk -- synth|deploy …`). The only place that reads the environment:
// everything below is configured by props.
import { join } from 'node:path';
import { REPO_ROOT } from './config.ts';
import { createLltApp } from './llt-app.ts';

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const alarmEmail = process.env.LLT_ALARM_EMAIL;
const allowedOrigins = process.env.LLT_ALLOWED_ORIGINS?.split(',')
  .map((o) => o.trim())
  .filter(Boolean);

const { app } = createLltApp({
  // The CDK CLI says where (CDK_OUTDIR); run on its own (`npm run synth`) the app writes the repository's cdk.out.
  appProps: { outdir: process.env.CDK_OUTDIR ?? join(REPO_ROOT, 'cdk.out') },
  ...(account || region ? { env: { ...(account ? { account } : {}), ...(region ? { region } : {}) } } : {}),
  ...(alarmEmail ? { alarmEmail } : {}),
  ...(allowedOrigins?.length ? { allowedOrigins } : {}),
});
app.synth();
