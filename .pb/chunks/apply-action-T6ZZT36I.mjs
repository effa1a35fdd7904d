import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  SERVICES,
  SERVICE_STEP,
  connectNode,
  httpsGet,
  leaseStatusFromJson,
  mapHolderToNode
} from "./chunk-ZSJ4F473.mjs";
import {
  shellQuote
} from "./chunk-34PAFOIH.mjs";
import {
  isTransientSshError
} from "./chunk-OY4RZ6JO.mjs";
import {
  loadProfileFromOptions,
  prepare
} from "./chunk-4LFZN2DI.mjs";
import {
  writeFileAtomic
} from "./chunk-HKQRD4NF.mjs";
import "./chunk-YKOJHRDD.mjs";
import "./chunk-LWPWZUCJ.mjs";
import {
  STEP_NAMES
} from "./chunk-ETB6MRI6.mjs";
import {
  UserError
} from "./chunk-PFGUMKWO.mjs";
import "./chunk-WDUICG2E.mjs";
import "./chunk-YOTFHUOA.mjs";

// source/cli/commands/apply-action.ts
import { open } from "node:fs/promises";
import { createInterface } from "node:readline/promises";

// source/run/https-health.ts
import https from "node:https";
var PATHS = {
  "kube-apiserver": { port: 6443, path: "/readyz", needsClientCert: true },
  "kube-controller-manager": { port: 10257, path: "/healthz", needsClientCert: false },
  "kube-scheduler": { port: 10259, path: "/healthz", needsClientCert: false }
};
function createHttpsHealth(profile, admin, timeoutMs = 3e3) {
  const apiAgent = new https.Agent({ keepAlive: true, ca: admin.caPem, cert: admin.certPem, key: admin.keyPem });
  const componentAgent = new https.Agent({ keepAlive: true, ca: admin.caPem });
  return {
    async serviceHealthy(node, service) {
      const p = PATHS[service];
      const r = await httpsGet(`https://${node.ip}:${p.port}${p.path}`, { agent: p.needsClientCert ? apiAgent : componentAgent, timeoutMs });
      return { ok: r.state === "ok", detail: r.detail ?? r.body.trim().slice(0, 200) };
    },
    async leaseHolders() {
      for (const node of profile.nodes) {
        const base = `https://${node.ip}:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases`;
        const [cm, sched] = await Promise.all(
          ["kube-controller-manager", "kube-scheduler"].map((name) => httpsGet(`${base}/${name}`, { agent: apiAgent, timeoutMs }))
        );
        if (!cm || !sched || cm.state === "error" || cm.state === "timeout") continue;
        const holder = (name, body, ok) => {
          if (!ok) return void 0;
          const lease = leaseStatusFromJson(name, JSON.parse(body), [], Date.now(), node.name);
          return lease.state === "held" ? lease.holderIdentity ?? void 0 : void 0;
        };
        return {
          "kube-controller-manager": holder("kube-controller-manager", cm.body, cm.state === "ok"),
          "kube-scheduler": holder("kube-scheduler", sched.body, sched.state === "ok")
        };
      }
      return {};
    },
    close() {
      apiAgent.destroy();
      componentAgent.destroy();
    }
  };
}

// source/run/preflight.ts
var OWN_PORTS = [
  { port: 6443, owner: "kube-apiserver" },
  { port: 10257, owner: "kube-controller-manager" },
  { port: 10259, owner: "kube-scheduler" }
];
function preflightScript(profile) {
  const probes = profile.etcd.endpoints.map((url) => {
    const { hostname, port } = new URL(url);
    const p = port || "2379";
    return `if command -v curl >/dev/null; then curl -s -o /dev/null --connect-timeout 3 https://${hostname}:${p}/ ; r=$?; case $r in 6|7|28) echo "etcd ${url} no";; *) echo "etcd ${url} yes";; esac; else if timeout 3 bash -c '</dev/tcp/${hostname}/${p}' 2>/dev/null; then echo "etcd ${url} yes"; else echo "etcd ${url} no"; fi; fi`;
  });
  return [
    `if [ -d /run/systemd/system ]; then echo "systemd yes"; else echo "systemd no"; fi`,
    `echo "arch $(uname -m)"`,
    `echo "hostname $(hostname)"`,
    `echo "epoch $(date +%s)"`,
    `d='${profile.paths.binDir}'; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; echo "avail $(df -Pk "$d" | awk 'NR==2 {print $4}')"`,
    `ss -Hltnp 2>/dev/null | awk '{print "listen", $4, $NF}'`,
    ...probes
  ].join("\n");
}
function parsePreflight(stdout) {
  const facts = { systemd: false, arch: "", hostname: "", epochSeconds: 0, availableKib: 0, listeners: [], etcd: /* @__PURE__ */ new Map() };
  for (const line of stdout.split("\n")) {
    const [key, a = "", b = ""] = line.trim().split(/\s+/);
    if (key === "systemd") facts.systemd = a === "yes";
    else if (key === "arch") facts.arch = a;
    else if (key === "hostname") facts.hostname = a;
    else if (key === "epoch") facts.epochSeconds = Number(a);
    else if (key === "avail") facts.availableKib = Number(a);
    else if (key === "listen") {
      const port = Number(a.slice(a.lastIndexOf(":") + 1));
      const process2 = /users:\(\("([^"]+)"/.exec(b)?.[1] ?? "unknown";
      if (Number.isInteger(port)) facts.listeners.push({ port, process: process2 });
    } else if (key === "etcd") facts.etcd.set(a, b === "yes");
  }
  return facts;
}
function judgePreflight(node, facts, expect) {
  const problems = [];
  if (!facts.systemd) {
    problems.push({ check: "systemd", message: `${node} does not run systemd`, hint: "the control plane runs as systemd services; use a node booted with systemd" });
  }
  if (facts.arch !== expect.arch) {
    problems.push({
      check: "architecture",
      message: `${node} is ${facts.arch || "of unknown architecture"} but the binaries are built for ${expect.arch}`,
      hint: `point "binaries" at a kubernetes-server tarball for ${facts.arch}`
    });
  }
  const skew = Math.abs(facts.epochSeconds - expect.localEpochSeconds);
  if (skew > expect.maxClockSkewSeconds) {
    problems.push({
      check: "clock",
      message: `${node}'s clock is ${skew}s off this machine's`,
      hint: "certificates and leader election need synchronised clocks: enable NTP (systemd-timesyncd or chrony) on the node"
    });
  }
  const neededKib = Math.ceil(expect.binariesBytes / 1024) * 2;
  if (facts.availableKib < neededKib) {
    problems.push({
      check: "disk",
      message: `${node} has ${Math.floor(facts.availableKib / 1024)} MiB free for the binaries, needs ${Math.ceil(neededKib / 1024)} MiB`,
      hint: "free space on the filesystem that holds paths.binDir"
    });
  }
  for (const { port, owner } of OWN_PORTS) {
    const holder = facts.listeners.find((l) => l.port === port);
    if (holder && !owner.startsWith(holder.process)) {
      problems.push({
        check: "ports",
        message: `${node}: port ${port} is held by "${holder.process}", not ${owner}`,
        hint: `stop that program on ${node} (ss -ltnp 'sport = :${port}') or move it to another port`
      });
    }
  }
  for (const [url, reachable] of facts.etcd) {
    if (!reachable) {
      problems.push({
        check: "etcd",
        message: `${node} cannot reach etcd at ${url}`,
        hint: "start etcd there, or fix etcd.endpoints / the firewall between the node and etcd"
      });
    }
  }
  return problems;
}
async function gatherPreflight(transport, profile) {
  const result = await transport.exec(preflightScript(profile), { timeoutMs: 2e4 });
  return parsePreflight(result.stdout);
}
function elfArch(header) {
  if (header.length < 20 || header.readUInt32BE(0) !== 2135247942) return "not-an-elf-binary";
  const machine = header.readUInt16LE(18);
  const names = { 62: "x86_64", 183: "aarch64", 40: "armv7l", 21: "ppc64le", 22: "s390x", 243: "riscv64" };
  return names[machine] ?? `elf-machine-${machine}`;
}

