// The web stack's template: a private bucket read by the distribution only (origin access control), the apps'
// routes and the API behaviours, the security headers, and /config.json written at deploy time from the
// platform's parameters and the distribution's domain. Built against small stand-in app builds.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARAMETERS, WEBSOCKET_STAGE } from '../src/config.ts';
import { createLltApp } from '../src/llt-app.ts';
import {
  API_PATHS,
  APP_ROUTES_FUNCTION,
  inlineScriptHashes,
  WEBSOCKET_PATH_FUNCTION,
} from '../src/stacks/web-stack.ts';
import { Stage } from '../src/stage.ts';
import {
  type CfnResourceJson,
  flat,
  removeTemporaryDirectories,
  resourcesOf,
  resourcesOfStatement,
  statementsOf,
  temporaryDirectory,
} from './synth.ts';

const THEME_SCRIPT = "\n      document.documentElement.dataset.theme = 'dark';\n    ";
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

/** A stand-in for vite's output: index.html (with an inline script for the listener) and a hashed asset. */
function fakeBuild(name: string, inlineScript?: string): string {
  const dir = join(temporaryDirectory(`llt-web-${name}-`), 'dist');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  const inline = inlineScript === undefined ? '' : `<script>${inlineScript}</script>`;
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head>${inline}<script type="module" src="/assets/index-abc.js"></script></head></html>`,
  );
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  return dir;
}

interface Built {
  json: { Resources: Record<string, CfnResourceJson>; Parameters?: Record<string, { Default?: string }> };
  template: Template;
  outdir: string;
  stackName: string;
  stackIds: string[];
}

function buildWeb(context: Record<string, string> = {}, apps?: { listener: string; speaker: string }): Built {
  const outdir = temporaryDirectory('llt-web-cdk-');
  const llt = createLltApp({
    appProps: { outdir, context: { 'aws:cdk:bundling-stacks': [], ...context } },
    webApps: apps ?? { listener: fakeBuild('listener', THEME_SCRIPT), speaker: fakeBuild('speaker') },
  });
  const assembly = llt.app.synth();
  const artifact = assembly.getStackByName(llt.web.stackName);
  const json = artifact.template as Built['json'];
  return {
    json,
    template: Template.fromJSON(json as Record<string, unknown>),
    outdir,
    stackName: llt.web.stackName,
    stackIds: llt.stacks.map((s) => s.node.id),
  };
}

let web: Built;
beforeAll(() => {
  web = buildWeb();
});
afterAll(removeTemporaryDirectories);

const only = (type: string): [string, CfnResourceJson] => {
  const found = resourcesOf(web.json, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const distributionConfig = () =>
  only('AWS::CloudFront::Distribution')[1].Properties!.DistributionConfig as Record<
    string,
    // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
    any
  >;
/** The SSM parameter a template parameter reads (`AWS::SSM::Parameter::Value<String>`), by logical id. */
const parameterName = (logicalId: string) => web.json.Parameters?.[logicalId]?.Default;
const dev = new Stage('dev');

describe('web stack', () => {
  it('is one of the app stacks, named after the stage', () => {
    expect(web.stackIds).toContain('LltWeb');
    expect(web.stackName).toBe(dev.stackName('LltWeb'));
  });

  it('keeps the apps in a private, encrypted, TLS-only bucket with access logs', () => {
    const [logicalId, bucket] = resourcesOf(web.json, 'AWS::S3::Bucket').find(([id]) => id.startsWith('AppsBucket'))!;
    expect(bucket.Properties!.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties!.WebsiteConfiguration).toBeUndefined();
    expect(bucket.Properties!.BucketEncryption).toBeDefined();
    expect(bucket.Properties!.LoggingConfiguration).toBeDefined();
    expect(logicalId).toMatch(/^AppsBucket/);
  });

  it('lets only this distribution read the bucket, through origin access control (no OAI)', () => {
    const [oacId, oac] = only('AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties!.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(resourcesOf(web.json, 'AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual([]);
    const s3Origin = distributionConfig().Origins.find((o: Record<string, unknown>) => o.S3OriginConfig !== undefined);
    expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });

    const [distributionId] = only('AWS::CloudFront::Distribution');
    const policy = resourcesOf(web.json, 'AWS::S3::BucketPolicy').find(([, p]) =>
      flat(p.Properties!.Bucket).includes('AppsBucket'),
    )![1];
    const statements = (policy.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    const sourceArn = flat(
      (allows[0]!.Condition as { StringEquals: Record<string, unknown> }).StringEquals['AWS:SourceArn'],
    );
    expect(sourceArn).toContain(`distribution/<${distributionId}>`);
    // Plain HTTP to the bucket is refused.
    expect(
      statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport')),
    ).toBe(true);
  });

  it('serves the apps over HTTPS with their routes, logs, and sends /api/* and /ws to the platform APIs', () => {
    const config = distributionConfig();
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.Logging).toBeDefined();
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.FunctionAssociations).toHaveLength(1);
    expect(config.DefaultCacheBehavior.FunctionAssociations[0].EventType).toBe('viewer-request');

    const behaviours = Object.fromEntries(
      (config.CacheBehaviors as Record<string, unknown>[]).map((b) => [b.PathPattern as string, b]),
    );
    expect(Object.keys(behaviours).sort()).toEqual([API_PATHS.http, API_PATHS.webSocket].sort());
    for (const behaviour of Object.values(behaviours)) {
      expect(behaviour).toMatchObject({
        ViewerProtocolPolicy: 'https-only',
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      });
    }
    expect(behaviours[API_PATHS.http]!.AllowedMethods).toEqual(
      expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
    );
    expect(behaviours[API_PATHS.webSocket]!.FunctionAssociations).toHaveLength(1);

    // Each API behaviour's origin is the API the platform published, reached over HTTPS only.
    const origins = Object.fromEntries((config.Origins as Record<string, unknown>[]).map((o) => [o.Id as string, o]));
    const originDomain = (path: string) => {
      const origin = origins[behaviours[path]!.TargetOriginId as string] as Record<string, unknown>;
      expect((origin.CustomOriginConfig as Record<string, unknown>).OriginProtocolPolicy).toBe('https-only');
      return flat(origin.DomainName);
    };
    const apiParameter = (domain: string) => {
      const [, logicalId] = /^<([^>]+)>\.execute-api\./.exec(domain) ?? [];
      return parameterName(logicalId ?? '');
    };
    expect(apiParameter(originDomain(API_PATHS.http))).toBe(dev.parameter(PARAMETERS.httpApiId));
    expect(apiParameter(originDomain(API_PATHS.webSocket))).toBe(dev.parameter(PARAMETERS.websocketApiId));
  });

  it('sends security headers: HSTS, a CSP fitting the apps, microphone for this origin only', () => {
    const [, policy] = only('AWS::CloudFront::ResponseHeadersPolicy');
    // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
    const config = (policy.Properties as any).ResponseHeadersPolicyConfig;
    const security = config.SecurityHeadersConfig;
    expect(security.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 63072000, Override: true });
    expect(security.ContentTypeOptions).toMatchObject({ Override: true });
    expect(security.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    const csp = flat(security.ContentSecurityPolicy.ContentSecurityPolicy);
    const directives = Object.fromEntries(
      csp.split(';').map((d) => {
        const [name, ...sources] = d.trim().split(/\s+/);
        return [name!, sources];
      }),
    );
    const themeHash = `'sha256-${createHash('sha256').update(THEME_SCRIPT).digest('base64')}'`;
    expect(directives['script-src']).toEqual(["'self'", themeHash]);
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    // Same-origin APIs, and the audio bucket's presigned URLs (the bucket name is the platform's parameter).
    expect(directives['connect-src']?.[0]).toBe("'self'");
    const audio = directives['connect-src']?.find((s) => s.includes('.s3.'));
    const [, bucketParameter] = /^https:\/\/<([^>]+)>\.s3\./.exec(audio ?? '') ?? [];
    expect(parameterName(bucketParameter ?? '')).toBe(dev.parameter(PARAMETERS.audioBucketName));
    const headers = config.CustomHeadersConfig.Items as { Header: string; Value: string }[];
    expect(headers.find((h) => h.Header === 'Permissions-Policy')?.Value).toContain('microphone=(self)');
    for (const path of ['DefaultCacheBehavior', 'CacheBehaviors']) {
      const behaviours = [distributionConfig()[path]].flat();
      for (const b of behaviours) expect(b.ResponseHeadersPolicyId, path).toBeDefined();
    }
  });

  it('writes /config.json at deploy time: the join link on the distribution, the speakers user pool', () => {
    const deployments = resourcesOf(web.json, 'Custom::CDKBucketDeployment');
    // Each app's pages and its hashed assets.
    expect(deployments).toHaveLength(4);
    const withConfig = deployments.filter(([, d]) => d.Properties!.SourceMarkers !== undefined);
    expect(withConfig).toHaveLength(1);
    const properties = withConfig[0]![1].Properties!;
    expect(properties.DestinationBucketKeyPrefix).toBeUndefined();

    // The staged config.json holds markers; the deployment substitutes each marker's value when it runs.
    const markers = (properties.SourceMarkers as Record<string, unknown>[]).find((m) => Object.keys(m).length > 0)!;
    const configFile = findStaged(web.outdir, 'config.json');
    const replaced = Object.entries(markers).reduce(
      (text, [marker, value]) => text.split(marker).join(flat(value)),
      readFileSync(configFile, 'utf8'),
    );
    const config = JSON.parse(replaced) as {
      listenerUrl: string;
      speakerAuth: { type: string; authority: string; clientId: string; userPoolId: string; scope: string };
    };
    const [distributionId] = only('AWS::CloudFront::Distribution');
    expect(config.listenerUrl).toBe(`https://<${distributionId}.DomainName>/`);
    expect(config.speakerAuth).toMatchObject({ type: 'cognito', scope: 'openid' });
    const parameterOf = (value: string) => parameterName(/<([^>]+)>$/.exec(value)?.[1] ?? '');
    expect(config.speakerAuth.authority).toMatch(/^https:\/\/cognito-idp\.<AWS::Region>\.<AWS::URLSuffix>\/<[^>]+>$/);
    expect(parameterOf(config.speakerAuth.authority)).toBe(dev.parameter(PARAMETERS.userPoolId));
    expect(parameterOf(config.speakerAuth.clientId)).toBe(dev.parameter(PARAMETERS.userPoolClientId));
    expect(parameterOf(config.speakerAuth.userPoolId)).toBe(dev.parameter(PARAMETERS.userPoolId));
  });

  it('caches hashed assets for good and revalidates pages and /config.json', () => {
    const deployments = resourcesOf(web.json, 'Custom::CDKBucketDeployment').map(([, d]) => d.Properties!);
    const byPrefix = Object.fromEntries(deployments.map((d) => [String(d.DestinationBucketKeyPrefix ?? ''), d]));
    expect(Object.keys(byPrefix).sort()).toEqual(['', 'assets/', 'speaker/', 'speaker/assets/']);
    for (const prefix of ['assets/', 'speaker/assets/']) {
      expect(flat(byPrefix[prefix]!.SystemMetadata)).toContain('immutable');
    }
    for (const prefix of ['', 'speaker/']) expect(flat(byPrefix[prefix]!.SystemMetadata)).toContain('no-cache');
    // Nothing is pruned: a page loaded before a deploy still finds its assets.
    for (const d of deployments) expect(d.Prune).toBe(false);
  });

  it('copies the apps in with a role of its own: the asset objects, the apps bucket, nothing else', () => {
    const roles = resourcesOf(web.json, 'AWS::IAM::Role');
    expect(roles.map(([id]) => id).filter((id) => !id.startsWith('AppsDeploymentRole'))).toEqual([]);
    const role = roles[0]![1].Properties!;
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = statementsOf(web.json as Parameters<typeof statementsOf>[0]);
    const granted = statements.map((s) => `${[s.Action].flat().join(',')} ${resourcesOfStatement(s).join(',')}`);
    expect(granted.sort()).toEqual(
      [
        expect.stringMatching(/^logs:CreateLogStream,logs:PutLogEvents <AppsDeploymentLogs\w*\.Arn>$/),
        expect.stringMatching(
          /^s3:GetObject arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>\/\*$/,
        ),
        expect.stringMatching(/^s3:ListBucket <AppsBucket\w*\.Arn>$/),
        expect.stringMatching(/^s3:PutObject <AppsBucket\w*\.Arn>\/\*$/),
      ].sort(),
    );
  });

  it('uses a custom domain and its certificate when given, and puts the join link on it', () => {
    const custom = buildWeb({
      domainName: 'live.example.org',
      certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
    });
    // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON
    const config = (resourcesOf(custom.json, 'AWS::CloudFront::Distribution')[0]![1].Properties as any)
      .DistributionConfig;
    expect(config.Aliases).toEqual(['live.example.org']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    custom.template.hasOutput('ListenerUrl', { Value: 'https://live.example.org/' });
  });

  it('refuses a domain without a certificate', () => {
    expect(() => buildWeb({ domainName: 'live.example.org' })).toThrow(/certificateArn/);
  });

  it('stops synthesis with a clear error when the apps are not built', () => {
    const empty = temporaryDirectory('llt-web-unbuilt-');
    const outdir = temporaryDirectory('llt-web-cdk-');
    const llt = createLltApp({
      appProps: { outdir, context: { 'aws:cdk:bundling-stacks': [] } },
      webApps: { listener: empty, speaker: empty },
    });
    const artifact = llt.app.synth().getStackByName(llt.web.stackName);
    const errors = artifact.messages.filter((m) => m.level === 'error').map((m) => String(m.entry.data));
    expect(errors.some((e) => e.includes('npm run build:apps'))).toBe(true);
  });

  it('has no unacknowledged cdk-nag finding', () => {
    const outdir = temporaryDirectory('llt-web-cdk-');
    const llt = createLltApp({
      appProps: { outdir, context: { 'aws:cdk:bundling-stacks': [] } },
      webApps: { listener: fakeBuild('listener', THEME_SCRIPT), speaker: fakeBuild('speaker') },
    });
    const violations = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(llt.web).violations;
    expect(violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
  });
});

