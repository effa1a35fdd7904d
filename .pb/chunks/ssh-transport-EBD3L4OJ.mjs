import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  shellQuote
} from "./chunk-34PAFOIH.mjs";
import {
  SshError,
  connectionLost,
  translateConnectError,
  translateSudoFailure
} from "./chunk-OY4RZ6JO.mjs";
import {
  UserError
} from "./chunk-PFGUMKWO.mjs";
import "./chunk-YOTFHUOA.mjs";

// source/remote/ssh-transport.ts
import ssh22 from "ssh2";

// source/remote/host-key-check.ts
import { homedir } from "node:os";
import { join } from "node:path";

// source/remote/known-hosts.ts
import { createHash, createHmac, randomBytes } from "node:crypto";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
function fingerprint(keyBlob) {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}
function keyTypeOf(keyBlob) {
  if (keyBlob.length < 4) {
    return "unknown";
  }
  const length = keyBlob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > keyBlob.length) {
    return "unknown";
  }
  return keyBlob.subarray(4, 4 + length).toString("latin1");
}
function knownHostsName(host, port) {
  return port === 22 ? host : `[${host}]:${port}`;
}
function parseKnownHosts(text) {
  const entries = [];
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) {
      continue;
    }
    const fields = line.split(/\s+/);
    let marker;
    if (fields[0]?.startsWith("@")) {
      const name = fields.shift();
      if (name === "@revoked") {
        marker = "revoked";
      } else if (name === "@cert-authority") {
        marker = "cert-authority";
      } else {
        continue;
      }
    }
    const [patterns, keyType, keyBase64] = fields;
    if (!patterns || !keyType || !keyBase64) {
      continue;
    }
    entries.push({ marker, patterns, keyType, key: Buffer.from(keyBase64, "base64"), line: index + 1 });
  }
  return entries;
}
function matchesHashed(field, name) {
  const [, magic, salt, hash] = field.split("|");
  if (magic !== "1" || !salt || !hash) {
    return false;
  }
  return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
}
function globToRegExp(pattern) {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".");
  return new RegExp(`^${escaped}$`, "i");
}
function hostFieldMatches(field, name) {
  if (field.startsWith("|")) {
    return matchesHashed(field, name);
  }
  let matched = false;
  for (const pattern of field.split(",")) {
    const negated = pattern.startsWith("!");
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
      if (negated) {
        return false;
      }
      matched = true;
    }
  }
  return matched;
}
function checkHostKey(text, name, keyBlob) {
  const presentedType = keyTypeOf(keyBlob);
  const entries = parseKnownHosts(text).filter((entry) => entry.marker !== "cert-authority");
  for (const entry of entries) {
    if (entry.marker === "revoked" && entry.key.equals(keyBlob)) {
      return { kind: "revoked", line: entry.line };
    }
  }
  const forHost = entries.filter((entry) => entry.marker === void 0 && hostFieldMatches(entry.patterns, name));
  if (forHost.some((entry) => entry.key.equals(keyBlob))) {
    return { kind: "known" };
  }
  const sameType = forHost.find((entry) => keyTypeOf(entry.key) === presentedType);
  if (sameType) {
    return { kind: "changed", knownFingerprint: fingerprint(sameType.key), line: sameType.line };
  }
  return { kind: "unknown", otherKeyTypes: [...new Set(forHost.map((entry) => keyTypeOf(entry.key)))] };
}
function knownKeyTypes(text, name) {
  return [
    ...new Set(
      parseKnownHosts(text).filter((entry) => entry.marker === void 0 && hostFieldMatches(entry.patterns, name)).map((entry) => keyTypeOf(entry.key))
    )
  ];
}
var DEFAULT_HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa"
];
function preferredHostKeyAlgorithms(knownTypes) {
  const isKnown = (algorithm) => knownTypes.includes(algorithm) || algorithm.startsWith("rsa-sha2-") && knownTypes.includes("ssh-rsa");
  return [...DEFAULT_HOST_KEY_ALGORITHMS.filter(isKnown), ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !isKnown(a))];
}
async function readKnownHosts(file) {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") {
      return "";
    }
    throw error;
  }
}
async function appendKnownHost(file, name, keyBlob, options = {}) {
  const hashed = options.hashed ?? true;
  let field = name;
  if (hashed) {
    const salt = randomBytes(20);
    field = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
  }
  await mkdir(dirname(file), { recursive: true, mode: 448 });
  const existing = await readKnownHosts(file);
  const separator = existing === "" || existing.endsWith("\n") ? "" : "\n";
  await appendFile(file, `${separator}${field} ${keyTypeOf(keyBlob)} ${keyBlob.toString("base64")}
`, { mode: 384 });
}

