// The first module of every function bundle: from here on the figures the function records are kept, to go back
// to the runtime's registry with each reply. The handler's `@llt/platform` is this same module instance.
import { stats } from '@llt/platform/stats';

stats.trackChanges();

export { stats };
