// The local Lambda service runs each function the way Lambda does: its own memory (no module state shared with
// another function, another environment or the runtime), one invocation at a time per environment under the
// `random` policy, frozen between invocations, discarded every N invocations, routed by a seeded generator that
// replays, errors reported under their own name. The functions here are a probe module (support/lambda/probe.ts).
import { stats } from '@llt/platform';
import type { FunctionSpec } from '@llt/platform/functions';
import { afterEach, expect, test } from 'vitest';
import { LambdaInvocationError, LambdaService, type LambdaSettings } from '../../src/lambda/index.ts';
import { type ProbeEvent, RUNTIME_MARK } from '../support/lambda/probe.ts';

const PROBE = new URL('../support/lambda/probe.ts', import.meta.url).href;

interface Probe {
  environmentId: string;
  invocations: number;
  functionName: string;
  timersFired: number[];
  sawRuntimeMark: boolean;
  value?: string | null;
}

const spec = (name: string): FunctionSpec => ({ name, service: 'notify', module: 'probe', handler: 'handler' });
const services: LambdaService[] = [];

function start(settings: Partial<LambdaSettings>, names = ['probe-a', 'probe-b']): LambdaService {
  const service = new LambdaService({
    functions: names.map(spec),
    env: { PROBE_SETTING: 'configured' },
    settings,
    handlerUrl: () => PROBE,
    onError: () => undefined,
  });
  services.push(service);
  return service;
}

const call = (service: LambdaService, event: ProbeEvent, name = 'probe-a') => service.invoke<Probe>(name, event);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.stop()));
});

test("two functions built from one module share no state, nor with the runtime's thread", async () => {
  (globalThis as Record<string, unknown>)[RUNTIME_MARK] = true;
  const service = start({ policy: 'sticky' });
  const a1 = await call(service, { action: 'whoami' }, 'probe-a');
  const a2 = await call(service, { action: 'whoami' }, 'probe-a');
  const b1 = await call(service, { action: 'whoami' }, 'probe-b');
  expect(a2.environmentId).toBe(a1.environmentId);
  expect([a1.invocations, a2.invocations]).toEqual([1, 2]);
  expect(b1.environmentId).not.toBe(a1.environmentId);
  expect(b1.invocations).toBe(1);
  expect([a1, a2, b1].some((p) => p.sawRuntimeMark)).toBe(false);
  expect(b1.functionName).toBe('probe-b');
  delete (globalThis as Record<string, unknown>)[RUNTIME_MARK];
});

test("a function's environment has its configuration and Lambda's variables as process.env", async () => {
  const service = start({ policy: 'sticky' });
  expect((await call(service, { action: 'env', name: 'PROBE_SETTING' })).value).toBe('configured');
  expect((await call(service, { action: 'env', name: 'AWS_LAMBDA_FUNCTION_NAME' })).value).toBe('probe-a');
  expect((await call(service, { action: 'env', name: 'AWS_LAMBDA_FUNCTION_NAME' }, 'probe-b')).value).toBe('probe-b');
});

test('sticky: one environment takes every invocation, concurrently', async () => {
  const service = start({ policy: 'sticky' });
  const results = await Promise.all([1, 2, 3].map(() => call(service, { action: 'sleep', ms: 50 })));
  expect(new Set(results.map((r) => r.environmentId)).size).toBe(1);
  expect(service.environments('probe-a')).toHaveLength(1);
});

test('random: one invocation per environment at a time; a concurrent one cold-starts another environment', async () => {
  const service = start({ policy: 'random', environments: 1, recycleEvery: 0, seed: 1 });
  const first = await call(service, { action: 'whoami' });
  const coldStarts = stats.counter('lambda.probe-a.ColdStarts');
  const [x, y] = await Promise.all([
    call(service, { action: 'sleep', ms: 100 }),
    call(service, { action: 'sleep', ms: 100 }),
  ]);
  expect(x.environmentId).not.toBe(y.environmentId);
  expect([x.environmentId, y.environmentId]).toContain(first.environmentId);
  expect(stats.counter('lambda.probe-a.ColdStarts') - coldStarts).toBe(1);
  // Each environment kept its own count: no invocation ran in both.
  expect(x.invocations + y.invocations).toBe(3);
});

test('random: at the cap on environments an invocation waits for one to be free (where Lambda would throttle)', async () => {
  const service = start({ policy: 'random', environments: 1, maxEnvironments: 1, recycleEvery: 0, seed: 1 });
  await call(service, { action: 'whoami' });
  const throttles = stats.counter('lambda.probe-a.Throttles');
  const started = Date.now();
  const [x, y] = await Promise.all([
    call(service, { action: 'sleep', ms: 150 }),
    call(service, { action: 'sleep', ms: 150 }),
  ]);
  expect(y.environmentId).toBe(x.environmentId);
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(stats.counter('lambda.probe-a.Throttles') - throttles).toBe(1);
  expect(service.environments('probe-a')).toHaveLength(1);
});

test('random: the environments of one function share no module state', async () => {
  const service = start({ policy: 'random', environments: 3, recycleEvery: 0, seed: 7 });
  const results: Probe[] = [];
  for (let i = 0; i < 30; i++) results.push(await call(service, { action: 'whoami' }));
  const byEnvironment = new Map<string, Probe[]>();
  for (const r of results) byEnvironment.set(r.environmentId, [...(byEnvironment.get(r.environmentId) ?? []), r]);
  expect(byEnvironment.size).toBe(3);
  // Each environment counts only the invocations it ran itself: 1, 2, 3, … in its own order.
  for (const own of byEnvironment.values()) expect(own.map((r) => r.invocations)).toEqual(own.map((_, i) => i + 1));
});

