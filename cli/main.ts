/** The `qfs` command line (bin/qfs.mjs imports this): runs `main` on the process's arguments. */
import { isEpipe, main } from './program.ts';

// A reader that closed stdout or stderr (`qfs verify … | head -1`) ends the command quietly, with
// the exit code it had so far.
for (const s of [process.stdout, process.stderr]) {
  s.on('error', (e) => {
    if (isEpipe(e)) process.exit(Number(process.exitCode ?? 0));
    throw e;
  });
}

process.exitCode = await main(process.argv.slice(2));