// source/run/changes.ts
import { createHash } from "node:crypto";
function serviceInputDigest(plan, service) {
  const h = createHash("sha256");
  for (const f of plan.files.filter((x) => x.services.includes(service)).sort((a, b) => a.path.localeCompare(b.path))) {
    h.update(`${f.path}\0${f.sha256}
`);
  }
  return h.digest("hex");
}
function computeChanges(plan, remote) {
  const files = /* @__PURE__ */ new Map();
  const changedPaths = /* @__PURE__ */ new Set();
  for (const f of plan.files) {
    if (remote.hashes.get(f.path) === f.sha256) continue;
    changedPaths.add(f.path);
    const list = files.get(f.step) ?? [];
    list.push(f);
    files.set(f.step, list);
  }
  const restarts = /* @__PURE__ */ new Map();
  const enable = /* @__PURE__ */ new Set();
  for (const service of SERVICES) {
    const inputs = plan.files.filter((f) => f.services.includes(service));
    const changed = inputs.filter((f) => changedPaths.has(f.path)).map((f) => f.path);
    const applied = remote.appliedDigests.get(service);
    if (changed.length > 0) {
      restarts.set(service, `inputs changed: ${changed.map(shortPath).join(", ")}`);
    } else if (!remote.active.get(service)) {
      restarts.set(service, "not running");
    } else if (applied !== serviceInputDigest(plan, service)) {
      restarts.set(service, applied === void 0 ? "not started by this tool yet" : "last start did not finish with these inputs");
    } else if (!remote.enabled.get(service)) {
      enable.add(service);
    }
  }
  return { files, restarts, enable };
}
function shortPath(path) {
  return path.slice(path.lastIndexOf("/") + 1);
}

