// The hosted web apps: the speaker app at /speaker/ and the listener app at /, from a private bucket behind
// CloudFront, which also routes the apps' same-origin API paths (/api/*, /ws) to the platform's APIs, so the built
// apps run unchanged on any domain. /config.json is written at deploy time from the platform's parameters.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Annotations,
  CfnOutput,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, type ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { PARAMETERS, WEBSOCKET_STAGE } from '../config.ts';
import { acknowledge, resourceFinding } from '../nag.ts';
import { platformParameter } from '../platform-refs.ts';
import { Stage } from '../stage.ts';

/** Where each app is served and where its build (vite's `dist`) is. */
export interface WebApp {
  /** Key prefix in the bucket and URL path: `''` (the root) or `speaker/`. */
  prefix: string;
  dir: string;
}

export interface WebStackProps extends StackProps {
  /** The listener app (served at `/`, with `/config.json`) and the speaker app (served at `/speaker/`). */
  apps: { listener: string; speaker: string };
  /** A custom domain for the distribution; needs `certificateArn` (an ACM certificate in us-east-1). */
  domainName?: string;
  certificateArn?: string;
}

/** The paths CloudFront sends to the platform's APIs instead of the bucket. */
export const API_PATHS = { http: '/api/*', webSocket: '/ws' } as const;

/**
 * Viewer-request function of the apps' behaviour, as the local runtime serves them: `/speaker` redirects to
 * `/speaker/`, and a path whose last segment has no extension (a client-side route, a directory) gets its app's
 * index.html. Assets keep their paths.
 */
