// Reading configuration from the environment: once, at start-up, failing loudly when something is missing.

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigError(`environment variable ${name} is required`);
  return value;
}

export function optionalEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function intEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = optionalEnv(name, env);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new ConfigError(`environment variable ${name} must be an integer, got "${raw}"`);
  return value;
}

/** A positive number (fractions allowed, e.g. `LLT_SESSION_TTL_HOURS=1.5`). */
export function positiveNumberEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = optionalEnv(name, env);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`environment variable ${name} must be a positive number, got "${raw}"`);
  }
  return value;
}

export function listEnv(name: string, env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const raw = optionalEnv(name, env);
  return raw
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Whether Lambda started this execution environment ahead of traffic (provisioned concurrency) rather than for an
 * invocation that is waiting on it (on-demand). Lambda sets AWS_LAMBDA_INITIALIZATION_TYPE to `on-demand`,
 * `provisioned-concurrency` or `snap-start`. An on-demand init delays the invocation that caused it (and is limited to
 * 10 s), so init code there should load only what every invocation needs and leave the rest to first use.
 */
export function initializedAhead(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AWS_LAMBDA_INITIALIZATION_TYPE === 'provisioned-concurrency';
}