// node_modules/diff/libesm/diff/base.js
var Diff = class {
  diff(oldStr, newStr, options = {}) {
    let callback;
    if (typeof options === "function") {
      callback = options;
      options = {};
    } else if ("callback" in options) {
      callback = options.callback;
    }
    const oldString = this.castInput(oldStr, options);
    const newString = this.castInput(newStr, options);
    const oldTokens = this.removeEmpty(this.tokenize(oldString, options));
    const newTokens = this.removeEmpty(this.tokenize(newString, options));
    return this.diffWithOptionsObj(oldTokens, newTokens, options, callback);
  }
  diffWithOptionsObj(oldTokens, newTokens, options, callback) {
    var _a;
    const done = (value) => {
      value = this.postProcess(value, options);
      if (callback) {
        setTimeout(function() {
          callback(value);
        }, 0);
        return void 0;
      } else {
        return value;
      }
    };
    const newLen = newTokens.length, oldLen = oldTokens.length;
    let editLength = 1;
    let maxEditLength = newLen + oldLen;
    if (options.maxEditLength != null) {
      maxEditLength = Math.min(maxEditLength, options.maxEditLength);
    }
    const maxExecutionTime = (_a = options.timeout) !== null && _a !== void 0 ? _a : Infinity;
    const abortAfterTimestamp = Date.now() + maxExecutionTime;
    const bestPath = [{ oldPos: -1, lastComponent: void 0 }];
    let newPos = this.extractCommon(bestPath[0], newTokens, oldTokens, 0, options);
    if (bestPath[0].oldPos + 1 >= oldLen && newPos + 1 >= newLen) {
      return done(this.buildValues(bestPath[0].lastComponent, newTokens, oldTokens));
    }
    let minDiagonalToConsider = -Infinity, maxDiagonalToConsider = Infinity;
    const execEditLength = () => {
      for (let diagonalPath = Math.max(minDiagonalToConsider, -editLength); diagonalPath <= Math.min(maxDiagonalToConsider, editLength); diagonalPath += 2) {
        let basePath;
        const removePath = bestPath[diagonalPath - 1], addPath = bestPath[diagonalPath + 1];
        if (removePath) {
          bestPath[diagonalPath - 1] = void 0;
        }
        let canAdd = false;
        if (addPath) {
          const addPathNewPos = addPath.oldPos - diagonalPath;
          canAdd = addPath && 0 <= addPathNewPos && addPathNewPos < newLen;
        }
        const canRemove = removePath && removePath.oldPos + 1 < oldLen;
        if (!canAdd && !canRemove) {
          bestPath[diagonalPath] = void 0;
          continue;
        }
        if (!canRemove || canAdd && removePath.oldPos < addPath.oldPos) {
          basePath = this.addToPath(addPath, true, false, 0, options);
        } else {
          basePath = this.addToPath(removePath, false, true, 1, options);
        }
        newPos = this.extractCommon(basePath, newTokens, oldTokens, diagonalPath, options);
        if (basePath.oldPos + 1 >= oldLen && newPos + 1 >= newLen) {
          return done(this.buildValues(basePath.lastComponent, newTokens, oldTokens)) || true;
        } else {
          bestPath[diagonalPath] = basePath;
          if (basePath.oldPos + 1 >= oldLen) {
            maxDiagonalToConsider = Math.min(maxDiagonalToConsider, diagonalPath - 1);
          }
          if (newPos + 1 >= newLen) {
            minDiagonalToConsider = Math.max(minDiagonalToConsider, diagonalPath + 1);
          }
        }
      }
      editLength++;
    };
    if (callback) {
      (function exec() {
        setTimeout(function() {
          if (editLength > maxEditLength || Date.now() > abortAfterTimestamp) {
            return callback(void 0);
          }
          if (!execEditLength()) {
            exec();
          }
        }, 0);
      })();
    } else {
      while (editLength <= maxEditLength && Date.now() <= abortAfterTimestamp) {
        const ret = execEditLength();
        if (ret) {
          return ret;
        }
      }
    }
  }
  addToPath(path, added, removed, oldPosInc, options) {
    const last = path.lastComponent;
    if (last && !options.oneChangePerToken && last.added === added && last.removed === removed) {
      return {
        oldPos: path.oldPos + oldPosInc,
        lastComponent: { count: last.count + 1, added, removed, previousComponent: last.previousComponent }
      };
    } else {
      return {
        oldPos: path.oldPos + oldPosInc,
        lastComponent: { count: 1, added, removed, previousComponent: last }
      };
    }
  }
  extractCommon(basePath, newTokens, oldTokens, diagonalPath, options) {
    const newLen = newTokens.length, oldLen = oldTokens.length;
    let oldPos = basePath.oldPos, newPos = oldPos - diagonalPath, commonCount = 0;
    while (newPos + 1 < newLen && oldPos + 1 < oldLen && this.equals(oldTokens[oldPos + 1], newTokens[newPos + 1], options)) {
      newPos++;
      oldPos++;
      commonCount++;
      if (options.oneChangePerToken) {
        basePath.lastComponent = { count: 1, previousComponent: basePath.lastComponent, added: false, removed: false };
      }
    }
    if (commonCount && !options.oneChangePerToken) {
      basePath.lastComponent = { count: commonCount, previousComponent: basePath.lastComponent, added: false, removed: false };
    }
    basePath.oldPos = oldPos;
    return newPos;
  }
  equals(left, right, options) {
    if (options.comparator) {
      return options.comparator(left, right);
    } else {
      return left === right || !!options.ignoreCase && left.toLowerCase() === right.toLowerCase();
    }
  }
  removeEmpty(array) {
    const ret = [];
    for (let i = 0; i < array.length; i++) {
      if (array[i]) {
        ret.push(array[i]);
      }
    }
    return ret;
  }
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  castInput(value, options) {
    return value;
  }
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  tokenize(value, options) {
    return Array.from(value);
  }
  join(chars) {
    return chars.join("");
  }
  postProcess(changeObjects, options) {
    return changeObjects;
  }
  get useLongestToken() {
    return false;
  }
  buildValues(lastComponent, newTokens, oldTokens) {
    const components = [];
    let nextComponent;
    while (lastComponent) {
      components.push(lastComponent);
      nextComponent = lastComponent.previousComponent;
      delete lastComponent.previousComponent;
      lastComponent = nextComponent;
    }
    components.reverse();
    const componentLen = components.length;
    let componentPos = 0, newPos = 0, oldPos = 0;
    for (; componentPos < componentLen; componentPos++) {
      const component = components[componentPos];
      if (!component.removed) {
        if (!component.added && this.useLongestToken) {
          let value = newTokens.slice(newPos, newPos + component.count);
          value = value.map(function(value2, i) {
            const oldValue = oldTokens[oldPos + i];
            return oldValue.length > value2.length ? oldValue : value2;
          });
          component.value = this.join(value);
        } else {
          component.value = this.join(newTokens.slice(newPos, newPos + component.count));
        }
        newPos += component.count;
        if (!component.added) {
          oldPos += component.count;
        }
      } else {
        component.value = this.join(oldTokens.slice(oldPos, oldPos + component.count));
        oldPos += component.count;
      }
    }
    return components;
  }
};

// node_modules/diff/libesm/diff/line.js
var LineDiff = class extends Diff {
  constructor() {
    super(...arguments);
    this.tokenize = tokenize;
  }
  equals(left, right, options) {
    if (options.ignoreWhitespace) {
      if (!options.newlineIsToken || !left.includes("\n")) {
        left = left.trim();
      }
      if (!options.newlineIsToken || !right.includes("\n")) {
        right = right.trim();
      }
    } else if (options.ignoreNewlineAtEof && !options.newlineIsToken) {
      if (left.endsWith("\n")) {
        left = left.slice(0, -1);
      }
      if (right.endsWith("\n")) {
        right = right.slice(0, -1);
      }
    }
    return super.equals(left, right, options);
  }
};
var lineDiff = new LineDiff();
function diffLines(oldStr, newStr, options) {
  return lineDiff.diff(oldStr, newStr, options);
}
function tokenize(value, options) {
  if (options.stripTrailingCr) {
    value = value.replace(/\r\n/g, "\n");
  }
  const retLines = [], linesAndNewlines = value.split(/(\n|\r\n)/);
  if (!linesAndNewlines[linesAndNewlines.length - 1]) {
    linesAndNewlines.pop();
  }
  for (let i = 0; i < linesAndNewlines.length; i++) {
    const line = linesAndNewlines[i];
    if (i % 2 && !options.newlineIsToken) {
      retLines[retLines.length - 1] += line;
    } else {
      retLines.push(line);
    }
  }
  return retLines;
}

