/**
 * A command's main run in-process with stdout and stderr captured (the hw command's tests):
 * the exit code and everything written, the spies removed afterwards whatever happens.
 */
import { vi } from "vitest";

export interface Captured {
  code: number;
  out: string;
  err: string;
}

export async function runCaptured(main: (argv: string[]) => Promise<number>, argv: string[]): Promise<Captured> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await main(argv), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}
