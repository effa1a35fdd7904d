import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  UserError
} from "./chunk-PFGUMKWO.mjs";

// source/plan/binaries.ts
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync as mkdirSync2, mkdtempSync, readFileSync as readFileSync2, realpathSync, renameSync as renameSync2, rmSync, statSync as statSync2, accessSync, constants } from "node:fs";
import { tmpdir } from "node:os";
import { join as join2 } from "node:path";
import { promisify } from "node:util";

// source/state/state-dir.ts
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
function defaultStateDir(profileName, env = process.env) {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith("/") ? env.XDG_STATE_HOME : join(homedir(), ".local", "state");
  return join(base, "k8s-master-setup", profileName);
}
var StateDir = class _StateDir {
  constructor(path) {
    this.path = path;
  }
  path;
  /** Create (0700) or reuse the directory. Call only once the profile is known to be valid. */
  static open(path) {
    mkdirSync(path, { recursive: true, mode: 448 });
    if ((statSync(path).mode & 511) !== 448) chmodSync(path, 448);
    return new _StateDir(path);
  }
  file(name) {
    return join(this.path, name);
  }
  /** The content of a state file, or undefined when it does not exist. */
  read(name) {
    try {
      return readFileSync(this.file(name), "utf8");
    } catch (error) {
      if (error.code === "ENOENT") return void 0;
      throw error;
    }
  }
  /** Atomically (temp file, fsync, rename) write a 0600 file; its directory is created 0700. */
  write(name, content) {
    writeFileAtomic(this.file(name), content, 384, { durable: true, dirMode: 448 });
  }
  /**
   * Keep a copy of a file about to be replaced under backup/<timestamp>-<name>, so existing
   * material is never silently lost (e.g. a certificate re-issued for a new SAN).
   */
  backup(name, now = /* @__PURE__ */ new Date()) {
    const old = this.read(name);
    if (old === void 0) return void 0;
    const stamp = now.toISOString().replace(/[:.]/g, "-");
    const target = join("backup", `${stamp}-${name.replace(/\//g, "_")}`);
    this.write(target, old);
    return target;
  }
};
function writeFileAtomic(path, content, mode, options = {}) {
  mkdirSync(dirname(path), { recursive: true, mode: options.dirMode ?? 493 });
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const fd = openSync(temp, "wx", mode);
  try {
    writeSync(fd, typeof content === "string" ? Buffer.from(content) : content);
    if (options.durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, mode);
  renameSync(temp, path);
}

// source/plan/binaries.ts
var BINARY_NAMES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"];
var run = promisify(execFile);
var TARBALL = /\.(tar\.gz|tgz)$/;
async function locateBinaries(profile, stateDirPath) {
  const cacheDir = join2(stateDirPath, "binaries");
  const indexPath = join2(cacheDir, "index.json");
  const index = readIndex(indexPath);
  const dir = binaryDirectory(profile.binaries, cacheDir);
  const files = {};
  const versions = /* @__PURE__ */ new Map();
  const acceptedFlags = {};
  let changed = false;
  await Promise.all(
    BINARY_NAMES.map(async (name) => {
      const path = join2(dir, name);
      const stat = statOrThrow(path, profile.binaries, name);
      const key = `${realpathSync(path)}|${stat.size}|${stat.mtimeMs}|${stat.ino}`;
      let entry = index[key];
      if (!entry) {
        entry = { sha256: await sha256File(path) };
        changed = true;
      }
      if (name !== "kubectl" && !entry.version) {
        entry.version = await readVersion(path, profile.binaries);
        changed = true;
      }
      if (name !== "kubectl" && !entry.flags) {
        entry.flags = await readAcceptedFlags(path);
        changed = true;
      }
      if (name !== "kubectl" && entry.flags && entry.flags.length > 0) acceptedFlags[name] = entry.flags;
      index[key] = entry;
      files[name] = { localPath: path, sha256: entry.sha256, size: stat.size };
      if (entry.version) versions.set(name, entry.version);
    })
  );
  for (const name of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
    const version = versions.get(name) ?? "";
    const minor = /^v(\d+\.\d+)\./.exec(version)?.[1];
    if (minor !== profile.kubernetesVersion) {
      throw new UserError(
        `binaries: ${name} in ${dir} is ${version || "of unknown version"}, but kubernetesVersion is "${profile.kubernetesVersion}"`,
        `point binaries at a v${profile.kubernetesVersion}.x kubernetes-server tarball or directory, or set kubernetesVersion: "${minor ?? "1.N"}"`
      );
    }
  }
  if (changed) writeFileAtomic(indexPath, `${JSON.stringify(index, null, 1)}
`, 384, { dirMode: 448 });
  return { release: versions.get("kube-apiserver"), files, acceptedFlags };
}
function binaryDirectory(source, cacheDir) {
  let stat;
  try {
    stat = statSync2(source);
  } catch {
    throw new UserError(`binaries: ${source} does not exist`, "give a directory with kube-apiserver, kube-controller-manager, kube-scheduler and kubectl, or a kubernetes-server-linux-amd64.tar.gz");
  }
  if (stat.isDirectory()) {
    const nested = join2(source, "kubernetes", "server", "bin");
    return !existsSync(join2(source, "kube-apiserver")) && existsSync(join2(nested, "kube-apiserver")) ? nested : source;
  }
  if (!TARBALL.test(source)) throw new UserError(`binaries: ${source} is neither a directory nor a .tar.gz`, "give the directory of the binaries or a kubernetes-server-linux-*.tar.gz");
  return extractTarball(source, stat, cacheDir);
}
function extractTarball(tarball, stat, cacheDir) {
  const key = createHash("sha256").update(`${realpathSync(tarball)}|${stat.size}|${stat.mtimeMs}`).digest("hex").slice(0, 16);
  const target = join2(cacheDir, key);
  if (existsSync(join2(target, "kube-apiserver"))) return target;
  const temp = `${target}.tmp-${process.pid}`;
  mkdirSync2(temp, { recursive: true, mode: 448 });
  try {
    const members = BINARY_NAMES.map((n) => `kubernetes/server/bin/${n}`);
    const { status, stderr } = spawnTar(["-xzf", tarball, "-C", temp, "--strip-components=3", ...members]);
    if (status !== 0) {
      throw new UserError(`binaries: cannot extract ${tarball}: ${stderr.trim().split("\n").pop() ?? ""}`, "give an official kubernetes-server-linux-*.tar.gz (it holds kubernetes/server/bin/kube-apiserver, ...)");
    }
    renameSync2(temp, target);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
  return target;
}
function spawnTar(args) {
  const result = spawnSync("tar", args, { encoding: "utf8" });
  return { status: result.status, stderr: result.stderr ?? String(result.error ?? "") };
}
function statOrThrow(path, source, name) {
  try {
    const stat = statSync2(path);
    accessSync(path, constants.X_OK);
    return stat;
  } catch {
    throw new UserError(`binaries: ${name} is missing or not executable in ${source}`, "the directory or tarball must hold kube-apiserver, kube-controller-manager, kube-scheduler and kubectl");
  }
}
async function readVersion(path, source) {
  try {
    const { stdout } = await run(path, ["--version"], { timeout: 2e4 });
    const match = /v\d+\.\d+\.\d+\S*/.exec(stdout);
    if (match) return match[0];
  } catch {
  }
  throw new UserError(`binaries: "${path} --version" did not print a Kubernetes version`, `check that ${source} holds Linux binaries for this machine's architecture`);
}
async function readAcceptedFlags(path) {
  try {
    const { stdout, stderr } = await run(path, ["--help"], { timeout: 2e4, maxBuffer: 8 << 20 });
    return parseHelpFlags(`${stdout}
${stderr}`);
  } catch (error) {
    const e = error;
    return parseHelpFlags(`${e.stdout ?? ""}
${e.stderr ?? ""}`);
  }
}
function parseHelpFlags(help) {
  const names = /* @__PURE__ */ new Set();
  for (const m of help.matchAll(/^\s+(?:-[A-Za-z], )?--([a-z0-9][a-z0-9-]*)/gm)) names.add(m[1]);
  return [...names].sort();
}
function sha256File(path) {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path, { highWaterMark: 1 << 20 }).on("data", (chunk) => hash.update(chunk)).on("error", reject).on("end", () => resolve(hash.digest("hex")));
  });
}
function readIndex(path) {
  try {
    return JSON.parse(readFileSync2(path, "utf8"));
  } catch {
    return {};
  }
}
async function readBinariesRelease(source) {
  const scratch = mkdtempSync(join2(tmpdir(), "k8s-master-setup-version-"));
  try {
    const dir = binaryDirectory(source, scratch);
    const path = join2(dir, "kube-apiserver");
    statOrThrow(path, source, "kube-apiserver");
    return await readVersion(path, source);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export {
  defaultStateDir,
  StateDir,
  writeFileAtomic,
  BINARY_NAMES,
  locateBinaries,
  parseHelpFlags,
  readBinariesRelease
};