test('random: an environment is frozen between invocations, so a timer set in one fires only in the next', async () => {
  const service = start({ policy: 'random', environments: 1, recycleEvery: 0, seed: 1 });
  await call(service, { action: 'set-timer', ms: 10 });
  await sleep(300);
  // Thawed by the next invocation: the timer, due 290 ms ago, runs only now.
  await call(service, { action: 'whoami' });
  const after = await call(service, { action: 'whoami' });
  expect(after.timersFired).toHaveLength(1);
  expect(after.timersFired[0]).toBeGreaterThanOrEqual(300);

  // Not frozen (sticky): the same timer fires on time.
  const sticky = start({ policy: 'sticky' }, ['probe-c']);
  await call(sticky, { action: 'set-timer', ms: 10 }, 'probe-c');
  await sleep(300);
  const fired = (await call(sticky, { action: 'whoami' }, 'probe-c')).timersFired;
  expect(fired).toHaveLength(1);
  expect(fired[0]).toBeLessThan(300);
});

test('random: an environment is discarded after every N invocations and the next one cold-starts', async () => {
  const service = start({ policy: 'random', environments: 1, recycleEvery: 3, seed: 1 });
  const results: Probe[] = [];
  for (let i = 0; i < 7; i++) results.push(await call(service, { action: 'whoami' }));
  const ids = [...new Set(results.map((r) => r.environmentId))];
  expect(ids).toHaveLength(3);
  expect(results.map((r) => ids.indexOf(r.environmentId))).toEqual([0, 0, 0, 1, 1, 1, 2]);
  expect(results.map((r) => r.invocations)).toEqual([1, 2, 3, 1, 2, 3, 1]);
});

test('random: the same seed routes the same invocations to the same environments; another seed differently', async () => {
  const route = async (seed: number) => {
    const service = start({ policy: 'random', environments: 3, recycleEvery: 4, seed }, ['probe-a']);
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) ids.push((await call(service, { action: 'whoami' })).environmentId);
    await service.stop();
    // Environments by the order they first appeared: comparable across runs.
    return ids
      .map((id) => ids.indexOf(id))
      .map((first) => ids.slice(0, first + 1).filter((v, i, a) => a.indexOf(v) === i).length - 1);
  };
  const first = await route(42);
  expect(await route(42)).toEqual(first);
  expect(await route(43)).not.toEqual(first);
});

test("errors come back under the function's error name, message and trace; the environment lives on", async () => {
  const service = start({ policy: 'random', environments: 1, recycleEvery: 0, seed: 1 });
  const before = await call(service, { action: 'whoami' });
  const error = await call(service, { action: 'throw', name: 'TranslationEngineError', message: 'no pipeline' }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LambdaInvocationError);
  expect(error).toMatchObject({ name: 'TranslationEngineError', message: 'no pipeline', functionName: 'probe-a' });
  expect((error as Error).stack).toMatch(/TranslationEngineError: no pipeline\n\s+at /);
  expect((await call(service, { action: 'whoami' })).environmentId).toBe(before.environmentId);
});

test('a runtime that ends (an unhandled rejection) loses its environment; the next invocation cold-starts', async () => {
  const service = start({ policy: 'sticky' });
  const before = await call(service, { action: 'reject-unhandled' });
  for (let i = 0; i < 100 && service.environments('probe-a').length > 0; i++) await sleep(10);
  expect(service.environments('probe-a')).toHaveLength(0);
  expect((await call(service, { action: 'whoami' })).environmentId).not.toBe(before.environmentId);
});

test("figures a function records reach the runtime's stats; init runs the module's warm export", async () => {
  const service = start({ policy: 'random', environments: 1, recycleEvery: 0, seed: 1 });
  const counted = stats.counter('probe.Counted');
  const warmed = stats.counter('probe.Warmed');
  await service.warm(['probe-a']);
  await call(service, { action: 'count', metric: 'probe.Counted' });
  await call(service, { action: 'count', metric: 'probe.Counted' });
  expect(stats.counter('probe.Counted') - counted).toBe(2);
  expect(stats.counter('probe.Warmed') - warmed).toBe(1);
  expect(stats.snapshot().histograms['lambda.probe-a.InitDurationMs']?.count).toBeGreaterThanOrEqual(1);
});

test('stopped, a function is gone: invocations are refused', async () => {
  const service = start({ policy: 'sticky' });
  await call(service, { action: 'whoami' });
  await service.stop();
  expect(service.environments('probe-a')).toHaveLength(0);
  await expect(call(service, { action: 'whoami' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});

test("a function whose configured variables exceed Lambda's 4 KB is refused, as Lambda refuses to configure it", () => {
  const make = (value: string) =>
    new LambdaService({
      functions: [spec('fits')],
      env: { BIG: value },
      handlerUrl: () => PROBE,
      onError: () => undefined,
    });
  expect(() => make('x'.repeat(4096))).toThrow(/exceeded the 4KB limit/);
  const fits = make('x'.repeat(4000));
  return fits.stop();
});
