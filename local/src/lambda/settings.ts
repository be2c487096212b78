// How invocations are routed to a function's execution environments (LLT_LAMBDA_*), and the seeded random
// numbers that make a `random` run replayable.

export const LAMBDA_POLICIES = ['sticky', 'random'] as const;
export type LambdaPolicy = (typeof LAMBDA_POLICIES)[number];

export interface LambdaSettings {
  /**
   * `sticky`: one environment per function takes every invocation, concurrently, never frozen (one warm
   * container). `random`: each invocation goes to a randomly drawn environment, one invocation at a time per
   * environment, frozen between invocations, discarded every `recycleEvery` invocations.
   */
  policy: LambdaPolicy;
  /** `random`: how many environments invocations are spread over (more start when all of them are busy). */
  environments: number;
  /** An environment is discarded after this many invocations (0: never). */
  recycleEvery: number;
  /** Seeds routing; the same seed and the same invocations in the same order give the same environments. */
  seed: number;
  /** Environments one function may have at once; further invocations wait for one to be free. */
  maxEnvironments: number;
}

export const DEFAULT_ENVIRONMENTS = 3;
export const DEFAULT_RECYCLE_EVERY = 20;
export const DEFAULT_MAX_ENVIRONMENTS = 16;

export class LambdaSettingsError extends Error {
  override readonly name = 'LambdaSettingsError';
}

/**
 * Settings from LLT_LAMBDA_POLICY, _ENVIRONMENTS, _RECYCLE_EVERY, _SEED and _MAX_ENVIRONMENTS, with `overrides`
 * (a caller's own choices) taking precedence, and the policy's defaults for the rest.
 */
export function lambdaSettingsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<LambdaSettings> = {},
): LambdaSettings {
  const policy = env.LLT_LAMBDA_POLICY || undefined;
  if (policy !== undefined && !(LAMBDA_POLICIES as readonly string[]).includes(policy)) {
    throw new LambdaSettingsError(`LLT_LAMBDA_POLICY must be one of ${LAMBDA_POLICIES.join(', ')}; got ${policy}`);
  }
  return lambdaSettings({
    ...optional('policy', policy as LambdaPolicy | undefined),
    ...optional('environments', integer(env, 'LLT_LAMBDA_ENVIRONMENTS', 1)),
    ...optional('recycleEvery', integer(env, 'LLT_LAMBDA_RECYCLE_EVERY', 0)),
    ...optional('seed', integer(env, 'LLT_LAMBDA_SEED', 0)),
    ...optional('maxEnvironments', integer(env, 'LLT_LAMBDA_MAX_ENVIRONMENTS', 1)),
    ...overrides,
  });
}

/** Complete settings: the policy's defaults for whatever is not given, a fresh seed when none is. */
export function lambdaSettings(given: Partial<LambdaSettings> = {}): LambdaSettings {
  const policy = given.policy ?? 'sticky';
  const settings: LambdaSettings = {
    policy,
    environments: policy === 'sticky' ? 1 : (given.environments ?? DEFAULT_ENVIRONMENTS),
    recycleEvery: given.recycleEvery ?? (policy === 'sticky' ? 0 : DEFAULT_RECYCLE_EVERY),
    seed: (given.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0,
    maxEnvironments: given.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS,
  };
  if (settings.maxEnvironments < settings.environments) {
    throw new LambdaSettingsError(
      `LLT_LAMBDA_MAX_ENVIRONMENTS (${settings.maxEnvironments}) is below LLT_LAMBDA_ENVIRONMENTS (${settings.environments})`,
    );
  }
  return settings;
}

/** How a run can be repeated: the settings as the environment variables that give them. */
export function describeSettings(settings: LambdaSettings): string {
  const recycle = settings.recycleEvery > 0 ? String(settings.recycleEvery) : '0 (never)';
  return settings.policy === 'sticky'
    ? `LLT_LAMBDA_POLICY=sticky LLT_LAMBDA_RECYCLE_EVERY=${recycle}`
    : `LLT_LAMBDA_POLICY=random LLT_LAMBDA_SEED=${settings.seed} LLT_LAMBDA_ENVIRONMENTS=${settings.environments} ` +
        `LLT_LAMBDA_RECYCLE_EVERY=${recycle} LLT_LAMBDA_MAX_ENVIRONMENTS=${settings.maxEnvironments}`;
}

function integer(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new LambdaSettingsError(`${name} must be an integer of at least ${min}; got ${raw}`);
  }
  return value;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A small seeded generator (mulberry32): the same seed gives the same sequence. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The stream for one function: its own sequence, so other functions' invocations do not shift it. */
  static forFunction(seed: number, functionName: string): SeededRandom {
    // FNV-1a of the name, mixed with the seed.
    let hash = 0x811c9dc5;
    for (const char of functionName) {
      hash ^= char.codePointAt(0) ?? 0;
      hash = Math.imul(hash, 0x01000193);
    }
    return new SeededRandom((hash ^ seed) >>> 0);
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