// source/remote/host-key-check.ts
var GLOBAL_KNOWN_HOSTS = "/etc/ssh/ssh_known_hosts";
async function prepareHostKeyCheck(node, host, port, policy, hostKeyAlias) {
  const userFile = policy.knownHostsFile ?? join(homedir(), ".ssh", "known_hosts");
  const files = policy.knownHostsFile ? [userFile] : [userFile, GLOBAL_KNOWN_HOSTS];
  const texts = await Promise.all(files.map(async (file) => ({ file, text: await readKnownHosts(file) })));
  const name = hostKeyAlias ?? knownHostsName(host, port);
  const judge = (key) => {
    const verdicts = texts.map(({ file, text }) => ({ ...checkHostKey(text, name, key), file }));
    const rank = (v) => ({ revoked: 0, known: 1, changed: 2, unknown: 3 })[v.kind];
    const best = verdicts.sort((a, b) => rank(a) - rank(b))[0];
    if (best.kind !== "unknown") return best;
    return { kind: "unknown", otherKeyTypes: verdicts.flatMap((v) => v.kind === "unknown" ? v.otherKeyTypes : []), file: userFile };
  };
  let refusal;
  const hostVerifier = (key, verify) => {
    const keyType = keyTypeOf(key);
    const presented = fingerprint(key);
    const verdict = judge(key);
    switch (verdict.kind) {
      case "known": {
        verify(true);
        return;
      }
      case "changed": {
        refusal = new SshError(
          node,
          "host-key-changed",
          `the ${keyType} host key of ${name} has CHANGED: known_hosts (${verdict.file}:${verdict.line}) has ${verdict.knownFingerprint}, the server presented ${presented}. Someone may be intercepting the connection, or the node was reinstalled`,
          `if the node was reinstalled, confirm the new fingerprint on its console (ssh-keygen -lf /etc/ssh/ssh_host_${keyType.replace(/^ssh-|-.*$/g, "")}_key.pub), then remove the old entry: ssh-keygen -R '${name}' -f ${verdict.file}`
        );
        verify(false);
        return;
      }
      case "revoked": {
        refusal = new SshError(
          node,
          "host-key-revoked",
          `the ${keyType} host key of ${name} (${presented}) is marked @revoked in ${verdict.file}:${verdict.line}`,
          "the node must get a new host key; ask whoever revoked it"
        );
        verify(false);
        return;
      }
      case "unknown": {
        const others = verdict.otherKeyTypes.length > 0 ? ` (known_hosts has only ${verdict.otherKeyTypes.join(", ")} keys for it)` : "";
        const refuseUnknown = () => {
          refusal = new SshError(
            node,
            "host-key-unknown",
            `the host ${name} is not in ${userFile}${others}; its ${keyType} key is ${presented}`,
            `check the fingerprint on the node (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then run again with --accept-new-host-keys, or add it yourself: ssh-keyscan -p ${port} ${host} >> ${userFile}`
          );
          verify(false);
        };
        const record = () => {
          appendKnownHost(userFile, name, key, { hashed: policy.hashKnownHosts }).then(
            () => verify(true),
            (error) => {
              refusal = new SshError(node, "config", `cannot record the host key of ${name} in ${userFile}: ${error.message}`);
              verify(false);
            }
          );
        };
        if (policy.acceptNewHostKeys) {
          record();
        } else if (policy.confirmHostKey) {
          policy.confirmHostKey(name, keyType, presented).then(
            (yes) => yes ? record() : refuseUnknown(),
            () => refuseUnknown()
          );
        } else {
          refuseUnknown();
        }
        return;
      }
    }
  };
  return { hostVerifier, serverHostKey: preferredHostKeyAlgorithms(texts.flatMap(({ text }) => knownKeyTypes(text, name))), refusal: () => refusal };
}

// source/remote/ssh-auth.ts
import { readFile as readFile2 } from "node:fs/promises";
import ssh2 from "ssh2";
function planAuth(sources) {
  const plan = { handler: () => false, methodsTried: [], identityFiles: [], identityProblems: [] };
  const username = sources.user;
  const agent = sources.agentSocket === false ? void 0 : sources.agentSocket ?? process.env["SSH_AUTH_SOCK"];
  const candidates = [];
  if (agent) {
    candidates.push({ describe: `agent (${agent})`, auth: { type: "agent", username, agent } });
  }
  for (const file of sources.identityFiles) {
    candidates.push({
      describe: `publickey ${file}`,
      auth: async () => {
        let key;
        try {
          key = await readFile2(file);
        } catch (error) {
          const code = error.code;
          if (code !== "ENOENT" || sources.identityFilesConfigured) {
            plan.identityProblems.push(`${file}: ${code === "ENOENT" ? "no such file" : error.message}`);
          }
          return void 0;
        }
        const parsed = ssh2.utils.parseKey(key, sources.passphrase);
        if (parsed instanceof Error) {
          plan.identityProblems.push(
            `${file}: ${/encrypted|passphrase/i.test(parsed.message) ? "needs a passphrase (load it into ssh-agent)" : parsed.message}`
          );
          return void 0;
        }
        plan.identityFiles.push(file);
        return { type: "publickey", username, key, ...sources.passphrase ? { passphrase: sources.passphrase } : {} };
      }
    });
  }
  let next = 0;
  plan.handler = (_methodsLeft, _partialSuccess, callback) => {
    const tryNext = () => {
      const candidate = candidates[next++];
      if (!candidate) {
        callback(false);
        return;
      }
      if (typeof candidate.auth !== "function") {
        plan.methodsTried.push(candidate.describe);
        callback(candidate.auth);
        return;
      }
      candidate.auth().then(
        (auth) => {
          if (auth) {
            plan.methodsTried.push(candidate.describe);
            callback(auth);
          } else {
            tryNext();
          }
        },
        () => tryNext()
      );
    };
    tryNext();
  };
  return plan;
}

// source/remote/ssh-config.ts
import { readFileSync } from "node:fs";
import { homedir as homedir2, userInfo } from "node:os";
import { join as join2 } from "node:path";

// node_modules/ssh-config/lib/glob.js
function escapeChars(text, chars) {
  for (let char of chars) {
    text = text.replace(new RegExp("\\" + char, "g"), "\\" + char);
  }
  return text;
}
function match(pattern, text) {
  pattern = escapeChars(pattern, "\\()[]{}.+^$|");
  pattern = pattern.replace(/\*/g, ".*").replace(/\?/g, ".?");
  return new RegExp("^(?:" + pattern + ")$").test(text);
}
function glob(patternList, text) {
  const patterns = Array.isArray(patternList) ? patternList : patternList.split(/,/);
  let result = false;
  for (const pattern of patterns) {
    const negate = pattern[0] == "!";
    if (negate && match(pattern.slice(1), text)) {
      return false;
    } else if (match(pattern, text)) {
      result = true;
    }
  }
  return result;
}
var glob_default = glob;

