// API Gateway's HTTP API JWT authorizer, as the local HTTP API applies it to the routes the CDK app protects:
// the token from `Authorization` (a `Bearer ` prefix is dropped), an RS256 signature by a key of the issuer's
// JWKS, `iss` equal to the configured issuer, `aud` (or `client_id` when there is no `aud`) among the configured
// audiences, `exp`, `nbf` and `iat` in order. A refusal is 401 `{"message":"Unauthorized"}` with a
// `www-authenticate` header saying why; an accepted token's claims reach the function as
// `requestContext.authorizer.jwt.claims` (values as strings) and its scopes as `.jwt.scopes`.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

export interface JwtAuthorizerConfig {
  issuer: string;
  audience: readonly string[];
  /** Route keys (`POST /api/sessions`, `PUT /api/sessions/{sessionId}/glossary`) that need a token. */
  routes: readonly string[];
  /** Where the keys are; by default `<issuer>/.well-known/jwks.json`, as Cognito publishes them. */
  jwksUri?: string;
}

export type JwtAuthorizerOutcome =
  | { allowed: true; event: APIGatewayProxyEventV2 }
  | { allowed: false; response: APIGatewayProxyStructuredResultV2 };

export function httpApiJwtAuthorizer(config: JwtAuthorizerConfig) {
  const keys = createRemoteJWKSet(new URL(config.jwksUri ?? `${config.issuer}/.well-known/jwks.json`));
  const routes = config.routes.map((key) => ({ key, pattern: routePattern(key) }));

  return async (event: APIGatewayProxyEventV2): Promise<JwtAuthorizerOutcome> => {
    const request = `${event.requestContext.http.method} ${event.rawPath}`;
    const routeKey = routes.find((route) => route.pattern.test(request))?.key;
    if (!routeKey) return { allowed: true, event };
    const header = headerValue(event.headers, 'authorization');
    if (!header) return refuse('', 'no token');
    const token = header.replace(/^Bearer\s+/i, '');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keys, { issuer: config.issuer, algorithms: ['RS256'] }));
    } catch (error) {
      return refuse('invalid_token', describe(error));
    }
    const audience = claims.aud !== undefined ? claims.aud : claims.client_id;
    const presented = Array.isArray(audience) ? audience : [audience];
    if (!presented.some((a) => typeof a === 'string' && config.audience.includes(a))) {
      return refuse('invalid_token', 'the token does not have a valid audience');
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : undefined;
    return {
      allowed: true,
      event: {
        ...event,
        routeKey,
        requestContext: {
          ...event.requestContext,
          routeKey,
          authorizer: { jwt: { claims: stringClaims(claims), scopes: scopes ?? null } },
        },
      } as APIGatewayProxyEventV2,
    };
  };
}

/** A route key as API Gateway matches it: a `{name}` path parameter stands for one non-empty path segment. */
function routePattern(routeKey: string): RegExp {
  const parts = routeKey.split(/(\{[^}/]+\})/);
  const source = parts
    .map((part) => (/^\{[^}/]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

function refuse(error: string, description: string): JwtAuthorizerOutcome {
  const challenge = error ? `Bearer scope="" error="${error}" error_description="${description}"` : 'Bearer';
  return {
    allowed: false,
    response: {
      statusCode: 401,
      headers: { 'content-type': 'application/json', 'www-authenticate': challenge },
      body: JSON.stringify({ message: 'Unauthorized' }),
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.claim === 'iss' ? 'the token does not have a valid issuer' : `the token's ${error.claim} is not valid`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'signing key not found or signature invalid';
  }
  return 'the token could not be parsed';
}

/** API Gateway hands claims over as strings (numbers and booleans as their text, arrays as `[a b]`). */
function stringClaims(claims: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : Array.isArray(value) ? `[${value.join(' ')}]` : JSON.stringify(value),
    ]),
  );
}

function headerValue(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}
