import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, UsageError, exitCodeOf, messageOf } from '../errors.js';
import { commands } from './commands/index.js';
import { printError } from './output.js';
import { skipHelpCache } from './skip-help-cache.js';

export async function main(argv: string[]): Promise<number> {
  const parser = yargs(argv)
    .scriptName('slotpilot')
    .usage('$0 <command> [options]\n\nMove Redis Cluster hash slots fast and safely.')
    .command(commands)
    .strict()
    // Validation failures (unknown option, missing argument, bad choice) are usage errors; errors
    // thrown by a command's handler pass through with their own class.
    .fail((msg, err) => {
      if (err && err.name !== 'YError') throw err;
      throw new UsageError(`${msg ?? err?.message ?? 'bad arguments'} (see slotpilot --help)`);
    })
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue('Exit codes: 0 ok, 1 failure or unreachable, 2 bad input or refused, 3 check found problems, 130 interrupted.');
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    printError(messageOf(error));
    if (process.env.SLOTPILOT_DEBUG && error instanceof Error && error.stack) {
      process.stderr.write(`${error.stack}\n`);
    }
    return exitCodeOf(error);
  }
}

const code = await main(hideBin(process.argv));
// Let pending writes flush; open sockets must not keep the process alive after the work is done.
process.exitCode = code;
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