// node_modules/ssh-config/lib/ssh-config.js
import { spawnSync } from "node:child_process";
import os from "node:os";
var RE_SPACE = /\s/;
var RE_LINE_BREAK = /\r|\n/;
var RE_SECTION_DIRECTIVE = /^(Host|Match)$/i;
var RE_MULTI_VALUE_DIRECTIVE = /^(GlobalKnownHostsFile|Host|IPQoS|SendEnv|UserKnownHostsFile|ProxyCommand|KnownHostsCommand|Match|CanonicalDomains|Include)$/i;
var RE_COMMAND_DIRECTIVE = /^(ProxyCommand|KnownHostsCommand)$/i;
var RE_QUOTE_DIRECTIVE = /^(?:CertificateFile|IdentityFile|IdentityAgent|User|Include)$/i;
var RE_SINGLE_LINE_DIRECTIVE = /^(Include|IdentityFile)$/i;
var LineType;
(function(LineType2) {
  LineType2[LineType2["DIRECTIVE"] = 1] = "DIRECTIVE";
  LineType2[LineType2["COMMENT"] = 2] = "COMMENT";
  LineType2[LineType2["EMPTY"] = 3] = "EMPTY";
})(LineType || (LineType = {}));
var REPEATABLE_DIRECTIVES = [
  "IdentityFile",
  "LocalForward",
  "RemoteForward",
  "DynamicForward",
  "CertificateFile"
];
function compare(line, opts) {
  return opts.hasOwnProperty(line.param) && opts[line.param] === line.value;
}
function getIndent(config) {
  for (const line of config) {
    if (line.type === LineType.DIRECTIVE && "config" in line) {
      for (const subline of line.config) {
        if (subline.before) {
          return subline.before;
        }
      }
    }
  }
  return "  ";
}
function match2(criteria, context) {
  const testCriterion = (key, criterion) => {
    switch (key.toLowerCase()) {
      case "all":
        return true;
      case "final":
        if (context.inFinalPass) {
          return true;
        }
        context.doFinalPass = true;
        return false;
      case "exec":
        if (!context.options.matchExec) {
          return false;
        }
        const command = `function main {
          ${criterion}
        }
        main`;
        return spawnSync(command, { shell: true }).status === 0;
      case "host":
        return glob_default(criterion, context.params.HostName);
      case "originalhost":
        return glob_default(criterion, context.params.OriginalHost);
      case "user":
        return glob_default(criterion, context.params.User);
      case "localuser":
        return glob_default(criterion, context.params.LocalUser);
    }
  };
  for (const key in criteria) {
    const criterion = criteria[key];
    const values = Array.isArray(criterion) ? criterion.map(({ val }) => val) : criterion;
    if (!testCriterion(key, values)) {
      return false;
    }
  }
  return true;
}
var SSHConfig = class _SSHConfig extends Array {
  /** shortcut to access {@link LineType.DIRECTIVE} */
  static DIRECTIVE = LineType.DIRECTIVE;
  /** shortcut to access {@link LineType.COMMENT} */
  static COMMENT = LineType.COMMENT;
  /** shortcut to access {@link LineType.EMPTY} */
  static EMPTY = LineType.EMPTY;
  /**
   * Parse SSH config text into structured object.
   */
  static parse(text) {
    return parse(text);
  }
  /**
   * Stringify structured object into SSH config text.
   */
  static stringify(config) {
    return stringify(config);
  }
  compute(opts, computeOpts) {
    if (typeof opts === "string")
      opts = { Host: opts };
    let userInfo2;
    try {
      userInfo2 = os.userInfo();
    } catch {
      userInfo2 = { username: process.env.USER || process.env.USERNAME || "" };
    }
    const context = {
      params: {
        Host: opts.Host,
        HostName: opts.Host,
        OriginalHost: opts.Host,
        User: userInfo2.username,
        LocalUser: userInfo2.username
      },
      options: {
        ignoreCase: computeOpts?.ignoreCase === true,
        matchExec: computeOpts?.matchExec !== false
      },
      inFinalPass: false,
      doFinalPass: false
    };
    const obj = {};
    const setProperty = (name, value) => {
      const key = computeOpts?.ignoreCase ? name.toLowerCase() : name;
      let val;
      if (Array.isArray(value)) {
        if (RE_COMMAND_DIRECTIVE.test(key)) {
          val = value.map(({ val: val2, separator, quoted }) => {
            return `${separator}${quoted ? `"${val2.replace(/"/g, '\\"')}"` : val2}`;
          }).join("").trim();
        } else {
          val = value.map(({ val: val2 }) => val2);
        }
      } else {
        val = value;
      }
      const val0 = Array.isArray(val) ? val[0] : val;
      const isRepeatable = REPEATABLE_DIRECTIVES.some((d) => d.toLowerCase() === name.toLowerCase());
      if (isRepeatable) {
        const list = obj[key] || (obj[key] = []);
        list.push(...[].concat(val));
      } else if (obj[key] == null) {
        if (name === "HostName") {
          context.params.HostName = val0;
        } else if (name === "User") {
          context.params.User = val0;
        }
        obj[key] = val;
      }
    };
    if (opts.User !== void 0) {
      setProperty("User", opts.User);
    }
    const doPass = () => {
      for (const line of this) {
        if (line.type !== LineType.DIRECTIVE)
          continue;
        if (/^host$/i.test(line.param) && glob_default(Array.isArray(line.value) ? line.value.map(({ val }) => val) : line.value, context.params.Host)) {
          let canonicalizeHostName = false;
          let canonicalDomains = [];
          setProperty(line.param, line.value);
          for (const subline of line.config) {
            if (subline.type === LineType.DIRECTIVE) {
              setProperty(subline.param, subline.value);
              if (/^CanonicalizeHostName$/i.test(subline.param) && subline.value === "yes") {
                canonicalizeHostName = true;
              }
              if (/^CanonicalDomains$/i.test(subline.param) && Array.isArray(subline.value)) {
                canonicalDomains = subline.value.map(({ val }) => val);
              }
            }
          }
          if (canonicalDomains.length > 0 && canonicalizeHostName && context.params.Host === context.params.OriginalHost) {
            for (const domain of canonicalDomains) {
              const host = `${context.params.OriginalHost}.${domain}`;
              const { status, stderr } = spawnSync("nslookup", [host]);
              if (status === 0 && !/can't find/.test(stderr.toString())) {
                context.params.Host = host;
                setProperty("Host", host);
                doPass();
                break;
              }
            }
          }
        } else if (/^match$/i.test(line.param) && "criteria" in line && match2(line.criteria, context)) {
          for (const subline of line.config) {
            if (subline.type === LineType.DIRECTIVE) {
              setProperty(subline.param, subline.value);
            }
          }
        } else if (!/^(host|match)$/i.test(line.param)) {
          setProperty(line.param, line.value);
        }
      }
    };
    doPass();
    if (context.doFinalPass) {
      context.inFinalPass = true;
      context.params.Host = context.params.HostName;
      doPass();
    }
    return obj;
  }
  find(opts) {
    if (typeof opts === "function")
      return super.find(opts);
    if (!(opts && ("Host" in opts || "Match" in opts))) {
      throw new Error("Can only find by Host or Match");
    }
    return super.find((line) => "param" in line && compare(line, opts));
  }
  remove(opts) {
    let index;
    if (typeof opts === "function") {
      index = super.findIndex(opts);
    } else if (!(opts && ("Host" in opts || "Match" in opts))) {
      throw new Error("Can only remove by Host or Match");
    } else {
      index = super.findIndex((line) => "param" in line && compare(line, opts));
    }
    if (index >= 0)
      return this.splice(index, 1);
  }
  /**
   * Convert this SSH config to its textual presentation via {@link stringify}.
   */
  toString() {
    return stringify(this);
  }
  /**
   * Append new section to existing SSH config.
   */
  append(opts) {
    const indent = getIndent(this);
    const lastEntry = this.length > 0 ? this[this.length - 1] : null;
    let config = lastEntry && lastEntry.config || this;
    let configWas = this;
    let lastLine = config.length > 0 ? config[config.length - 1] : lastEntry;
    if (lastLine && !lastLine.after)
      lastLine.after = "\n";
    let sectionLineFound = config !== configWas;
    for (const param in opts) {
      const value = opts[param];
      const line = {
        type: LineType.DIRECTIVE,
        param,
        separator: " ",
        value: Array.isArray(value) ? value.map((val, i) => ({ val, separator: i === 0 ? "" : " " })) : value,
        before: sectionLineFound ? indent : indent.replace(/  |\t/, ""),
        after: "\n"
      };
      if (RE_SECTION_DIRECTIVE.test(param)) {
        sectionLineFound = true;
        line.before = indent.replace(/  |\t/, "");
        config = configWas;
        if (lastLine && lastLine.after === "\n")
          lastLine.after += "\n";
        config.push(line);
        config = line.config = new _SSHConfig();
      } else {
        config.push(line);
      }
      lastLine = line;
    }
    return configWas;
  }
  /**
   * Prepend new section to existing SSH config.
   */
  prepend(opts, beforeFirstSection = false) {
    const indent = getIndent(this);
    let config = this;
    let i = 0;
    if (beforeFirstSection) {
      while (i < this.length && !("config" in this[i])) {
        i += 1;
      }
      if (i >= this.length) {
        return this.append(opts);
      }
    }
    let sectionLineFound = false;
    let processedLines = 0;
    for (const param in opts) {
      processedLines += 1;
      const value = opts[param];
      const line = {
        type: LineType.DIRECTIVE,
        param,
        separator: " ",
        value: Array.isArray(value) ? value.map((val, i2) => ({ val, separator: i2 === 0 ? "" : " " })) : value,
        before: "",
        after: "\n"
      };
      if (RE_SECTION_DIRECTIVE.test(param)) {
        line.before = indent.replace(/  |\t/, "");
        config.splice(i, 0, line);
        config = line.config = new _SSHConfig();
        sectionLineFound = true;
        continue;
      }
      if (processedLines === Object.keys(opts).length) {
        line.after += "\n";
      }
      if (!sectionLineFound) {
        config.splice(i, 0, line);
        i += 1;
        if (RE_SINGLE_LINE_DIRECTIVE.test(param)) {
          line.after += "\n";
        }
        continue;
      }
      line.before = indent;
      config.push(line);
    }
    return config;
  }
};
function parse(text) {
  const input = typeof text === "string" ? text : text.toString("utf-8");
  let i = 0;
  let chr = next();
  let config = new SSHConfig();
  let configWas = config;
  function next() {
    return input[i++];
  }
  function space() {
    let spaces = "";
    while (RE_SPACE.test(chr)) {
      spaces += chr;
      chr = next();
    }
    return spaces;
  }
  function linebreak() {
    let breaks = "";
    while (RE_LINE_BREAK.test(chr)) {
      breaks += chr;
      chr = next();
    }
    return breaks;
  }
  function parameter() {
    let param = "";
    while (chr && /[^ \t=]/.test(chr)) {
      param += chr;
      chr = next();
    }
    return param;
  }
  function separator() {
    let sep = space();
    if (chr === "=") {
      sep += chr;
      chr = next();
    }
    return sep + space();
  }
  function value() {
    let val = "";
    let quoted = false;
    let escaped = false;
    while (chr && !RE_LINE_BREAK.test(chr)) {
      if (escaped) {
        val += chr === '"' ? chr : `\\${chr}`;
        escaped = false;
      } else if (chr === '"' && (!val || quoted)) {
        quoted = !quoted;
      } else if (chr === "\\") {
        escaped = true;
      } else if (chr === "#" && !quoted) {
        break;
      } else {
        val += chr;
      }
      chr = next();
    }
    if (quoted || escaped) {
      throw new Error(`Unexpected line break at ${val}`);
    }
    return val.trim();
  }
  function comment() {
    const type = LineType.COMMENT;
    let content = "";
    while (chr && !RE_LINE_BREAK.test(chr)) {
      content += chr;
      chr = next();
    }
    return { type, content, before: "", after: "" };
  }
  function values() {
    const results = [];
    let val = "";
    let valQuoted = false;
    let valSeparator = " ";
    let quoted = false;
    let escaped = false;
    while (chr && !RE_LINE_BREAK.test(chr)) {
      if (escaped) {
        val += chr === '"' ? chr : `\\${chr}`;
        escaped = false;
      } else if (chr === '"') {
        quoted = !quoted;
      } else if (chr === "\\") {
        escaped = true;
      } else if (quoted) {
        val += chr;
        valQuoted = true;
      } else if (/[ \t=]/.test(chr)) {
        if (val) {
          results.push({ val, separator: valSeparator, quoted: valQuoted });
          val = "";
          valQuoted = false;
          valSeparator = chr;
        }
      } else if (chr === "#" && results.length > 0) {
        break;
      } else {
        val += chr;
      }
      chr = next();
    }
    if (quoted || escaped) {
      throw new Error(`Unexpected line break at ${results.map(({ val: val2 }) => val2).concat(val).join(" ")}`);
    }
    if (val)
      results.push({ val, separator: valSeparator, quoted: valQuoted });
    return results.length > 1 ? results : results[0].val;
  }
  function directive() {
    const type = LineType.DIRECTIVE;
    const param = parameter();
    const multiple = RE_MULTI_VALUE_DIRECTIVE.test(param);
    const result = {
      type,
      param,
      separator: separator(),
      quoted: !multiple && chr === '"',
      value: multiple ? values() : value(),
      before: "",
      after: ""
    };
    if (!result.quoted)
      delete result.quoted;
    if (/^Match$/i.test(param)) {
      const criteria = {};
      if (typeof result.value === "string") {
        result.value = [{ val: result.value, separator: "", quoted: result.quoted }];
      }
      let i2 = 0;
      while (i2 < result.value.length) {
        const { val: keyword } = result.value[i2];
        switch (keyword.toLowerCase()) {
          case "all":
          case "canonical":
          case "final":
            criteria[keyword] = [];
            i2 += 1;
            break;
          default:
            if (i2 + 1 >= result.value.length) {
              throw new Error(`Missing value for match criteria ${keyword}`);
            }
            criteria[keyword] = result.value[i2 + 1].val;
            i2 += 2;
            break;
        }
      }
      result.criteria = criteria;
    }
    return result;
  }
  function line() {
    const before = space();
    const node = chr === "#" ? comment() : directive();
    const after = linebreak();
    node.before = before;
    node.after = after;
    return node;
  }
  while (chr) {
    let node = line();
    if (node.type === LineType.DIRECTIVE && RE_SECTION_DIRECTIVE.test(node.param)) {
      config = configWas;
      config.push(node);
      config = node.config = new SSHConfig();
    } else if (node.type === LineType.DIRECTIVE && !node.param) {
      if (config.length === 0) {
        if (configWas.length === 0) {
          configWas.push({ type: LineType.EMPTY, before: "", after: node.before });
        } else {
          configWas[configWas.length - 1].after += node.before;
        }
      } else {
        config[config.length - 1].after += node.before;
      }
    } else {
      config.push(node);
    }
  }
  return configWas;
}
function stringify(config) {
  let str = "";
  function formatValue(value, quoted) {
    if (Array.isArray(value)) {
      let result = "";
      for (const { val, separator, quoted: quoted2 } of value) {
        result += (result ? separator : "") + formatValue(val, quoted2 || RE_SPACE.test(val));
      }
      return result;
    }
    return quoted ? `"${value}"` : value;
  }
  function formatDirective(line) {
    const quoted = line.quoted || RE_QUOTE_DIRECTIVE.test(line.param) && typeof line.value === "string" && RE_SPACE.test(line.value);
    const value = formatValue(line.value, quoted);
    return `${line.param}${line.separator}${value}`;
  }
  const format = (line) => {
    str += line.before;
    if (line.type === LineType.COMMENT) {
      str += line.content;
    } else if (line.type === LineType.DIRECTIVE && REPEATABLE_DIRECTIVES.includes(line.param)) {
      (Array.isArray(line.value) ? line.value : [line.value]).forEach((value, i, values) => {
        str += formatDirective({ ...line, value: typeof value !== "string" ? value.val : value });
        if (i < values.length - 1)
          str += `
${line.before}`;
      });
    } else if (line.type === LineType.DIRECTIVE) {
      str += formatDirective(line);
    }
    str += line.after;
    if ("config" in line) {
      line.config.forEach(format);
    }
  };
  config.forEach(format);
  return str;
}

