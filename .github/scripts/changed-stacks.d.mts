// Types of changed-stacks.mjs (a plain Node script, so the workflows run it without installing anything).
export declare const STACKS: Readonly<Record<string, string>>;
export declare const RULES: readonly (readonly [prefix: string, stacks: readonly string[]])[];
export declare function stacksFor(paths: readonly string[]): string[];