// node_modules/diff/libesm/patch/create.js
var INCLUDE_HEADERS = {
  includeIndex: true,
  includeUnderline: true,
  includeFileHeaders: true
};
function structuredPatch(oldFileName, newFileName, oldStr, newStr, oldHeader, newHeader, options) {
  let optionsObj;
  if (!options) {
    optionsObj = {};
  } else if (typeof options === "function") {
    optionsObj = { callback: options };
  } else {
    optionsObj = options;
  }
  if (typeof optionsObj.context === "undefined") {
    optionsObj.context = 4;
  }
  const context = optionsObj.context;
  if (optionsObj.newlineIsToken) {
    throw new Error("newlineIsToken may not be used with patch-generation functions, only with diffing functions");
  }
  if (!optionsObj.callback) {
    return diffLinesResultToPatch(diffLines(oldStr, newStr, optionsObj));
  } else {
    const { callback } = optionsObj;
    diffLines(oldStr, newStr, Object.assign(Object.assign({}, optionsObj), { callback: (diff) => {
      const patch = diffLinesResultToPatch(diff);
      callback(patch);
    } }));
  }
  function diffLinesResultToPatch(diff) {
    if (!diff) {
      return;
    }
    diff.push({ value: "", lines: [] });
    function contextLines(lines) {
      return lines.map(function(entry) {
        return " " + entry;
      });
    }
    const hunks = [];
    let oldRangeStart = 0, newRangeStart = 0, curRange = [], oldLine = 1, newLine = 1;
    for (let i = 0; i < diff.length; i++) {
      const current = diff[i], lines = current.lines || splitLines(current.value);
      current.lines = lines;
      if (current.added || current.removed) {
        if (!oldRangeStart) {
          const prev = diff[i - 1];
          oldRangeStart = oldLine;
          newRangeStart = newLine;
          if (prev) {
            curRange = context > 0 ? contextLines(prev.lines.slice(-context)) : [];
            oldRangeStart -= curRange.length;
            newRangeStart -= curRange.length;
          }
        }
        for (const line of lines) {
          curRange.push((current.added ? "+" : "-") + line);
        }
        if (current.added) {
          newLine += lines.length;
        } else {
          oldLine += lines.length;
        }
      } else {
        if (oldRangeStart) {
          if (lines.length <= context * 2 && i < diff.length - 2) {
            for (const line of contextLines(lines)) {
              curRange.push(line);
            }
          } else {
            const contextSize = Math.min(lines.length, context);
            for (const line of contextLines(lines.slice(0, contextSize))) {
              curRange.push(line);
            }
            const hunk = {
              oldStart: oldRangeStart,
              oldLines: oldLine - oldRangeStart + contextSize,
              newStart: newRangeStart,
              newLines: newLine - newRangeStart + contextSize,
              lines: curRange
            };
            hunks.push(hunk);
            oldRangeStart = 0;
            newRangeStart = 0;
            curRange = [];
          }
        }
        oldLine += lines.length;
        newLine += lines.length;
      }
    }
    for (const hunk of hunks) {
      for (let i = 0; i < hunk.lines.length; i++) {
        if (hunk.lines[i].endsWith("\n")) {
          hunk.lines[i] = hunk.lines[i].slice(0, -1);
        } else {
          hunk.lines.splice(i + 1, 0, "\\ No newline at end of file");
          i++;
        }
      }
    }
    return {
      oldFileName,
      newFileName,
      oldHeader,
      newHeader,
      hunks
    };
  }
}
function formatPatch(patch, headerOptions) {
  if (!headerOptions) {
    headerOptions = INCLUDE_HEADERS;
  }
  if (Array.isArray(patch)) {
    if (patch.length > 1 && !headerOptions.includeFileHeaders) {
      throw new Error("Cannot omit file headers on a multi-file patch. (The result would be unparseable; how would a tool trying to apply the patch know which changes are to which file?)");
    }
    return patch.map((p) => formatPatch(p, headerOptions)).join("\n");
  }
  const ret = [];
  if (headerOptions.includeIndex && patch.oldFileName == patch.newFileName) {
    ret.push("Index: " + patch.oldFileName);
  }
  if (headerOptions.includeUnderline) {
    ret.push("===================================================================");
  }
  if (headerOptions.includeFileHeaders) {
    ret.push("--- " + patch.oldFileName + (typeof patch.oldHeader === "undefined" ? "" : "	" + patch.oldHeader));
    ret.push("+++ " + patch.newFileName + (typeof patch.newHeader === "undefined" ? "" : "	" + patch.newHeader));
  }
  for (let i = 0; i < patch.hunks.length; i++) {
    const hunk = patch.hunks[i];
    if (hunk.oldLines === 0) {
      hunk.oldStart -= 1;
    }
    if (hunk.newLines === 0) {
      hunk.newStart -= 1;
    }
    ret.push("@@ -" + hunk.oldStart + "," + hunk.oldLines + " +" + hunk.newStart + "," + hunk.newLines + " @@");
    for (const line of hunk.lines) {
      ret.push(line);
    }
  }
  return ret.join("\n") + "\n";
}
function createTwoFilesPatch(oldFileName, newFileName, oldStr, newStr, oldHeader, newHeader, options) {
  if (typeof options === "function") {
    options = { callback: options };
  }
  if (!(options === null || options === void 0 ? void 0 : options.callback)) {
    const patchObj = structuredPatch(oldFileName, newFileName, oldStr, newStr, oldHeader, newHeader, options);
    if (!patchObj) {
      return;
    }
    return formatPatch(patchObj, options === null || options === void 0 ? void 0 : options.headerOptions);
  } else {
    const { callback } = options;
    structuredPatch(oldFileName, newFileName, oldStr, newStr, oldHeader, newHeader, Object.assign(Object.assign({}, options), { callback: (patchObj) => {
      if (!patchObj) {
        callback(void 0);
      } else {
        callback(formatPatch(patchObj, options.headerOptions));
      }
    } }));
  }
}
function splitLines(text) {
  const hasTrailingNl = text.endsWith("\n");
  const result = text.split("\n").map((line) => line + "\n");
  if (hasTrailingNl) {
    result.pop();
  } else {
    result.push(result.pop().slice(0, -1));
  }
  return result;
}

// source/run/dry-run.ts
function describeFileChange(file, remoteSha, remoteContent) {
  const mode = `0${file.mode.toString(8)}`;
  const base = { kind: remoteSha === void 0 ? "create" : "update", path: file.path, mode, sha256After: file.sha256 };
  const withBefore = remoteSha === void 0 ? base : { ...base, sha256Before: remoteSha };
  if (file.secret || !file.content || !isText(file.content) || remoteContent && !isText(remoteContent)) return withBefore;
  const diff = createTwoFilesPatch(file.path, file.path, remoteContent?.toString("utf8") ?? "", file.content.toString("utf8"), "on node", "planned", {
    context: 2
  });
  return { ...withBefore, diff };
}
function describeRestart(service, reason) {
  return { kind: "restart", service, reason };
}
function isText(buffer) {
  return !buffer.subarray(0, 8e3).includes(0);
}

