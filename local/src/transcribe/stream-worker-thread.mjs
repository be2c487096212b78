// A transcription worker's thread starts here: TypeScript through tsx (registered per thread: on Node 20 tsx
// registers itself on the main thread only), then the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./stream-worker-runtime.ts');
