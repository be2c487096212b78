// Join codes as people type them: six characters, any case, spaces and dashes ignored.

export const JOIN_CODE_LENGTH = 6;

/** Upper case without spaces or dashes ("k7m-2qx" → "K7M2QX"). */
export function normalizeJoinCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

/** Whether a normalized code has the right shape (the server decides whether a session has it). */
export function isWellFormedJoinCode(code: string): boolean {
  return new RegExp(`^[A-Z0-9]{${JOIN_CODE_LENGTH}}$`).test(code);
}
