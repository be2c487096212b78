// How API Gateway reads a Lambda REQUEST authorizer's answer for a WebSocket $connect: an IAM policy that must
// allow execute-api:Invoke on the method ARN (an explicit Deny wins), an optional context of plain values, and
// a principalId. Anything else is the authorizer's failure, which the client sees as a 500.

export type AuthorizerOutcome =
  | { effect: 'allow'; authorizer: Record<string, unknown> }
  | { effect: 'unauthorized'; status: 401; message: 'Unauthorized' }
  | { effect: 'deny'; status: 403; message: 'Forbidden' }
  | { effect: 'invalid'; status: 500; message: 'Internal server error'; problem: string };

const SOURCE = /^route\.request\.(querystring|header)\.([^.]+)$/;

/** `route.request.querystring.<name>` or `route.request.header.<name>` → [kind, name]; anything else throws. */
export function checkIdentitySource(source: string): ['querystring' | 'header', string] {
  const match = SOURCE.exec(source);
  if (!match) {
    throw new Error(
      `identity source ${JSON.stringify(source)} is not supported by the local gateway ` +
        '(route.request.querystring.<name> or route.request.header.<name>)',
    );
  }
  return [match[1] as 'querystring' | 'header', match[2]!];
}

export function evaluateAuthorizerResult(result: unknown, methodArn: string, maxBytes: number): AuthorizerOutcome {
  const invalid = (problem: string): AuthorizerOutcome => ({
    effect: 'invalid',
    status: 500,
    message: 'Internal server error',
    problem: `authorizer result ${problem}`,
  });
  if (!isObject(result)) return invalid('is not an object');
  const size = Buffer.byteLength(JSON.stringify(result));
  if (size > maxBytes) return invalid(`is ${size} bytes, over the ${maxBytes}-byte limit`);
  const { principalId, policyDocument, context } = result;
  if (typeof principalId !== 'string' || principalId === '') return invalid('has no principalId');
  if (!isObject(policyDocument)) return invalid('has no policyDocument');
  const statements = Array.isArray(policyDocument.Statement)
    ? policyDocument.Statement
    : isObject(policyDocument.Statement)
      ? [policyDocument.Statement]
      : undefined;
  if (!statements) return invalid('has no policy statements');
  let allowed = false;
  for (const statement of statements) {
    if (!isObject(statement) || (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')) {
      return invalid('has a statement without Effect Allow or Deny');
    }
    const actions = listOf(statement.Action);
    const resources = listOf(statement.Resource);
    if (!actions || !resources) return invalid('has a statement without Action or Resource');
    const applies =
      actions.some((action) => matches(action, 'execute-api:Invoke', true)) &&
      resources.some((resource) => matches(resource, methodArn, false));
    if (!applies) continue;
    if (statement.Effect === 'Deny') return { effect: 'deny', status: 403, message: 'Forbidden' };
    allowed = true;
  }
  if (!allowed) return { effect: 'deny', status: 403, message: 'Forbidden' };
  if (context !== undefined && context !== null) {
    if (!isObject(context)) return invalid('context is not an object');
    for (const [key, value] of Object.entries(context)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) {
        return invalid(`context value ${JSON.stringify(key)} is not a string, number or boolean`);
      }
    }
  }
  return { effect: 'allow', authorizer: { ...(isObject(context) ? context : {}), principalId } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listOf(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value;
  return undefined;
}

/** IAM matching: `*` any run of characters, `?` one character (actions ignore case, resources do not). */
function matches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
    ignoreCase ? 'i' : '',
  );
  return regex.test(value);
}