// source/run/remote-hashes.ts
var HASH_CACHE = "/var/lib/k8s-master-setup/sha256-cache";
function statScript(paths) {
  return `cat ${HASH_CACHE} 2>/dev/null; echo '@@stat'; for p in ${paths.map(shellQuote).join(" ")}; do [ -f "$p" ] && stat -c '%n|%s|%Y|%i' -- "$p"; done; true`;
}
function parseStatOutput(stdout) {
  const [cacheText = "", statText = ""] = stdout.split("@@stat\n");
  const cache = /* @__PURE__ */ new Map();
  for (const line of cacheText.split("\n")) {
    const [path, size, mtime, inode, sha256] = line.split("|");
    if (path && size && mtime && inode && sha256 && /^[0-9a-f]{64}$/.test(sha256)) cache.set(path, { size, mtime, inode, sha256 });
  }
  const stats = /* @__PURE__ */ new Map();
  for (const line of statText.split("\n")) {
    const [path, size, mtime, inode] = line.split("|");
    if (path && size && mtime && inode) stats.set(path, { size, mtime, inode });
  }
  return { cache, stats };
}
async function remoteHashes(transport, paths) {
  const result = await transport.exec(statScript(paths));
  if (result.code !== 0) throw new Error(`listing files failed: ${result.stderr.trim()}`);
  const { cache, stats } = parseStatOutput(result.stdout);
  const hashes = /* @__PURE__ */ new Map();
  const unknown = [];
  for (const path of paths) {
    const stat = stats.get(path);
    const cached = cache.get(path);
    if (!stat) hashes.set(path, void 0);
    else if (cached && cached.size === stat.size && cached.mtime === stat.mtime && cached.inode === stat.inode) hashes.set(path, cached.sha256);
    else unknown.push(path);
  }
  if (unknown.length > 0) for (const [path, sha] of await transport.sha256(unknown)) hashes.set(path, sha);
  return { hashes, misses: unknown.length };
}
async function recordRemoteHashes(transport, known) {
  if (known.size === 0) return;
  const pairs = [...known].map(([path, sha]) => `${shellQuote(path)} ${sha}`).join(" ");
  const script = [
    `set -e; mkdir -p ${shellQuote(HASH_CACHE.slice(0, HASH_CACHE.lastIndexOf("/")))}`,
    `tmp=${HASH_CACHE}.tmp.$$`,
    `set -- ${pairs}`,
    `: > "$tmp"; while [ $# -ge 2 ]; do [ -f "$1" ] && printf '%s|%s\\n' "$(stat -c '%n|%s|%Y|%i' -- "$1")" "$2" >> "$tmp"; shift 2; done`,
    `mv -f "$tmp" ${HASH_CACHE}`
  ].join("\n");
  const result = await transport.exec(script);
  if (result.code !== 0) throw new Error(`recording file hashes failed: ${result.stderr.trim()}`);
}

// source/run/remote-state.ts
var APPLIED_DIR = "/var/lib/k8s-master-setup/applied";
function appliedMarkerPath(service) {
  return `${APPLIED_DIR}/${service}`;
}
async function readRemoteState(transport, plan) {
  const { hashes, misses } = await remoteHashes(transport, plan.files.map((f) => f.path));
  const script = SERVICES.map(
    (s) => `printf '%s %s %s %s\\n' ${s} "$(systemctl is-active ${s} 2>/dev/null || true)" "$(systemctl is-enabled ${s} 2>/dev/null || echo missing)" "$(cat ${appliedMarkerPath(s)} 2>/dev/null || echo none)"`
  ).join("\n");
  const result = await transport.exec(script);
  if (result.code !== 0) throw new Error(`reading service state failed: ${result.stderr.trim()}`);
  return { hashes, hashMisses: misses, ...parseServiceState(result.stdout) };
}
function parseServiceState(stdout) {
  const appliedDigests = /* @__PURE__ */ new Map();
  const active = /* @__PURE__ */ new Map();
  const enabled = /* @__PURE__ */ new Map();
  for (const line of stdout.split("\n")) {
    const [name, activeState, enabledState, digest] = line.trim().split(/\s+/);
    if (!name || !SERVICES.includes(name)) continue;
    const service = name;
    active.set(service, activeState === "active");
    enabled.set(service, enabledState === "enabled");
    appliedDigests.set(service, digest && /^[0-9a-f]{64}$/.test(digest) ? digest : void 0);
  }
  return { appliedDigests, active, enabled };
}

