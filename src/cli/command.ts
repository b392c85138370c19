// One object per CLI command (check, summary, export, parity, train, import): main.ts lists
// them, prints their help and dispatches. Each returns its exit code: 0 ok, 1 graph errors
// (or a failed parity), 2 unreadable input or bad usage.
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  name: string;
  /** One line for the tool's --help. */
  summary: string;
  /** Full help text for `neural-blocks NAME --help`. */
  help: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

/** A usage or file problem: printed as one line, exit 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
