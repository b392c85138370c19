// The neural-blocks CLI: a list of Command objects, the tool's help, and dispatch.
// bin/neural-blocks.mjs loads this file through tsx and passes stdout/stderr writers, so the
// commands never touch process.* output directly (and tests can run main() in-process too).
import type { CliIO, Command } from './command';
import { checkCommand } from './commands/check';
import { summaryCommand } from './commands/summary';
import { exportCommand } from './commands/export';
import { parityCommand } from './commands/parity';
import { trainCommand } from './commands/train';
import { importCommand } from './commands/import';
import { escapedIO } from './escape';
import { APP_VERSION } from '../core/constants';

/** Every command, in the order the help lists them. A later issue appends import. */
export const COMMANDS: readonly Command[] = [checkCommand, summaryCommand, exportCommand, parityCommand, trainCommand, importCommand];


export function usage(commands: readonly Command[] = COMMANDS): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return `Usage: neural-blocks COMMAND [options]

Neural Blocks: build neural networks from blocks; check, summarize and export graph files
(the format is described in docs/graph-format.md).

Commands:
${commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}

Run \`neural-blocks COMMAND --help\` for a command's options.
Options: -h, --help (this help), --version.
Exit status: 0 ok, 1 graph errors (or a failed check), 2 unreadable file or bad usage,
3 internal error (NEURAL_BLOCKS_DEBUG=1 prints its stack).`;
}

export async function main(argv: string[], io: CliIO, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.err(usage(commands));
    return 2;
  }
  if (first === '--help' || first === '-h') {
    io.out(usage(commands));
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.out(APP_VERSION);
    return 0;
  }
  if (first === 'help') {
    if (rest.length === 0) {
      io.out(usage(commands));
      return 0;
    }
    const c = commands.find((x) => x.name === rest[0]);
    if (!c) {
      io.err(`neural-blocks: unknown command ${JSON.stringify(rest[0])}\n\n${usage(commands)}`);
      return 2;
    }
    io.out(c.help);
    return 0;
  }
  const cmd = commands.find((c) => c.name === first);
  if (!cmd) {
    io.err(`neural-blocks: unknown command ${JSON.stringify(first)}\n\n${usage(commands)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(cmd.help);
    return 0;
  }
  return cmd.run(rest, escapedIO(io));
}