// source/run/step-error.ts
var StepError = class extends Error {
  constructor(message, hint, detail) {
    super(message);
    this.hint = hint;
    this.detail = detail;
    this.name = "StepError";
  }
  hint;
  detail;
};
function describeFailure(error) {
  if (error instanceof StepError) return { cause: error.message, hint: error.hint, detail: error.detail };
  if (error instanceof UserError) return { cause: error.message, hint: error.hint };
  return { cause: error instanceof Error ? error.message : String(error) };
}
function isTransient(error) {
  if (isTransientSshError(error)) return true;
  if (error instanceof StepError || error instanceof UserError) return false;
  const text = `${error?.code ?? ""} ${error instanceof Error ? error.message : String(error)}`;
  return /ECONNRESET|EPIPE|ETIMEDOUT|Not connected|No response from server|Channel open failure|keepalive|socket hang up|connection lost|Connection closed/i.test(
    text
  );
}
function tail(text, lines = 15) {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

// source/run/services.ts
var HEALTH_ENDPOINT = {
  "kube-apiserver": "/readyz on :6443",
  "kube-controller-manager": "/healthz on :10257",
  "kube-scheduler": "/healthz on :10259"
};
async function systemctl(transport, args) {
  const r = await transport.exec(`systemctl ${args}`, { timeoutMs: 6e4 });
  if (r.code !== 0) throw new StepError(`systemctl ${args} failed on ${transport.node}`, "look at the unit with systemctl status on the node", tail(r.stderr || r.stdout));
}
async function journalTail(transport, service, lines = 20) {
  const r = await transport.exec(`journalctl -u ${service} -n ${lines} --no-pager -o cat`, { timeoutMs: 1e4 }).catch(() => void 0);
  return r ? tail(r.stdout, lines) : "";
}
async function restartAndWait(options) {
  const { transport, node, service, health, timeoutMs, onWaiting } = options;
  const pollMs = options.pollMs ?? 1e3;
  await systemctl(transport, `enable ${service} --quiet`);
  await systemctl(transport, `restart ${service} --no-block`);
  const started = Date.now();
  let last = "no answer yet";
  while (Date.now() - started < timeoutMs) {
    await sleep(pollMs);
    const result = await health.serviceHealthy(node, service).catch((e) => ({ ok: false, detail: e.message }));
    if (result.ok) return;
    last = result.detail;
    const unit = await transport.exec(`systemctl show ${service} -p ActiveState -p SubState -p NRestarts`, { timeoutMs: 1e4 });
    if (/ActiveState=failed|SubState=auto-restart/.test(unit.stdout)) {
      throw new StepError(
        `${service} on ${node.name} exited instead of starting (${unit.stdout.trim().replace(/\n/g, ", ")})`,
        `read the journal below; run \`journalctl -u ${service} -n 100\` on ${node.ip} for more`,
        await journalTail(transport, service)
      );
    }
    onWaiting(`waiting for ${HEALTH_ENDPOINT[service]} (${Math.round((Date.now() - started) / 1e3)}s): ${last}`);
  }
  throw new StepError(
    `${service} on ${node.name} did not become healthy within ${Math.round(timeoutMs / 1e3)}s (${HEALTH_ENDPOINT[service]}: ${last})`,
    /UNABLE_TO_VERIFY|CERT_|SELF_SIGNED|ALTNAME/.test(last) ? `the certificate ${service} serves does not verify against the cluster CA (${HEALTH_ENDPOINT[service]}): check pki.caCert and the SANs; re-run apply to re-issue from the kept CA` : service === "kube-apiserver" ? "check that etcd is reachable with the configured client certificate and that the node IP is right" : "check that the apiserver on this node is ready and the kubeconfig points at it",
    await journalTail(transport, service)
  );
}
async function writeAppliedMarker(transport, service, digest) {
  const path = appliedMarkerPath(service);
  const r = await transport.exec(`mkdir -p ${APPLIED_DIR} && printf '%s\\n' ${digest} > ${path}.tmp && mv -f ${path}.tmp ${path}`);
  if (r.code !== 0) throw new StepError(`could not record the started inputs of ${service}`, void 0, tail(r.stderr));
}
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// source/run/runner.ts
var DEFAULT_TIMEOUTS = {
  connect: 3e4,
  preflight: 6e4,
  binaries: 20 * 6e4,
  certificates: 6e4,
  configs: 6e4,
  apiserver: 24e4,
  "controller-manager": 18e4,
  scheduler: 18e4,
  verify: 18e4
};
var UPLOADS_PER_NODE = 4;
async function runPlan(options) {
  const started = Date.now();
  const { plan, emit } = options;
  const selected = selectSteps(options.only, options.skip);
  const runs = plan.nodes.map((p) => ({ plan: p, directoriesReady: false, changed: [], known: /* @__PURE__ */ new Map(), cacheDirty: false }));
  const limit = options.concurrency ?? 10;
  emit({ type: "run-started", at: Date.now(), nodes: runs.map((r) => r.plan.node.name), steps: [...STEP_NAMES], dryRun: Boolean(options.dryRun) });
  const step = (run, name, body) => runStep(options, selected, run, name, body);
  const skipRest = (run, from, reason) => {
    for (const name of STEP_NAMES.slice(STEP_NAMES.indexOf(from))) emit({ type: "step-skipped", at: Date.now(), node: run.plan.node.name, step: name, reason });
  };
  await mapLimit(runs, limit, async (run) => {
    await step(run, "connect", async () => {
      run.transport = await options.connect(run.plan.node);
      return "unchanged";
    });
    await step(run, "preflight", async () => {
      const t = need(run.transport);
      const facts = await gatherPreflight(t, plan.profile);
      run.hostname = facts.hostname || void 0;
      const problems = judgePreflight(run.plan.node.name, facts, {
        arch: options.binaries.arch,
        binariesBytes: options.binaries.totalBytes,
        localEpochSeconds: Math.round(Date.now() / 1e3),
        maxClockSkewSeconds: options.maxClockSkewSeconds ?? 30
      });
      if (problems.length > 0) {
        throw new StepError(problems.map((p) => p.message).join("; "), problems.map((p) => p.hint).join("; "));
      }
      return "unchanged";
    });
    if (run.transport && run.failedStep === void 0) {
      try {
        const remote = await readRemoteState(run.transport, run.plan);
        run.remote = remote;
        run.changes = computeChanges(run.plan, remote);
        run.cacheDirty = remote.hashMisses > 0;
        for (const f of run.plan.files) if (remote.hashes.get(f.path) === f.sha256) run.known.set(f.path, f.sha256);
      } catch (error) {
        fail(options, run, "preflight", 0, error);
      }
    }
  });
  const blocked = runs.filter((r) => r.failedStep !== void 0);
  if (blocked.length > 0) {
    const names = blocked.map((r) => r.plan.node.name).join(", ");
    for (const run of runs) {
      if (run.failedStep === void 0) skipRest(run, "binaries", `stopped before any change: ${names} failed ${blocked[0]?.failedStep}`);
      else skipRest(run, "binaries", `${run.failedStep} failed`);
    }
    return finish(options, runs, started);
  }
  if (options.dryRun) {
    for (const run of runs) await reportDryRun(options, run);
    for (const run of runs) skipRest(run, "binaries", "dry run");
    return finish(options, runs, started);
  }
  await mapLimit(runs, limit, async (run) => {
    for (const name of ["binaries", "certificates", "configs"]) {
      await step(run, name, () => placeFiles(options, run, name));
    }
  });
  const rolling = runs.some((r) => r.remote?.active.get("kube-apiserver"));
  const startServices = async (run) => {
    for (const service of SERVICES) {
      await step(run, SERVICE_STEP[service], () => startService(options, run, service));
    }
  };
  if (rolling) {
    for (const run of runs) await startServices(run);
  } else {
    await mapLimit(runs, limit, startServices);
  }
  const leaseNodes = runs.map((r) => ({ name: r.plan.node.name, hostname: r.hostname ?? null }));
  await mapLimit(runs, limit, async (run) => {
    await step(run, "verify", () => verifyNode(options, run, leaseNodes));
  });
  return finish(options, runs, started, true);
}
async function runStep(options, selected, run, name, body) {
  const node = run.plan.node.name;
  const { emit } = options;
  if (run.failedStep !== void 0) {
    emit({ type: "step-skipped", at: Date.now(), node, step: name, reason: `${run.failedStep} failed` });
    return;
  }
  if (!selected.has(name)) {
    emit({ type: "step-skipped", at: Date.now(), node, step: name, reason: "not selected (--only/--skip)" });
    return;
  }
  if (options.signal?.aborted) {
    emit({ type: "step-skipped", at: Date.now(), node, step: name, reason: "stopped; run apply again to resume" });
    return;
  }
  emit({ type: "step-started", at: Date.now(), node, step: name });
  const started = Date.now();
  const retries = options.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      const outcome = await withTimeout(body(), options.stepTimeoutMs?.[name] ?? DEFAULT_TIMEOUTS[name], `${name} on ${node}`);
      const durationMs = Date.now() - started;
      if (outcome === "unchanged" || outcome.changed.length === 0) {
        emit(name === "connect" || name === "preflight" || name === "verify" ? { type: "step-done", at: Date.now(), node, step: name, durationMs, changed: [] } : { type: "step-unchanged", at: Date.now(), node, step: name, durationMs });
      } else {
        run.changed.push(...outcome.changed);
        emit({ type: "step-done", at: Date.now(), node, step: name, durationMs, changed: outcome.changed });
      }
      return;
    } catch (error) {
      if (attempt < retries && isTransient(error) && name !== "connect") {
        emit({ type: "log", at: Date.now(), node, step: name, line: `connection problem (${describeFailure(error).cause}); reconnecting, try ${attempt + 2} of ${retries + 1}` });
        await sleep(1e3 * (attempt + 1));
        try {
          await run.transport?.close().catch(() => void 0);
          run.transport = await options.connect(run.plan.node);
        } catch {
        }
        continue;
      }
      fail(options, run, name, Date.now() - started, error);
      return;
    }
  }
}
function fail(options, run, name, durationMs, error) {
  run.failedStep = name;
  options.emit({ type: "step-failed", at: Date.now(), node: run.plan.node.name, step: name, durationMs, ...describeFailure(error) });
}
async function ensureDirectories(run) {
  if (run.directoriesReady) return;
  const t = need(run.transport);
  const script = run.plan.directories.map((d) => `mkdir -p '${d.path}' && chmod ${d.mode.toString(8)} '${d.path}'`).join(" && ");
  if (script) {
    const r = await t.exec(script);
    if (r.code !== 0) throw new StepError(`could not create directories on ${t.node}`, "check that the login user may write there (root or sudo)", r.stderr);
  }
  run.directoriesReady = true;
}
async function uploadFiles(options, run, name, files) {
  if (files.length === 0) return [];
  await ensureDirectories(run);
  const t = need(run.transport);
  const total = files.reduce((n, f) => n + f.size, 0);
  const sent = /* @__PURE__ */ new Map();
  let lastEmit = 0;
  const progress = (path, bytes, force = false) => {
    sent.set(path, bytes);
    const now = Date.now();
    if (!force && now - lastEmit < 100) return;
    lastEmit = now;
    const bytesSoFar = [...sent.values()].reduce((a, b) => a + b, 0);
    options.emit({ type: "step-progress", at: now, node: t.node, step: name, bytes: bytesSoFar, totalBytes: total, message: path });
  };
  await mapLimit(files, UPLOADS_PER_NODE, async (file) => {
    await t.upload(file.localPath ? { localPath: file.localPath } : { content: file.content }, file.path, {
      mode: file.mode,
      onProgress: (bytes) => progress(file.path, bytes)
    });
    run.known.set(file.path, file.sha256);
    run.cacheDirty = true;
    progress(file.path, file.size, true);
  });
  return files.map((f) => f.path);
}
async function placeFiles(options, run, name) {
  const files = need(run.changes).files.get(name) ?? [];
  return { changed: await uploadFiles(options, run, name, files) };
}
async function startService(options, run, service) {
  const name = SERVICE_STEP[service];
  const t = need(run.transport);
  const changes = need(run.changes);
  const written = await uploadFiles(options, run, name, changes.files.get(name) ?? []);
  const reason = changes.restarts.get(service);
  if (reason === void 0) {
    if (changes.enable.has(service)) await systemctl(t, `enable ${service} --quiet`);
    return { changed: written };
  }
  await ensureDirectories(run);
  await systemctl(t, "daemon-reload");
  options.emit({ type: "log", at: Date.now(), node: t.node, step: name, line: `restarting ${service}: ${reason}` });
  await restartAndWait({
    transport: t,
    node: run.plan.node,
    service,
    health: options.health,
    timeoutMs: options.healthTimeoutMs ?? 18e4,
    pollMs: options.healthPollMs,
    onWaiting: (message) => options.emit({ type: "step-progress", at: Date.now(), node: t.node, step: name, message })
  });
  await writeAppliedMarker(t, service, serviceInputDigest(run.plan, service));
  return { changed: [...written, `restarted ${service}`] };
}
async function verifyNode(options, run, leaseNodes) {
  const node = run.plan.node;
  const deadline = Date.now() + (options.leaseTimeoutMs ?? 9e4);
  for (const service of SERVICES) {
    for (; ; ) {
      const h = await options.health.serviceHealthy(node, service);
      if (h.ok) break;
      if (Date.now() > deadline) throw new StepError(`${service} on ${node.name} is not healthy: ${h.detail}`, `run \`k8s-master-setup status\` and look at journalctl -u ${service} on ${node.ip}`);
      options.emit({ type: "step-progress", at: Date.now(), node: node.name, step: "verify", message: `waiting for ${service}: ${h.detail}` });
      await sleep(options.healthPollMs ?? 1e3);
    }
  }
  for (; ; ) {
    const holders = await options.health.leaseHolders().catch(() => ({}));
    const missing = ["kube-controller-manager", "kube-scheduler"].filter((l) => {
      const identity = holders[l];
      return !identity || mapHolderToNode(identity, leaseNodes) === null;
    });
    if (missing.length === 0) return "unchanged";
    if (Date.now() > deadline) {
      throw new StepError(`no master holds the ${missing.join(" and ")} Lease`, "check the controller-manager/scheduler journals for leader-election errors (RBAC, kubeconfig, clock)");
    }
    options.emit({ type: "step-progress", at: Date.now(), node: node.name, step: "verify", message: `waiting for a ${missing.join(" and ")} Lease holder` });
    await sleep(2e3);
  }
}
async function reportDryRun(options, run) {
  const t = need(run.transport);
  const changes = need(run.changes);
  const remote = need(run.remote);
  for (const [stepName, files] of changes.files) {
    for (const file of files) {
      const before = remote.hashes.get(file.path);
      const content = before !== void 0 && !file.secret && file.content ? await t.readFile(file.path) : void 0;
      options.emit({ type: "plan-change", at: Date.now(), node: t.node, step: stepName, change: describeFileChange(file, before, content) });
    }
  }
  for (const [service, reason] of changes.restarts) {
    options.emit({ type: "plan-change", at: Date.now(), node: t.node, step: SERVICE_STEP[service], change: describeRestart(service, reason) });
  }
}
async function finish(options, runs, started, recordHashes = false) {
  if (recordHashes) {
    await Promise.all(
      runs.filter((r) => r.transport && r.cacheDirty).map(
        (r) => recordRemoteHashes(r.transport, r.known).catch(
          (e) => options.emit({ type: "log", at: Date.now(), node: r.plan.node.name, line: `could not record file hashes (the next run hashes the files again): ${e.message}` })
        )
      )
    );
  }
  await Promise.all(runs.map((r) => r.transport?.close().catch(() => void 0)));
  const failedNodes = runs.filter((r) => r.failedStep !== void 0).map((r) => r.plan.node.name);
  const ok = failedNodes.length === 0 && !options.signal?.aborted;
  options.emit({ type: "run-finished", at: Date.now(), ok, durationMs: Date.now() - started, failedNodes });
  return { ok, failedNodes, changed: new Map(runs.map((r) => [r.plan.node.name, r.changed])) };
}
function selectSteps(only, skip) {
  const chosen = new Set(only && only.length > 0 ? only : STEP_NAMES);
  for (const s of skip ?? []) chosen.delete(s);
  chosen.add("connect");
  return chosen;
}
function need(value) {
  if (value === void 0) throw new Error("internal: step ran before its prerequisites");
  return value;
}
async function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new StepError(`${what} timed out after ${Math.round(ms / 1e3)}s`, "the node or network is slow or hung; run again to resume")), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
async function mapLimit(items, limit, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  });
  await Promise.all(workers);
}

