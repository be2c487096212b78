// One local Lambda function: its execution environments and the policy that routes each invocation to one of
// them (LambdaSettings), with cold starts, recycling and the cap on environments.
import { stats } from '@llt/platform';
import { type EnvironmentCode, ExecutionEnvironment, LambdaInvocationError } from './environment.ts';
import { type LambdaSettings, SeededRandom } from './settings.ts';

export interface LocalFunctionOptions {
  name: string;
  /** The runtime and the function's bundle. */
  code: Promise<EnvironmentCode>;
  handlerName: string;
  settings: LambdaSettings;
  /** The function's environment variables (every environment's `process.env`). */
  env: Record<string, string>;
  memoryLimitInMB: number;
  /** CPU priority of its environments' threads (Linux nice; 0: the process's own). */
  nice: number;
  /** What `context.getRemainingTimeInMillis()` counts down from (not enforced). */
  timeoutMs: number;
  /** Reports an environment that ended on its own (its runtime crashed). */
  onError: (error: unknown, where: string) => void;
}

/** An environment as the pool sees it: how many invocations it was handed and how many are running. */
interface Environment {
  readonly environment: ExecutionEnvironment;
  /** Invocations routed to it so far (recycling counts these). */
  assigned: number;
  /** Invocations routed to it and not yet finished (waiting for its init included). */
  active: number;
  /** No new invocations: discarded once `active` is 0. */
  retired: boolean;
}

/** Lambda's error for an invocation of a function that is not there (here: after the runtime stopped). */
function stoppedError(name: string): LambdaInvocationError {
  return new LambdaInvocationError(name, {
    errorType: 'ResourceNotFoundException',
    errorMessage: `Function not found: ${name} (the local runtime is stopping)`,
    trace: [],
  });
}

export class LocalFunction {
  readonly name: string;
  readonly #options: LocalFunctionOptions;
  readonly #settings: LambdaSettings;
  readonly #random: SeededRandom;
  /** `random`: the environments invocations are drawn over (`settings.environments`), started when drawn. */
  readonly #slots: (Environment | undefined)[];
  /** Environments started because every drawn one was busy. */
  readonly #extra: Environment[] = [];
  /** Invocations waiting for an environment (all `maxEnvironments` are busy); `undefined` once stopped. */
  readonly #waiting: ((environment: Environment | undefined) => void)[] = [];
  readonly #discarding = new Set<Promise<void>>();
  #started = 0;
  #stopped = false;

  constructor(options: LocalFunctionOptions) {
    this.name = options.name;
    this.#options = options;
    this.#settings = options.settings;
    this.#random = SeededRandom.forFunction(options.settings.seed, options.name);
    this.#slots = Array.from({ length: this.#settings.policy === 'sticky' ? 1 : this.#settings.environments });
  }

  /** Environments alive now: id, invocations handed to each, invocations running. */
  get environments(): { id: string; invocations: number; active: number }[] {
    return this.#all().map((e) => ({ id: e.environment.id, invocations: e.assigned, active: e.active }));
  }

