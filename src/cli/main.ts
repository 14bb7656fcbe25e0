// Entry point of the headless CLI. Exit codes: 0 ok, 1 build or engine failure, 2 usage, 130 canceled.
import { UsageError } from '../buildkit/options';
import { PreflightError } from '../buildkit/preflight';
import { EngineError } from '../engine/errors';
import { parseCommand } from './args';
import { runBuild } from './buildCommand';
import { runHistory } from './historyCommand';
import { runInfo } from './infoCommand';

const VERSION = '0.1.0';

export async function main(argv: string[], io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const cmd = parseCommand(argv);
    switch (cmd.kind) {
      case 'help':
        io.stdout.write(cmd.text);
        return 0;
      case 'version':
        io.stdout.write(`buildkit-lens ${VERSION}\n`);
        return 0;
      case 'info':
        return await runInfo(cmd, io);
      case 'build':
        return await runBuild(cmd, io);
      case 'history':
        return await runHistory(cmd, io);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`ERROR: ${e.message}\n`);
      return 2;
    }
    if (e instanceof EngineError || e instanceof PreflightError) {
      io.stderr.write(`ERROR: ${e.message}\n`);
      return 1;
    }
    // Anything else is our bug: still one line, but say where to look.
    io.stderr.write(`ERROR: ${(e as Error)?.message ?? String(e)}\n`);
    if (process.env.BUILDKIT_LENS_DEBUG) io.stderr.write(`${(e as Error)?.stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