// source/remote/ssh-config.ts
var DEFAULT_IDENTITY_FILES = ["id_ed25519", "id_ecdsa", "id_rsa"];
function loadSshConfig(source = {}) {
  if (source.file === false) {
    return void 0;
  }
  const file = source.file ?? join2(source.homeDir ?? homedir2(), ".ssh", "config");
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if (error.code === "ENOENT" && source.file === void 0) {
      return void 0;
    }
    throw new UserError(`cannot read ssh config ${file}: ${error.message}`, "check the path given for the ssh config file");
  }
  try {
    return SSHConfig.parse(text);
  } catch (error) {
    throw new UserError(`cannot parse ssh config ${file}: ${error.message}`, "fix the file; `ssh -G HOST` shows how OpenSSH reads it");
  }
}
function first(value) {
  return Array.isArray(value) ? value[0] : value;
}
function all(value) {
  return value === void 0 ? [] : Array.isArray(value) ? value : [value];
}
function parsePort(value, where) {
  if (value === void 0) {
    return void 0;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UserError(`${where}: Port "${value}" is not a port number`, "fix Port in the ssh config (1-65535)");
  }
  return port;
}
function parseJumpHost(spec) {
  const text = spec.replace(/^ssh:\/\//, "");
  const at = text.lastIndexOf("@");
  const user = at >= 0 ? text.slice(0, at) : void 0;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(rest);
  const plain = /^([^:]+)(?::(\d+))?$/.exec(rest);
  const match3 = bracketed ?? plain;
  if (!match3?.[1]) {
    throw new UserError(`ProxyJump "${spec}" is not [user@]host[:port]`, "fix ProxyJump in the ssh config");
  }
  return { host: match3[1], user: user || void 0, port: match3[2] ? Number(match3[2]) : void 0 };
}
function resolveSshHost(request, config, source = {}) {
  const home = source.homeDir ?? homedir2();
  const localUser = source.localUser ?? userInfo().username;
  const computed = config ? config.compute({ Host: request.host, User: request.user }, { ignoreCase: true, matchExec: false }) : {};
  const where = `~/.ssh/config Host ${request.host}`;
  if (first(computed["proxycommand"]) !== void 0 && first(computed["proxycommand"]) !== "none" && request.proxyJump === void 0) {
    throw new UserError(
      `${where}: ProxyCommand is not supported`,
      "use ProxyJump (user@bastion[:port]) for this host instead of ProxyCommand"
    );
  }
  const hostName = (first(computed["hostname"]) ?? request.host).replaceAll("%h", request.host);
  const user = request.user ?? first(computed["user"]) ?? localUser;
  const port = request.port ?? parsePort(first(computed["port"]), where) ?? 22;
  const expand = (path) => path.replace(/^~(?=\/|$)/, home).replaceAll("%d", home).replaceAll("%u", localUser).replaceAll("%r", user).replaceAll("%h", hostName).replaceAll("%%", "%");
  const configured = [...request.identityFile ? [request.identityFile] : [], ...all(computed["identityfile"])].map(expand);
  const identityFiles = configured.length > 0 ? [...new Set(configured)] : DEFAULT_IDENTITY_FILES.map((name) => join2(home, ".ssh", name));
  const jumpSpec = request.proxyJump ?? first(computed["proxyjump"]);
  const proxyJumps = jumpSpec && jumpSpec !== "none" ? jumpSpec.split(",").map((hop) => parseJumpHost(hop.trim())) : [];
  const hostKeyAlias = first(computed["hostkeyalias"]);
  return {
    alias: request.host,
    hostName,
    user,
    port,
    identityFiles,
    identityFilesConfigured: configured.length > 0,
    proxyJumps,
    ...hostKeyAlias ? { hostKeyAlias } : {}
  };
}

// source/remote/sudo-command.ts
import { randomBytes as randomBytes2 } from "node:crypto";
function wrapWithSudo(command, withPassword) {
  const tag = randomBytes2(8).toString("hex");
  const prompt = `[k8s-master-setup sudo ${tag}]`;
  const successMarker = `k8s-master-setup-sudo-ok-${tag}`;
  const flags = withPassword ? `-S -p ${shellQuote(prompt)}` : "-n";
  const inner = `echo ${successMarker}; ${command}`;
  return { command: `sudo ${flags} -- sh -c ${shellQuote(inner)}`, prompt, successMarker };
}

// source/remote/ssh-exec.ts
function openExec(client, node, command) {
  return new Promise((resolve, reject) => {
    try {
      client.exec(command, (error, channel) => error ? reject(connectionLost(node, error.message)) : resolve(channel));
    } catch (error) {
      reject(connectionLost(node, error.message));
    }
  });
}
async function execRaw(client, command, options) {
  const sudo = options.sudo ? wrapWithSudo(command, options.sudoPassword !== void 0) : void 0;
  const channel = await openExec(client, options.node, sudo ? sudo.command : command);
  return new Promise((resolve, reject) => {
    const stdoutChunks = [];
    let stderrText = "";
    let pendingStdout = Buffer.alloc(0);
    let authorised = sudo === void 0;
    let promptsSeen = 0;
    let exitCode;
    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (result instanceof Error) {
        channel.close();
        reject(result);
      } else {
        resolve(result);
      }
    };
    const sendStdin = () => {
      if (options.stdin !== void 0) channel.write(options.stdin);
      channel.end();
    };
    const timer = options.timeoutMs === void 0 ? void 0 : setTimeout(() => {
      finish(new SshError(options.node, "timeout", `command did not finish within ${Math.round(options.timeoutMs / 1e3)}s: ${command.slice(0, 120)}`));
    }, options.timeoutMs);
    channel.on("data", (chunk) => {
      if (authorised) {
        stdoutChunks.push(chunk);
        return;
      }
      pendingStdout = Buffer.concat([pendingStdout, chunk]);
      const marker = Buffer.from(`${sudo.successMarker}
`);
      const at = pendingStdout.indexOf(marker);
      if (at >= 0) {
        authorised = true;
        stdoutChunks.push(pendingStdout.subarray(at + marker.length));
        pendingStdout = Buffer.alloc(0);
        sendStdin();
      }
    });
    channel.stderr.on("data", (chunk) => {
      stderrText += chunk.toString("utf8");
      if (!sudo || authorised || !stderrText.includes(sudo.prompt)) return;
      const prompts = stderrText.split(sudo.prompt).length - 1;
      if (prompts > promptsSeen) {
        promptsSeen = prompts;
        if (promptsSeen > 1) {
          finish(translateSudoFailure(options.node, options.user, "Sorry, try again.", true));
          return;
        }
        channel.write(`${options.sudoPassword ?? ""}
`);
      }
    });
    channel.on("exit", (code, signal) => {
      exitCode = code ?? (signal ? 128 : 255);
    });
    channel.on("close", (code, signal) => {
      if (exitCode === void 0 && (typeof code === "number" || signal)) exitCode = typeof code === "number" ? code : 128;
      const stderr = sudo ? stderrText.split(sudo.prompt).join("") : stderrText;
      if (exitCode === void 0) {
        finish(connectionLost(options.node, `while running: ${command.slice(0, 120)}`));
        return;
      }
      if (!authorised) {
        finish(
          translateSudoFailure(options.node, options.user, stderr, options.sudoPassword !== void 0) ?? new SshError(options.node, "remote-command", `sudo failed (exit ${exitCode}): ${stderr.trim().slice(-500)}`)
        );
        return;
      }
      finish({ code: exitCode, stdout: Buffer.concat(stdoutChunks), stderr: Buffer.from(stderr) });
    });
    options.closed?.then(() => finish(connectionLost(options.node, `while running: ${command.slice(0, 120)}`)));
    if (authorised) sendStdin();
  });
}

