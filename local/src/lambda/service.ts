// The local Lambda service: every function of the product's function list runs in execution environments of its
// own (worker threads, each with its own module graph), so no memory is shared between functions or between
// environments of one function. Event sources, the gateway and the workflow invoke functions by name through it.
import { type FunctionSpec, handlerPath } from '@llt/platform/functions';
import { bundle } from './bundle.ts';
import type { LambdaHandler } from './context.ts';
import type { EnvironmentCode } from './environment.ts';
import { LocalFunction } from './function.ts';
import { type LambdaSettings, lambdaSettings } from './settings.ts';

export interface LambdaServiceOptions {
  functions: readonly FunctionSpec[];
  /** Environment variables every function is configured with (the runtime's endpoints, tables, tuning). */
  env: Record<string, string>;
  /** Routing, recycling and limits; the `sticky` policy's defaults for whatever is not given. */
  settings?: Partial<LambdaSettings>;
  /** The handler module a function is bundled from; by default `services/<service>/src/handlers/<module>.ts`. */
  handlerUrl?: (spec: FunctionSpec) => string;
  /** Lambda's memory setting as the context reports it (not enforced). Default 1024, as the CDK app deploys. */
  memoryLimitInMB?: number;
  /** What `context.getRemainingTimeInMillis()` counts down from (not enforced). Default 30 s. */
  timeoutMs?: number;
  /**
   * CPU priority of a function's environments (Linux nice, 0–19; default 0, the process's own). On AWS every
   * environment has CPU of its own; here all share the machine's cores, and a nice value lets work that can wait
   * yield them to work that cannot.
   */
  nice?: (spec: FunctionSpec) => number;
  onError?: (error: unknown, where: string) => void;
}

const REPO_ROOT = new URL('../../../', import.meta.url);
const RUNTIME_URL = new URL('./environment-runtime.ts', import.meta.url).href;
/** The runtime's bundle name (function names are the deployed ones, all starting with the product's prefix). */
const RUNTIME_BUNDLE = 'lambda-runtime';

/** The repository's handler module for a function, as the CDK app bundles it. */
export function repositoryHandlerUrl(spec: FunctionSpec): string {
  return new URL(handlerPath(spec), REPO_ROOT).href;
}

export class UnknownFunctionError extends Error {
  override readonly name = 'ResourceNotFoundException';
}

/** Lambda refuses a function whose environment variables (names and values, together) exceed 4 KB. */
export const MAX_ENVIRONMENT_BYTES = 4096;

export class EnvironmentTooLargeError extends Error {
  override name = 'InvalidParameterValueException';
}

/** Names and values of a function's configured variables, in bytes, as Lambda counts them against its 4 KB. */
export function environmentBytes(env: Record<string, string>): number {
  return Object.entries(env).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

export class LambdaService {
  readonly settings: LambdaSettings;
  readonly #functions = new Map<string, LocalFunction>();

  constructor(options: LambdaServiceOptions) {
    this.settings = lambdaSettings(options.settings);
    const memoryLimitInMB = options.memoryLimitInMB ?? 1024;
    const onError = options.onError ?? ((error, where) => console.error(`[lambda] ${where}:`, error));
    // The function's configuration is what a deployment sets; Lambda would refuse to create it over 4 KB.
    const configured = environmentBytes(options.env);
    if (configured > MAX_ENVIRONMENT_BYTES) {
      throw new EnvironmentTooLargeError(
        `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit (${configured} bytes)`,
      );
    }
    // What a process on this machine has (PATH for the engines' programs, HOME, the process-wide defaults the
    // runtime set), then the function's configuration and the variables Lambda itself sets.
    const inherited = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
    );
    // Every function is bundled (or found bundled already) once, when the service is created.
    const handlerUrl = options.handlerUrl ?? repositoryHandlerUrl;
    const bundles = bundle([
      { name: RUNTIME_BUNDLE, entryUrl: RUNTIME_URL, function: false },
      ...options.functions.map((spec) => ({ name: spec.name, entryUrl: handlerUrl(spec), function: true })),
    ]);
    bundles.catch(() => undefined);
    const codeOf = async (name: string): Promise<EnvironmentCode> => {
      const built = await bundles;
      return { runtimePath: built.get(RUNTIME_BUNDLE) as string, handlerPath: built.get(name) as string };
    };
    for (const spec of options.functions) {
      const code = codeOf(spec.name);
      // Reported by the first environment that needs it.
      code.catch(() => undefined);
      this.#functions.set(
        spec.name,
        new LocalFunction({
          name: spec.name,
          code,
          handlerName: spec.handler,
          settings: this.settings,
          env: {
            ...inherited,
            ...options.env,
            POWERTOOLS_SERVICE_NAME: spec.service,
            AWS_LAMBDA_FUNCTION_NAME: spec.name,
            AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryLimitInMB),
            AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${spec.name}`,
          },
          memoryLimitInMB,
          nice: options.nice?.(spec) ?? 0,
          timeoutMs: options.timeoutMs ?? 30_000,
          onError,
        }),
      );
    }
  }

  get functionNames(): string[] {
    return [...this.#functions.keys()];
  }

  /** Invokes a function synchronously (RequestResponse): resolves with its result, rejects with its error. */
  invoke<R = unknown>(functionName: string, event: unknown): Promise<R> {
    return this.#function(functionName).invoke(event) as Promise<R>;
  }

  /** The function as a handler (what an integration calls); the caller's context is not passed on. */
  handler<E = unknown, R = unknown>(functionName: string): LambdaHandler<E, R> {
    const fn = this.#function(functionName);
    return (event) => fn.invoke(event) as Promise<R>;
  }

  /** Starts one environment of each named function (all by default) and waits until each has initialized. */
  async warm(functionNames: readonly string[] = this.functionNames): Promise<void> {
    await Promise.all(functionNames.map((name) => this.#function(name).warm()));
  }

  /** A function's environments alive now. */
  environments(functionName: string): { id: string; invocations: number; active: number }[] {
    return this.#function(functionName).environments;
  }

  /** Lets running invocations finish (up to `drainMs`), then discards every environment. */
  async stop(drainMs?: number): Promise<void> {
    await Promise.all([...this.#functions.values()].map((fn) => fn.stop(drainMs)));
  }

  #function(name: string): LocalFunction {
    const fn = this.#functions.get(name);
    if (!fn) throw new UnknownFunctionError(`Function not found: ${name}`);
    return fn;
  }
}
