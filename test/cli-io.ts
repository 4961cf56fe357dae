import { PassThrough } from 'node:stream';

/**
 * A CLI command's standard streams as tests drive them: stdin fed from a string (as `printf … |`
 * would), stdout and stderr captured. `io` goes to the command; `result(code)` is what it printed.
 */
export function capturedIo(stdin = '') {
  const input = new PassThrough();
  input.end(stdin);
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => {
    const s = new PassThrough();
    s.on('data', (c: Buffer) => into.push(c.toString()));
    return s;
  };
  return {
    io: { stdin: input, stdout: sink(out), stderr: sink(err) },
    result: (code: number) => ({ code, stdout: out.join(''), stderr: err.join('') }),
  };
}
