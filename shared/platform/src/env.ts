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
