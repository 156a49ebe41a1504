// What a CLI command gets to talk to the outside: streams, and whether output goes to a terminal.
// Commands take it as a parameter so that tests can run them in-process and read what they print.

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export type CommandRun = (args: string[], io: CliIO) => Promise<number>;

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

export function print(io: CliIO, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

export function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
