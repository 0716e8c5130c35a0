// The `iterl2norm` command's conventions: help with examples for every
// subcommand, --version, exit codes, and JSON where tables are printed.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const CLI = new URL("../cli/dist/cli/main.js", import.meta.url).pathname;

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("iterl2norm CLI", () => {
  it.each(["report", "normalize", "precision", "hw", "bench", "demo"])(
    "%s --help: usage, exit codes and examples, exit 0",
    (command) => {
      const r = cli(command, "--help");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Usage: iterl2norm /);
      expect(r.stdout).toMatch(/Exit codes:/);
      expect(r.stdout).toMatch(/Examples:/);
    },
  );

  it("lists the commands, prints the version, rejects unknown commands with exit 2", () => {
    const help = cli("--help");
    expect(help.status).toBe(0);
    for (const c of ["report", "normalize", "precision", "hw", "bench", "demo"]) expect(help.stdout).toContain(c);
    expect(cli("--version").stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const bad = cli("frobnicate");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it("demo --json gives the demo's numbers as JSON", () => {
    const r = cli("demo", "--json");
    expect(r.status).toBe(0);
    const data = JSON.parse(r.stdout) as { scalarWorstRelative: { method: string; worst: number }[] };
    const paper = data.scalarWorstRelative.find((s) => s.method.startsWith("paper"))!;
    expect(paper.worst).toBeGreaterThan(3e-3);
    expect(paper.worst).toBeLessThanOrEqual(4e-3);
  });

  it("hw --json is machine-readable", () => {
    const r = cli("hw", "--json");
    expect(r.status).toBe(0);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });
});
