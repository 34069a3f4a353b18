// Where stockctl writes. Normally the process's stdout and stderr; main() can point them
// elsewhere so tests run commands in-process and read what was printed.

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const io: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};
