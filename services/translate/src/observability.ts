// The translate service's logger, metrics and tracer, created once and shared by its handlers.
import { createObservability } from '@llt/platform';

export const observability = createObservability('translate');
