// Lambda locally: the Context handlers get, and the service that runs each function in execution environments
// of its own.
export { type ContextOptions, invoke, type LambdaHandler, lambdaContext } from './context.ts';
export { LambdaInvocationError } from './environment.ts';
export { LambdaService, type LambdaServiceOptions, repositoryHandlerUrl, UnknownFunctionError } from './service.ts';
export {
  DEFAULT_ENVIRONMENTS,
  DEFAULT_MAX_ENVIRONMENTS,
  DEFAULT_RECYCLE_EVERY,
  describeSettings,
  LAMBDA_POLICIES,
  type LambdaPolicy,
  type LambdaSettings,
  LambdaSettingsError,
  lambdaSettings,
  lambdaSettingsFromEnv,
  SeededRandom,
} from './settings.ts';