describe('CloudFront functions', () => {
  type Request = { uri: string; querystring: Record<string, { value: string; multiValue?: { value: string }[] }> };
  const run = (code: string, request: Request) =>
    runInNewContext(`${code}\nhandler(event)`, { event: { request }, encodeURIComponent }) as
      | Request
      | { statusCode: number; headers: Record<string, { value: string }> };
  const uriFor = (uri: string) => (run(APP_ROUTES_FUNCTION, { uri, querystring: {} }) as Request).uri;

  it("gives paths without a file extension their app's index.html, as the local server does", () => {
    expect(uriFor('/')).toBe('/index.html');
    expect(uriFor('/join')).toBe('/index.html');
    expect(uriFor('/speaker/')).toBe('/speaker/index.html');
    expect(uriFor('/speaker/session/abc')).toBe('/speaker/index.html');
    expect(uriFor('/assets/index-abc.js')).toBe('/assets/index-abc.js');
    expect(uriFor('/speaker/assets/capture.worklet-x.js')).toBe('/speaker/assets/capture.worklet-x.js');
    expect(uriFor('/config.json')).toBe('/config.json');
  });

  it('redirects /speaker to /speaker/, keeping the query', () => {
    const answer = run(APP_ROUTES_FUNCTION, {
      uri: '/speaker',
      querystring: { lang: { value: 'es' }, t: { value: 'a b', multiValue: [{ value: 'a b' }, { value: 'c' }] } },
    });
    expect(answer).toMatchObject({
      statusCode: 308,
      headers: { location: { value: '/speaker/?lang=es&t=a%20b&t=c' } },
    });
  });

  it('sends /ws to the WebSocket API stage', () => {
    expect((run(WEBSOCKET_PATH_FUNCTION, { uri: '/ws', querystring: {} }) as Request).uri).toBe(`/${WEBSOCKET_STAGE}`);
  });

  it("hashes a page's inline scripts, not its external ones", () => {
    const html = `<script>a()</script><script type="module" src="/x.js"></script><script type="module">b()</script>`;
    const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    expect(inlineScriptHashes(html)).toEqual([sha('a()'), sha('b()')]);
  });
});

/** The staged file `name` in a synthesized assembly's asset directories. */
function findStaged(outdir: string, name: string): string {
  for (const entry of readdirSync(outdir)) {
    const candidate = join(outdir, entry, name);
    if (entry.startsWith('asset.') && existsSync(candidate)) return candidate;
  }
  throw new Error(`no staged ${name} in ${outdir}`);
}
