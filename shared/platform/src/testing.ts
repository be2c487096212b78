// Helpers for the services' tests (never imported by running code): `@llt/platform/testing`.

/** The Error a promise rejects with, to assert on its class, name, message and cause; fails if it resolves. */
export async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected a rejection with an Error');
  return error;
}
