// The execution models integration tests run under: every function in one warm environment (`sticky`, what
// `npm start` does), and Lambda's stricter guarantees (`random`: invocations spread over environments that are
// frozen between invocations and discarded every few invocations). Seeded, so a failing run replays.
import type { LambdaSettings } from '../../local/src/lambda/settings.ts';

export const LAMBDA_MODELS: readonly { name: string; lambda: Partial<LambdaSettings> }[] = [
  { name: 'sticky', lambda: { policy: 'sticky' } },
  { name: 'random', lambda: { policy: 'random', environments: 3, recycleEvery: 5, seed: 20261205 } },
];