  /**
   * Starts the first environment ahead of any invocation and waits for its init (the module and its `warm`
   * export), as provisioned concurrency does.
   */
  async warm(): Promise<void> {
    if (this.#stopped) throw stoppedError(this.name);
    await this.#slot(0, 'provisioned-concurrency').environment.ready;
  }

  async invoke(event: unknown): Promise<unknown> {
    if (this.#stopped) throw stoppedError(this.name);
    const routed = await this.#acquire();
    stats.increment(`lambda.${this.name}.Invocations`);
    try {
      await routed.environment.ready;
      // Lambda's Duration: from the event reaching the environment to its response (Init not included).
      const started = performance.now();
      const result = await routed.environment.invoke(event, this.#options.timeoutMs);
      stats.histogram(`lambda.${this.name}.DurationMs`).record(performance.now() - started);
      return result;
    } catch (error) {
      stats.increment(`lambda.${this.name}.Errors`);
      throw error;
    } finally {
      this.#release(routed);
    }
  }

  /**
   * Stops routing, lets running invocations finish (up to `drainMs`), then discards every environment (each
   * module's `shutdown` export runs first).
   */
  async stop(drainMs = 5_000): Promise<void> {
    this.#stopped = true;
    for (const waiter of this.#waiting.splice(0)) waiter(undefined);
    const deadline = Date.now() + drainMs;
    while (this.#all().some((e) => e.active > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const all = this.#all();
    this.#slots.fill(undefined);
    this.#extra.length = 0;
    await Promise.all([...all.map((e) => e.environment.discard()), ...this.#discarding]);
  }

  #all(): Environment[] {
    return [...this.#slots.filter((e): e is Environment => e !== undefined), ...this.#extra];
  }

  #start(initializationType: 'on-demand' | 'provisioned-concurrency'): Environment {
    const number = ++this.#started;
    const started: Environment = {
      assigned: 0,
      active: 0,
      retired: false,
      environment: new ExecutionEnvironment({
        functionName: this.name,
        code: this.#options.code,
        handlerName: this.#options.handlerName,
        number,
        env: { ...this.#options.env, AWS_LAMBDA_INITIALIZATION_TYPE: initializationType },
        freeze: this.#settings.policy === 'random',
        memoryLimitInMB: this.#options.memoryLimitInMB,
        nice: this.#options.nice,
        onStats: (changes) => stats.merge(changes),
        onExit: (environment) => {
          this.#forget(started);
          if (started.active === 0) {
            this.#options.onError(new Error(`execution environment ${environment.id} exited`), `lambda ${this.name}`);
          }
        },
      }),
    };
    stats.increment(`lambda.${this.name}.ColdStarts`);
    // Lambda's Init Duration: loading the module and its init code (here: `warm`), before the first invocation.
    started.environment.ready.then(
      (ms) => stats.histogram(`lambda.${this.name}.InitDurationMs`).record(ms),
      () => this.#forget(started),
    );
    return started;
  }

  #acquire(): Environment | Promise<Environment> {
    if (this.#settings.policy === 'sticky') {
      // One environment takes every invocation at once, as a single warm container would.
      const current = this.#slot(0);
      this.#take(current);
      if (this.#settings.recycleEvery > 0 && current.assigned >= this.#settings.recycleEvery) {
        // Its last invocation: later ones start a new environment; this one goes once its own finish.
        current.retired = true;
        this.#slots[0] = undefined;
      }
      return current;
    }
    const drawn = this.#random.below(this.#slots.length);
    const candidate = this.#slot(drawn);
    if (candidate.active === 0) return this.#take(candidate);
    // One invocation per environment: the drawn one is busy, so another that is idle, else a new one.
    const idle = this.#all().find((e) => e.active === 0 && !e.retired);
    if (idle) return this.#take(idle);
    if (this.#all().length < this.#settings.maxEnvironments) {
      const extra = this.#start('on-demand');
      this.#extra.push(extra);
      return this.#take(extra);
    }
    // Lambda would throttle here (429 TooManyRequestsException); locally the invocation waits its turn.
    stats.increment(`lambda.${this.name}.Throttles`);
    return new Promise<Environment | undefined>((resolve) => this.#waiting.push(resolve)).then((e) => {
      if (!e) throw stoppedError(this.name);
      return e;
    });
  }

  /** The environment in a slot; an empty slot gets a new one (a cold start). */
  #slot(index: number, initializationType: 'on-demand' | 'provisioned-concurrency' = 'on-demand'): Environment {
    let environment = this.#slots[index];
    if (!environment) {
      environment = this.#start(initializationType);
      this.#slots[index] = environment;
    }
    return environment;
  }

  #take(environment: Environment): Environment {
    environment.assigned++;
    environment.active++;
    return environment;
  }

  #release(environment: Environment): void {
    environment.active--;
    const { recycleEvery } = this.#settings;
    if (recycleEvery > 0 && environment.assigned >= recycleEvery) environment.retired = true;
    if (environment.environment.gone) this.#forget(environment);
    else if (environment.retired && environment.active === 0) this.#discard(environment);
    if (this.#waiting.length === 0 || this.#stopped) return;
    if (environment.active === 0 && !environment.retired && !environment.environment.gone) {
      this.#waiting.shift()?.(this.#take(environment));
    } else if (this.#all().length < this.#settings.maxEnvironments) {
      const extra = this.#start('on-demand');
      this.#extra.push(extra);
      this.#waiting.shift()?.(this.#take(extra));
    }
  }

  #discard(environment: Environment): void {
    this.#forget(environment);
    stats.increment(`lambda.${this.name}.Recycled`);
    const discarding = environment.environment.discard().catch((error) => this.#options.onError(error, this.name));
    this.#discarding.add(discarding);
    void discarding.finally(() => this.#discarding.delete(discarding));
  }

  #forget(environment: Environment): void {
    const slot = this.#slots.indexOf(environment);
    if (slot !== -1) this.#slots[slot] = undefined;
    const extra = this.#extra.indexOf(environment);
    if (extra !== -1) this.#extra.splice(extra, 1);
  }
}