export const APP_ROUTES_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/speaker') {
    var query = [];
    for (var key in request.querystring) {
      var entry = request.querystring[key];
      var values = entry.multiValue ? entry.multiValue : [entry];
      for (var i = 0; i < values.length; i++) {
        query.push(encodeURIComponent(key) + '=' + encodeURIComponent(values[i].value));
      }
    }
    var location = '/speaker/' + (query.length ? '?' + query.join('&') : '');
    return { statusCode: 308, statusDescription: 'Permanent Redirect', headers: { location: { value: location } } };
  }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = uri.indexOf('/speaker/') === 0 ? '/speaker/index.html' : '/index.html';
  }
  return request;
}`;

/** Viewer-request function of the WebSocket behaviour: the apps' `/ws` is the WebSocket API's stage path. */
export const WEBSOCKET_PATH_FUNCTION = `function handler(event) {
  var request = event.request;
  request.uri = '/${WEBSOCKET_STAGE}';
  return request;
}`;

/** `'sha256-…'` sources for the inline scripts of a built page, so the CSP allows exactly those. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
    const [, attributes = '', body = ''] = match;
    if (/\ssrc\s*=/i.test(attributes) || body.length === 0) continue;
    hashes.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

export class WebStack extends Stack {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** Where listeners join: the QR code and the join link point here (`/config.json`'s `listenerUrl`). */
  readonly listenerUrl: string;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    if (Boolean(props.domainName) !== Boolean(props.certificateArn)) {
      throw new Error('A custom domain needs both domainName and certificateArn (an ACM certificate in us-east-1)');
    }

    const apps: Record<'listener' | 'speaker', WebApp> = {
      listener: { prefix: '', dir: props.apps.listener },
      speaker: { prefix: 'speaker/', dir: props.apps.speaker },
    };
    const built = Object.fromEntries(
      Object.entries(apps).map(([name, app]) => [name, existsSync(join(app.dir, 'index.html'))]),
    ) as Record<keyof typeof apps, boolean>;
    for (const [name, app] of Object.entries(apps)) {
      if (!built[name as keyof typeof apps]) {
        // `cdk synth` and `cdk deploy` stop on an error annotation; the templates stay testable without a build.
        Annotations.of(this).addError(`The ${name} app is not built (${app.dir}): run \`npm run build:apps\` first`);
      }
    }

    const logs = new Bucket(this, 'WebLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are delivered with an ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'ExpireWebLogs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new Bucket(this, 'AppsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'apps-bucket/',
      // The builds are reproducible: a deleted stack leaves a bucket that can be emptied and removed by hand.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const region = this.region;
    const audioBucket = platformParameter(this, PARAMETERS.audioBucketName);
    const userPoolId = platformParameter(this, PARAMETERS.userPoolId);
    const userPoolClientId = platformParameter(this, PARAMETERS.userPoolClientId);
    const apiDomain = (apiId: string) => `${apiId}.execute-api.${region}.${this.urlSuffix}`;

    const scriptHashes = Object.entries(apps).flatMap(([name, app]) =>
      built[name as keyof typeof apps] ? inlineScriptHashes(readFileSync(join(app.dir, 'index.html'), 'utf8')) : [],
    );
    const audioOrigin = `https://${audioBucket}.s3.${region}.${this.urlSuffix}`;
    const contentSecurityPolicy = [
      "default-src 'self'",
      // The apps' bundles, the speaker's AudioWorklet module (loaded like a script) and the listener's
      // theme-before-paint snippet, by hash.
      `script-src 'self' ${[...new Set(scriptHashes)].join(' ')}`.trim(),
      "style-src 'self'",
      // The favicons are data: URLs; the QR code is drawn in the page.
      "img-src 'self' data:",
      // The HTTP API and the WebSocket API on this origin ('self' covers wss: on the same host), the presigned
      // audio URLs (fetched, then decoded), the user pool's sign-in endpoints.
      `connect-src 'self' ${audioOrigin} https://cognito-idp.${region}.amazonaws.com https://*.auth.${region}.amazoncognito.com`,
      `media-src 'self' blob: ${audioOrigin}`,
      "worker-src 'self'",
      "font-src 'self'",
      "manifest-src 'self'",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      'upgrade-insecure-requests',
    ].join('; ');

    const securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Low-latency translate: security headers of the web apps and their APIs',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        // The legacy XSS auditor is off (`0`), as current guidance says; the CSP does that job.
        xssProtection: { protection: false, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          // The speaker app needs the microphone; nothing needs the camera, location or payments.
          {
            header: 'Permissions-Policy',
            value: 'microphone=(self), camera=(), geolocation=(), payment=(), usb=()',
            override: true,
          },
        ],
      },
    });

    // CloudFront functions are named per account, not per stack: each stage names its own.
    const stage = Stage.of(this);
    const appRoutes = new EdgeFunction(this, 'AppRoutes', {
      functionName: stage.resource('llt-web-app-routes'),
      code: FunctionCode.fromInline(APP_ROUTES_FUNCTION),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Redirects /speaker, serves each app its index.html for paths without a file extension',
    });
    const webSocketPath = new EdgeFunction(this, 'WebSocketPath', {
      functionName: stage.resource('llt-web-websocket-path'),
      code: FunctionCode.fromInline(WEBSOCKET_PATH_FUNCTION),
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Sends /ws to the WebSocket API stage',
    });

    const apiBehaviour = {
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // Query strings, Sec-WebSocket-* and every other header reach the API; Host stays the API's own.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: securityHeaders,
      compress: false,
    };
    const apiOrigin = (parameter: (typeof PARAMETERS)[keyof typeof PARAMETERS]) =>
      new HttpOrigin(apiDomain(platformParameter(this, parameter)), {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Low-latency translate: speaker and listener apps, HTTP and WebSocket APIs',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        functionAssociations: [{ function: appRoutes, eventType: FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      additionalBehaviors: {
        [API_PATHS.http]: {
          ...apiBehaviour,
          origin: apiOrigin(PARAMETERS.httpApiId),
          allowedMethods: AllowedMethods.ALLOW_ALL,
        },
        [API_PATHS.webSocket]: {
          ...apiBehaviour,
          origin: apiOrigin(PARAMETERS.websocketApiId),
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          functionAssociations: [{ function: webSocketPath, eventType: FunctionEventType.VIEWER_REQUEST }],
        },
      },
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'distribution/',
      ...(props.domainName && props.certificateArn
        ? {
            domainNames: [props.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    acknowledge(
      this.distribution,
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Listeners join from anywhere a talk is streamed; no country is excluded',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL (a fixed monthly cost per ACL and rule): the APIs are throttled per stage, ingest limits join attempts and messages per client, speakers need a Cognito token',
      },
      ...(props.domainName
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                "Without a custom domain the distribution uses CloudFront's default certificate, whose TLS policy cannot be chosen; pass -c domainName=… -c certificateArn=… for TLSv1.2_2021",
            },
          ]),
    );

    const host = props.domainName ?? this.distribution.distributionDomainName;
    this.listenerUrl = `https://${host}/`;
    // What the apps cannot know from their own build: where listeners join, and how speakers sign in (the same
    // shape as the local runtime's /config.json: an OpenID provider, here the speakers' user pool).
    const appConfig = {
      listenerUrl: this.listenerUrl,
      speakerAuth: {
        type: 'cognito',
        authority: `https://cognito-idp.${region}.${this.urlSuffix}/${userPoolId}`,
        clientId: userPoolClientId,
        userPoolId,
        scope: 'openid',
      },
    };

    // Hashed assets never change under their name: cached for good, and the ones an older page still loads are
    // kept (no pruning). Pages and /config.json are revalidated on every load, so a deploy shows at once.
    const deployments: [string, ISource[], string, CacheControl[]][] = [];
    for (const [name, app] of Object.entries(apps)) {
      if (!built[name as keyof typeof apps]) continue;
      const title = name === 'speaker' ? 'Speaker' : 'Listener';
      deployments.push([
        `${title}Assets`,
        [Source.asset(join(app.dir, 'assets'))],
        `${app.prefix}assets/`,
        [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
      ]);
      deployments.push([
        `${title}Pages`,
        [
          Source.asset(app.dir, { exclude: ['assets', 'assets/**'] }),
          ...(name === 'listener' ? [Source.jsonData('config.json', appConfig)] : []),
        ],
        app.prefix,
        [CacheControl.noCache()],
      ]);
    }
    if (!built.listener) {
      deployments.push(['ListenerPages', [Source.jsonData('config.json', appConfig)], '', [CacheControl.noCache()]]);
    }
    // CDK's bucket deployment function (one per stack, shared by the deployments) unzips the apps and syncs them
    // into the bucket. It gets a role of its own with exactly what that takes (CDK's grants would add wildcard
    // actions and the managed basic execution role) and a log group of its own.
    const deploymentLogs = new LogGroup(this, 'AppsDeploymentLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const assetObjects = `arn:${this.partition}:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-${this.account}-${this.region}/*`;
    const appsObjects = `${this.bucket.bucketArn}/*`;
    const deploymentRole = new Role(this, 'AppsDeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the built web apps and /config.json into the apps bucket',
      inlinePolicies: {
        deploy: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [deploymentLogs.logGroupArn],
            }),
            // The zipped apps, staged by cdk deploy in the bootstrap's asset bucket.
            new PolicyStatement({ actions: ['s3:GetObject'], resources: [assetObjects] }),
            // `aws s3 sync` lists the destination and puts what differs.
            new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
            new PolicyStatement({ actions: ['s3:PutObject'], resources: [appsObjects] }),
          ],
        }),
      },
    });
    acknowledge(deploymentRole, {
      id: 'AwsSolutions-IAM5',
      reason:
        'The deployment reads the zipped apps from the bootstrap asset bucket and writes the apps bucket; object keys are known only at deploy time',
      findings: [resourceFinding(this, assetObjects), resourceFinding(this, appsObjects)],
    });
    for (const [id, sources, prefix, cacheControl] of deployments) {
      new BucketDeployment(this, id, {
        sources,
        destinationBucket: this.bucket,
        ...(prefix ? { destinationKeyPrefix: prefix } : {}),
        prune: false,
        cacheControl,
        memoryLimit: 256,
        // Its own statements above are the whole policy: CDK's grants to the role are dropped.
        role: deploymentRole.withoutPolicyUpdates(),
        logGroup: deploymentLogs,
      });
    }
    for (const child of this.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      acknowledge(child, {
        id: 'AwsSolutions-L1',
        reason: "CDK's bucket deployment function runs the Python runtime CDK ships it for; the apps do not run on it",
      });
    }

    new CfnOutput(this, 'ListenerUrl', { value: this.listenerUrl });
    new CfnOutput(this, 'SpeakerUrl', { value: `https://${host}/speaker/` });
    new CfnOutput(this, 'DistributionDomainName', { value: this.distribution.distributionDomainName });
    new CfnOutput(this, 'AppsBucketName', { value: this.bucket.bucketName });
  }
}
