/**
 * The library as a user gets it, for the tests that run it outside this repository: `npm pack` of
 * the root package (dist/ and build/ as last built; nothing is rebuilt) into a temp dir, and empty
 * projects with that tarball installed offline (the library has no dependency, so no registry is
 * asked). Hosts and bundlers then resolve "iterl2norm" from the project's node_modules as they
 * would in a user's, not through this repository's tsconfig paths or vitest aliases.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const root = new URL("..", import.meta.url).pathname;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const exec = promisify(execFile);
const env = {
  ...process.env,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

let packed: Promise<string> | undefined;

/** The library's tarball (`npm pack`), made once per test process: its path. */
export function packLibrary(): Promise<string> {
  packed ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "iterl2norm-tarball-"));
    const { stdout } = await exec(npm, ["pack", "--json", "--pack-destination", dir], { cwd: root, env });
    return join(dir, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
  })();
  return packed;
}

/**
 * A new project in a temp dir (package.json with "type": "module") with the library's tarball
 * installed: its path.
 */
export async function installLibrary(): Promise<string> {
  const tarball = await packLibrary();
  const dir = mkdtempSync(join(tmpdir(), "iterl2norm-app-"));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "app", private: true, version: "1.0.0", type: "module" }),
  );
  await exec(npm, ["install", "--offline", "--ignore-scripts", tarball], { cwd: dir, env });
  return dir;
}
