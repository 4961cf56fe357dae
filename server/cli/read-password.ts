/** Where the CLI reads a password from: piped stdin, or a terminal (then without echo). */
export interface PasswordInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

const MAX_INPUT = 4096;

/**
 * Reads one password. Never from argv: arguments end up in shell history and in `ps` for every user
 * of the machine. Piped input: the first line (`printf '%s\n' "$PW" | trellis user add …`).
 * A terminal: a prompt on stderr and keystrokes not echoed.
 */
export async function readPassword(input: PasswordInput, prompt: NodeJS.WritableStream): Promise<string> {
  if (input.isTTY && input.setRawMode) return readFromTerminal(input, prompt);
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('\n') || text.length > MAX_INPUT) break;
  }
  return (text.split(/\r?\n/)[0] ?? '').slice(0, MAX_INPUT);
}

function readFromTerminal(input: PasswordInput, prompt: NodeJS.WritableStream): Promise<string> {
  prompt.write('Password (not shown): ');
  input.setRawMode?.(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let password = '';
    const finish = (result: string | Error) => {
      input.setRawMode?.(false);
      input.pause();
      input.removeListener('data', onData);
      prompt.write('\n');
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(password);
        if (ch === '\u0003') return finish(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') password = password.slice(0, -1);
        else if (password.length < MAX_INPUT) password += ch;
      }
    };
    input.on('data', onData);
  });
}
