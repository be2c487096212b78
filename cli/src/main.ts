// Entry point of the `llt` command: binds run() to the process (stdout/stderr, LLT_SERVER, Ctrl-C, exit status).
import { run } from './cli.ts';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  // First Ctrl-C: stop gracefully (speak still ends the session). Second: give up at once.
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});
// A closed pipe (`llt listen … | head`) is not worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await run(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  interrupt: interrupt.signal,
});
// Exit once stdout has flushed, so piped output is complete even if a stray handle would keep the loop alive.
process.stdout.write('', () => process.exit(code));