// source/remote/ssh-upload.ts
import { randomBytes as randomBytes3 } from "node:crypto";
import { stat } from "node:fs/promises";
import { posix } from "node:path";
var TEMP_SUFFIX = ".k8s-master-setup.tmp.";
function tempPrefixFor(targetPath) {
  return posix.join(posix.dirname(targetPath), `.${posix.basename(targetPath)}${TEMP_SUFFIX}`);
}
var FAST_PUT_CONCURRENCY = 64;
var FAST_PUT_CHUNK = 32 * 1024;
var CONTENT_CHUNK = 256 * 1024;
async function uploadAtomically(context, source, targetPath, options) {
  if (!posix.isAbsolute(targetPath) || targetPath.endsWith("/")) {
    throw new SshError(context.node, "config", `upload target must be an absolute file path, got "${targetPath}"`);
  }
  if (source.localPath === void 0 === (source.content === void 0)) {
    throw new Error("upload needs exactly one of localPath or content");
  }
  const totalBytes = source.content ? source.content.length : (await stat(source.localPath)).size;
  const prefix = tempPrefixFor(targetPath);
  const temp = `${prefix}${randomBytes3(6).toString("hex")}`;
  const q = shellQuote;
  await context.run(
    [
      `mkdir -p -- ${q(posix.dirname(targetPath))}`,
      `rm -f -- ${q(prefix)}*`,
      `(umask 077 && : > ${q(temp)})`,
      ...context.user === "root" ? [] : [`chown -- ${q(context.user)} ${q(temp)}`]
    ].join(" && ")
  );
  try {
    const sftp = await context.sftp();
    const send = (remotePath) => untilClosed(
      source.localPath !== void 0 ? fastPut(sftp, source.localPath, remotePath, totalBytes, options.onProgress) : writeContent(sftp, source.content, remotePath, options.onProgress),
      context
    );
    try {
      await send(temp);
    } catch (error) {
      if (context.user === "root" || !isPermissionDenied(error)) throw error;
      const staged = `${await context.stagingDir()}/${randomBytes3(6).toString("hex")}`;
      try {
        await send(staged);
        await context.run(`cat -- ${q(staged)} > ${q(temp)}`);
      } finally {
        if (context.alive()) await context.run(`rm -f -- ${q(staged)}`).catch(() => void 0);
      }
    }
  } catch (error) {
    if (context.alive()) {
      await context.run(`rm -f -- ${q(temp)}`).catch(() => void 0);
    }
    throw translateSftpError(context, error, temp);
  }
  const mode = (options.mode & 4095).toString(8).padStart(4, "0");
  const owner = options.owner ?? "root:root";
  await context.run(
    `{ chmod ${mode} ${q(temp)} && chown -- ${q(owner)} ${q(temp)} && mv -f -- ${q(temp)} ${q(targetPath)}; } || { rc=$?; rm -f -- ${q(temp)}; exit $rc; }`
  );
}
function untilClosed(transfer, context) {
  return new Promise((resolve, reject) => {
    transfer.then(resolve, reject);
    context.closed.then(() => reject(connectionLost(context.node, "during an upload")));
  });
}
function fastPut(sftp, localPath, remotePath, totalBytes, onProgress) {
  return new Promise((resolve, reject) => {
    sftp.fastPut(
      localPath,
      remotePath,
      {
        concurrency: FAST_PUT_CONCURRENCY,
        chunkSize: FAST_PUT_CHUNK,
        mode: 384,
        ...onProgress ? { step: (sent) => onProgress(sent, totalBytes) } : {}
      },
      (error) => error ? reject(error) : resolve()
    );
  });
}
async function writeContent(sftp, content, remotePath, onProgress) {
  const handle = await new Promise(
    (resolve, reject) => sftp.open(remotePath, "w", 384, (error, h) => error ? reject(error) : resolve(h))
  );
  try {
    for (let offset = 0; offset < content.length; offset += CONTENT_CHUNK) {
      const length = Math.min(CONTENT_CHUNK, content.length - offset);
      await new Promise(
        (resolve, reject) => sftp.write(handle, content, offset, length, offset, (error) => error ? reject(error) : resolve())
      );
      onProgress?.(offset + length, content.length);
    }
    if (content.length === 0) onProgress?.(0, 0);
  } finally {
    await new Promise((resolve) => sftp.close(handle, () => resolve()));
  }
}
function isPermissionDenied(error) {
  return /permission denied/i.test(error?.message ?? "");
}
function translateSftpError(context, error, temp) {
  if (error instanceof SshError) return error;
  const message = error?.message ?? String(error);
  if (!context.alive() || /no response|not connected|closed|ECONNRESET/i.test(message)) {
    return connectionLost(context.node, `during the upload to ${temp}`);
  }
  if (/permission denied/i.test(message)) {
    return new SshError(
      context.node,
      "remote-command",
      `cannot write ${temp} over SFTP as ${context.user}: permission denied`,
      `let ${context.user} traverse the directory (e.g. chmod 0755 on it), or log in as root`
    );
  }
  return new SshError(context.node, "remote-command", `upload to ${temp} failed: ${message}`);
}