// source/cli/shared/admin-kubeconfig.ts
import { join } from "node:path";
async function writeAdminKubeconfig(stateDir, content) {
  const path = join(stateDir, "admin.kubeconfig");
  writeFileAtomic(path, content, 384);
  return path;
}

// source/cli/commands/apply-action.ts
async function runApply(options) {
  const interactive = Boolean(process.stdout.isTTY && process.stdin.isTTY) && !options.json;
  if (!options.yes && !options.dryRun && !interactive) {
    throw new UserError("apply needs --yes when it cannot ask (no terminal, or --json)", "add --yes, or --dry-run to see what would change");
  }
  const profile = await loadProfileFromOptions(options);
  const { plan, stateDir, pki } = await prepare({
    profile,
    ...options.stateDir ? { stateDir: options.stateDir } : {},
    onPkiChange: (c) => process.stderr.write(`${c.action} ${c.item}${c.reason ? `: ${c.reason}` : ""}
`)
  });
  const kubeconfigPath = await writeAdminKubeconfig(stateDir, plan.adminKubeconfig);
  if (!options.yes && !options.dryRun && !await confirm(plan)) {
    process.stderr.write("nothing was changed\n");
    return 0;
  }
  const health = createHttpsHealth(profile, { caPem: pki.ca.cert, certPem: pki.admin.cert, keyPem: pki.admin.key });
  const controller = new AbortController();
  const runnerOptions = {
    plan,
    connect: (node) => connectNode(profile, node, options),
    health,
    binaries: await binariesFacts(plan),
    dryRun: options.dryRun,
    only: options.only,
    skip: options.skip,
    concurrency: options.concurrency,
    signal: controller.signal
  };
  try {
    if (interactive && !options.dryRun) return await applyWithGrid(runnerOptions, controller, profile.name, kubeconfigPath);
    const emit = options.json ? await jsonSink() : await plainSink();
    const stop = () => {
      if (controller.signal.aborted) process.exit(130);
      process.stderr.write("stopping: in-flight steps finish, nothing new starts (Ctrl-C again to quit at once)\n");
      controller.abort();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    const result = await runPlan({ ...runnerOptions, emit });
    if (!options.json && !options.dryRun && result.ok) {
      process.stdout.write(`
admin kubeconfig: ${kubeconfigPath}
next: kubectl --kubeconfig ${kubeconfigPath} get --raw '/readyz?verbose'
      k8s-master-setup status ${profileFlag(options)}
`);
    }
    if (!result.ok && !options.json) {
      process.stderr.write(`
${controller.signal.aborted ? "stopped" : `failed on ${result.failedNodes.join(", ")}`}; fix the cause above and run the same command again to resume
`);
    }
    return result.ok ? 0 : 1;
  } finally {
    health.close();
  }
}
async function applyWithGrid(options, controller, profileName, kubeconfigPath) {
  const { runApplyUi } = await import("./app-apply-DTNP4OPE.mjs");
  const { showFinished } = await import("./finished-65JHQX6F.mjs");
  const listeners = /* @__PURE__ */ new Set();
  const emit = (e) => {
    for (const l of listeners) l(e);
  };
  let failed = /* @__PURE__ */ new Set();
  const first = runPlan({ ...options, emit }).then((r) => {
    failed = new Set(r.failedNodes);
  });
  const retry = async (node) => {
    const single = { ...options.plan, nodes: options.plan.nodes.filter((n) => n.node.name === node) };
    const r = await runPlan({
      ...options,
      plan: single,
      emit: (e) => {
        if (e.type === "run-started") return;
        if (e.type === "run-finished") {
          if (e.ok) failed.delete(node);
          emit({ ...e, ok: failed.size === 0, failedNodes: [...failed] });
          return;
        }
        emit(e);
      }
    });
    return r;
  };
  const result = await runApplyUi({
    events: (sink) => {
      listeners.add(sink);
      return () => listeners.delete(sink);
    },
    onRetry: (node) => void retry(node),
    onQuit: async () => {
      controller.abort();
      await first;
    },
    profileName
  });
  await first;
  await showFinished({ profileName, kubeconfigPath, ok: failed.size === 0 && !controller.signal.aborted, failedNodes: [...failed] });
  void result;
  return failed.size === 0 && !controller.signal.aborted ? 0 : 1;
}
async function confirm(plan) {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const nodes = plan.nodes.map((n) => `${n.node.name} (${n.node.ip})`).join(", ");
    const answer = await rl.question(`Apply Kubernetes ${plan.kubernetesRelease} control plane to ${nodes}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
async function binariesFacts(plan) {
  const binaries = plan.nodes[0]?.files.filter((f) => f.step === "binaries") ?? [];
  const first = binaries.find((f) => f.localPath);
  let arch = "unknown";
  if (first?.localPath) {
    const handle = await open(first.localPath, "r");
    try {
      const header = Buffer.alloc(20);
      await handle.read(header, 0, 20, 0);
      arch = elfArch(header);
    } finally {
      await handle.close();
    }
  }
  return { arch, totalBytes: binaries.reduce((n, f) => n + f.size, 0) };
}
async function plainSink() {
  const { createPlainReporter } = await import("./plain-reporter-WZTVDNIQ.mjs");
  return createPlainReporter((s) => process.stdout.write(s));
}
async function jsonSink() {
  const { createJsonReporter } = await import("./json-reporter-F4GHA5VI.mjs");
  return createJsonReporter((s) => process.stdout.write(s));
}
function profileFlag(options) {
  return options.profileFile ? `--profile-file ${options.profileFile}` : `--profile ${options.profile}`;
}
export {
  runApply
};
