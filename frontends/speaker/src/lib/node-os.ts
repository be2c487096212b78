// Stands in for `node:os` in the browser build (vite.config.ts aliases it): @llt/cli's outbox asks it only for
// the byte order, to know whether Int16Array memory is already little-endian.

export function endianness(): 'BE' | 'LE' {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'LE' : 'BE';
}
