// Shared plumbing every service uses: configuration, AWS clients, observability, event publishing, client channel.
export * from './aws.ts';
export * from './aws-errors.ts';
export * from './concurrency.ts';
export * from './connections.ts';
export * from './env.ts';
export * from './events.ts';
export * from './middy.ts';
export * from './observability.ts';
export * from './resources.ts';
export * from './session-table.ts';
export * from './stats.ts';
export * from './workflow.ts';
