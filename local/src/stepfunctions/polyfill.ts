// Installs Promise.withResolvers on Node 20: aws-local-stepfunctions 3 calls it in every Task state.

/** The ES2024 shape, declared here because the project compiles against the ES2023 lib. */
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type PromiseConstructorWithResolvers = PromiseConstructor & { withResolvers?: <T>() => Resolvers<T> };

/** Adds `Promise.withResolvers` when the runtime lacks it; a no-op on Node ≥ 22 or when already installed. */
export function installPromiseWithResolvers(): void {
  const promiseConstructor = Promise as PromiseConstructorWithResolvers;
  if (typeof promiseConstructor.withResolvers === 'function') return;
  // Shaped like the built-in (non-enumerable, writable) so nothing can tell it apart from the native one.
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve'];
      let reject!: Resolvers<T>['reject'];
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

installPromiseWithResolvers();