// source/remote/tcp-connect.ts
import { connect } from "node:net";
function openTcp(host, port, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`TCP connect to ${host}:${port} timed out after ${timeoutMs} ms`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

// source/remote/ssh-transport.ts
var DEFAULT_READY_TIMEOUT = 2e4;
var PROMPT_READY_TIMEOUT = 10 * 6e4;
async function connectSsh(target, options) {
  const config = loadSshConfig(options.sshConfig);
  const resolved = resolveSshHost(
    { host: target.host, user: target.user, port: target.port, identityFile: target.identityFile, proxyJump: target.proxyJump },
    config,
    options.sshConfig
  );
  const clients = [];
  try {
    let via;
    for (const hop of resolved.proxyJumps) {
      const hopResolved = resolveSshHost({ host: hop.host, user: hop.user, port: hop.port }, config, options.sshConfig);
      const client2 = await connectClient(target.node, hopResolved, options, via);
      clients.push(client2);
      via = { client: client2, name: `${hopResolved.user}@${hopResolved.hostName}:${hopResolved.port}` };
    }
    const client = await connectClient(target.node, resolved, options, via);
    clients.push(client);
    return new SshTransport(target.node, resolved.user, client, clients, options.sudoPassword);
  } catch (error) {
    for (const client of clients.reverse()) client.end();
    throw error;
  }
}
async function connectClient(node, host, options, via) {
  const auth = planAuth({
    user: host.user,
    identityFiles: host.identityFiles,
    identityFilesConfigured: host.identityFilesConfigured,
    agentSocket: options.agentSocket,
    passphrase: options.passphrase
  });
  const attempt = { node, host: host.hostName, port: host.port, user: host.user, ...via ? { via: via.name } : {} };
  const explain = (error) => translateConnectError(error, {
    ...attempt,
    methodsTried: auth.methodsTried,
    identityFiles: auth.identityFiles,
    identityProblems: auth.identityProblems,
    candidateIdentityFiles: host.identityFiles
  });
  const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT;
  const hostKeys = await prepareHostKeyCheck(node, host.hostName, host.port, options.hostKeys, host.hostKeyAlias);
  let sock;
  try {
    sock = via ? await forwardOut(via.client, host.hostName, host.port) : await openTcp(host.hostName, host.port, timeoutMs);
  } catch (error) {
    throw explain(error);
  }
  const client = new ssh22.Client();
  return new Promise((resolve, reject) => {
    let ready = false;
    client.once("ready", () => {
      ready = true;
      resolve(client);
    });
    client.on("error", (error) => {
      if (error.level === "agent" || /^Error signing data/.test(error.message)) {
        auth.identityProblems.push(`${error.level === "agent" ? "agent" : "key"}: ${error.message}`);
        return;
      }
      if (!ready) reject(hostKeys.refusal() ?? explain(error));
    });
    client.once("close", () => {
      if (!ready) reject(hostKeys.refusal() ?? explain(new Error("connection closed during the handshake")));
    });
    client.connect({
      sock,
      username: host.user,
      authHandler: auth.handler,
      hostVerifier: hostKeys.hostVerifier,
      algorithms: { serverHostKey: hostKeys.serverHostKey },
      readyTimeout: options.hostKeys.confirmHostKey ? PROMPT_READY_TIMEOUT : timeoutMs,
      keepaliveInterval: options.keepaliveIntervalMs ?? 15e3,
      keepaliveCountMax: 4
    });
  });
}
function forwardOut(client, host, port) {
  return new Promise((resolve, reject) => {
    client.forwardOut("127.0.0.1", 0, host, port, (error, channel) => {
      if (error) {
        reject(Object.assign(new Error(`the bastion could not connect to ${host}:${port}: ${error.message}`), { code: "ECONNREFUSED" }));
      } else {
        resolve(channel);
      }
    });
  });
}
var SshTransport = class {
  constructor(node, user, client, clients, sudoPassword) {
    this.node = node;
    this.user = user;
    this.client = client;
    this.clients = clients;
    this.sudoPassword = sudoPassword;
    let markClosed = () => {
    };
    this.#closedEvent = new Promise((resolve) => markClosed = resolve);
    client.on("close", () => {
      markClosed();
      this.#lost ??= this.#closed ? "closed by us" : "closed by the server or the network";
      this.#sftp = void 0;
    });
    client.on("error", (error) => {
      this.#lost ??= error.message;
    });
  }
  node;
  user;
  client;
  clients;
  sudoPassword;
  #closed = false;
  #lost;
  #sftp;
  #closedEvent;
  #ensureUp() {
    if (this.#lost !== void 0 || this.#closed) {
      throw connectionLost(this.node, this.#lost ?? "closed");
    }
  }
  async #execRaw(command, options = {}) {
    this.#ensureUp();
    const sudo = (options.sudo ?? true) && this.user !== "root";
    return execRaw(this.client, command, {
      node: this.node,
      user: this.user,
      sudo,
      closed: this.#closedEvent,
      ...this.sudoPassword !== void 0 ? { sudoPassword: this.sudoPassword } : {},
      ...options.stdin !== void 0 ? { stdin: options.stdin } : {},
      ...options.timeoutMs !== void 0 ? { timeoutMs: options.timeoutMs } : {}
    });
  }
  async exec(command, options = {}) {
    const result = await this.#execRaw(command, options);
    return { code: result.code, stdout: result.stdout.toString("utf8"), stderr: result.stderr.toString("utf8") };
  }
  /** Runs as root; a non-zero exit becomes an error with the stderr tail. */
  async #mustRun(command) {
    const result = await this.#execRaw(command);
    if (result.code !== 0) {
      const stderr = result.stderr.toString("utf8").trim();
      throw new SshError(this.node, "remote-command", `command failed (exit ${result.code}): ${command.slice(0, 200)}${stderr ? `
${stderr.slice(-1e3)}` : ""}`);
    }
    return result.stdout;
  }
  async sha256(paths) {
    const hashes = /* @__PURE__ */ new Map();
    if (paths.length === 0) return hashes;
    const stdout = await this.#mustRun(
      `for p in ${paths.map((p) => shellQuote(p)).join(" ")}; do if [ -f "$p" ]; then sha256sum < "$p" | cut -c1-64 || echo -; else echo -; fi; done`
    );
    const lines = stdout.toString("utf8").split("\n");
    for (const [index, path] of paths.entries()) {
      const line = lines[index]?.trim();
      hashes.set(path, line && /^[0-9a-f]{64}$/.test(line) ? line : void 0);
    }
    return hashes;
  }
  async readFile(path) {
    const q = shellQuote(path);
    const result = await this.#execRaw(`if [ -f ${q} ]; then exec cat -- ${q}; else exit 3; fi`);
    if (result.code === 3) return void 0;
    if (result.code !== 0) {
      throw new SshError(this.node, "remote-command", `cannot read ${path} (exit ${result.code}): ${result.stderr.toString("utf8").trim().slice(-500)}`);
    }
    return result.stdout;
  }
  async upload(source, targetPath, options) {
    this.#ensureUp();
    await uploadAtomically(
      {
        node: this.node,
        user: this.user,
        sftp: () => this.#openSftp(),
        run: async (command) => {
          await this.#mustRun(command);
        },
        stagingDir: () => this.#stagingDir(),
        alive: () => this.#lost === void 0 && !this.#closed,
        closed: this.#closedEvent
      },
      source,
      targetPath,
      options
    );
  }
  #staging;
  #stagingDir() {
    this.#staging ??= this.exec("mktemp -d /tmp/k8s-master-setup.XXXXXXXX", { sudo: false }).then((result) => {
      const dir = result.stdout.trim();
      if (result.code !== 0 || !dir.startsWith("/tmp/")) {
        this.#staging = void 0;
        throw new SshError(this.node, "remote-command", `cannot make a staging directory in /tmp as ${this.user}: ${result.stderr.trim()}`);
      }
      return dir;
    });
    return this.#staging;
  }
  #openSftp() {
    this.#ensureUp();
    this.#sftp ??= new Promise((resolve, reject) => {
      this.client.sftp((error, sftp) => {
        if (error) {
          this.#sftp = void 0;
          reject(connectionLost(this.node, `cannot open SFTP: ${error.message}`));
          return;
        }
        sftp.on("close", () => {
          this.#sftp = void 0;
        });
        resolve(sftp);
      });
    });
    return this.#sftp;
  }
  forward(host, port) {
    this.#ensureUp();
    return forwardOut(this.client, host, port);
  }
  async close() {
    if (this.#closed) return;
    if (this.#staging && this.#lost === void 0) {
      const dir = await this.#staging.catch(() => void 0);
      if (dir) await this.exec(`rm -rf -- ${shellQuote(dir)}`, { sudo: false }).catch(() => void 0);
    }
    this.#closed = true;
    for (const client of [...this.clients].reverse()) {
      await new Promise((resolve) => {
        if (client._sock?.destroyed) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          client.destroy();
          resolve();
        }, 5e3);
        client.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
        client.end();
      });
    }
  }
};
export {
  connectSsh
};
