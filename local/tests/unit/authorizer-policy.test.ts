// How the local gateway reads a $connect authorizer's answer, as API Gateway does: Allow, Deny (403), invalid (500).
import { describe, expect, test } from 'vitest';
import { checkIdentitySource, evaluateAuthorizerResult } from '../../src/gateway/authorizer-policy.ts';

const ARN = 'arn:aws:execute-api:local:000000000000:local/local/$connect';
const MAX = 8 * 1024;

const statement = (Effect: string, Resource: unknown = ARN, Action: unknown = 'execute-api:Invoke') => ({
  Effect,
  Action,
  Resource,
});
const result = (statements: unknown[], extra: Record<string, unknown> = {}) => ({
  principalId: 'user-1',
  policyDocument: { Version: '2012-10-17', Statement: statements },
  ...extra,
});

describe('evaluateAuthorizerResult', () => {
  test('an Allow on the method ARN lets the handshake through with the context and principalId', () => {
    expect(
      evaluateAuthorizerResult(result([statement('Allow')], { context: { role: 'speaker', n: 2 } }), ARN, MAX),
    ).toEqual({ effect: 'allow', authorizer: { role: 'speaker', n: 2, principalId: 'user-1' } });
  });

  test('wildcards in the resource and the action match', () => {
    for (const s of [
      statement('Allow', 'arn:aws:execute-api:*:*:*/*/$connect'),
      statement('Allow', '*', 'execute-api:*'),
      statement('Allow', [ARN], ['EXECUTE-API:invoke']),
    ]) {
      expect(evaluateAuthorizerResult(result([s]), ARN, MAX).effect).toBe('allow');
    }
  });

  test('a Deny, or no Allow for this method, is a 403', () => {
    const forbidden = { effect: 'deny', status: 403, message: 'Forbidden' };
    expect(evaluateAuthorizerResult(result([statement('Deny')]), ARN, MAX)).toEqual(forbidden);
    expect(evaluateAuthorizerResult(result([statement('Allow'), statement('Deny', '*')]), ARN, MAX)).toEqual(forbidden);
    expect(evaluateAuthorizerResult(result([statement('Allow', `${ARN}x`)]), ARN, MAX)).toEqual(forbidden);
    expect(evaluateAuthorizerResult(result([statement('Allow', ARN, 's3:GetObject')]), ARN, MAX)).toEqual(forbidden);
  });

  test.each([
    ['nothing', undefined],
    ['a string', 'Allow'],
    ['no principalId', { policyDocument: result([statement('Allow')]).policyDocument }],
    ['no policy', { principalId: 'p' }],
    ['a statement without Effect', result([{ Action: 'execute-api:Invoke', Resource: ARN }])],
    ['a nested context value', result([statement('Allow')], { context: { user: { id: 1 } } })],
    ['a result over 8 KB', result([statement('Allow')], { context: { pad: 'x'.repeat(MAX) } })],
  ])('%s is an invalid result: 500', (_label, answer) => {
    expect(evaluateAuthorizerResult(answer, ARN, MAX)).toMatchObject({
      effect: 'invalid',
      status: 500,
      message: 'Internal server error',
    });
  });
});

describe('checkIdentitySource', () => {
  test('reads query string and header sources, refuses others', () => {
    expect(checkIdentitySource('route.request.querystring.role')).toEqual(['querystring', 'role']);
    expect(checkIdentitySource('route.request.header.X-Api-Key')).toEqual(['header', 'X-Api-Key']);
    expect(() => checkIdentitySource('stageVariables.key')).toThrow(/not supported/);
  });
});
