import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  DEFAULT_CERT_WARNING_DAYS,
  buildReport,
  buildViewModel,
  certificateFromPeer,
  certificateFromPem,
  daysLeft,
  renderPlainTable
} from "./chunk-YVDGSXWT.mjs";
import {
  SERVICES,
  absentLease,
  connectNode,
  httpsGet,
  leaseStatusFromJson,
  unknownLease
} from "./chunk-ZSJ4F473.mjs";
import {
  loadProfileFromOptions
} from "./chunk-4LFZN2DI.mjs";
import {
  defaultStateDir
} from "./chunk-HKQRD4NF.mjs";
import "./chunk-YKOJHRDD.mjs";
import "./chunk-LWPWZUCJ.mjs";
import "./chunk-ETB6MRI6.mjs";
import {
  UserError
} from "./chunk-PFGUMKWO.mjs";
import "./chunk-WDUICG2E.mjs";
import "./chunk-YOTFHUOA.mjs";

// source/status/probes.ts
import https from "node:https";

// source/status/node-script.ts
var UNIT_PROPERTIES = [
  "Id",
  "LoadState",
  "ActiveState",
  "SubState",
  "Result",
  "NRestarts",
  "StateChangeTimestamp",
  "ActiveEnterTimestamp",
  "ExecMainStartTimestamp"
];
function shellQuote(value) {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
function buildNodeProbeCommand(paths, include = {}) {
  const props = UNIT_PROPERTIES.join(",");
  const units = SERVICES.join(" ");
  const cert = shellQuote(paths.certDir);
  const conf = shellQuote(paths.configDir);
  const script = [
    `echo '### hostname'`,
    `hostname`,
    `echo '### systemd'`,
    // --timestamp=unix (systemd >= 248) gives "@1700000000"; older systemd prints local time.
    `systemctl show --timestamp=unix -p ${props} ${units} 2>/dev/null || systemctl show -p ${props} ${units}`,
    ...include.certificates === false ? [] : certificateLines(cert, conf),
    `echo '### end'`
  ].join("\n");
  return `sh -c ${shellQuote(script)}`;
}
function certificateLines(cert, conf) {
  return [
    `echo '### certificates'`,
    `for f in ${cert}/*.pem ${cert}/*.crt; do [ -f "$f" ] || continue; case "$f" in *-key.pem|*.key) continue;; esac; echo "## file $f"; awk '/-----BEGIN CERTIFICATE-----/{p=1} p{print} /-----END CERTIFICATE-----/{p=0}' "$f"; done`,
    `for f in ${conf}/*.kubeconfig; do [ -f "$f" ] || continue; echo "## kubeconfig $f"; sed -n 's/^[[:space:]]*client-certificate-data:[[:space:]]*//p' "$f"; done`
  ];
}
function parseNodeProbeOutput(stdout, now) {
  const sections = splitSections(stdout);
  const hostname = sections.get("hostname")?.trim().split("\n")[0]?.trim() || null;
  const units = parseSystemctlShow(sections.get("systemd") ?? "");
  const certSection = sections.get("certificates");
  const certificates = certSection === void 0 ? void 0 : parseCertificateSection(certSection, now);
  return { hostname, units, certificates, complete: sections.has("end") };
}
function splitSections(stdout) {
  const out = /* @__PURE__ */ new Map();
  let current;
  let lines = [];
  for (const line of stdout.split("\n")) {
    const m = /^### (\w+)$/.exec(line);
    if (m) {
      if (current !== void 0) out.set(current, lines.join("\n"));
      current = m[1];
      lines = [];
    } else if (current !== void 0) lines.push(line);
  }
  if (current !== void 0) out.set(current, lines.join("\n"));
  return out;
}
function parseSystemctlShow(text) {
  const result = Object.fromEntries(SERVICES.map((s) => [s, null]));
  for (const block of text.split(/\n\s*\n/)) {
    const props = /* @__PURE__ */ new Map();
    for (const line of block.split("\n")) {
      const eq = line.indexOf("=");
      if (eq > 0) props.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
    }
    const id = props.get("Id")?.replace(/\.service$/, "");
    if (!id || !SERVICES.includes(id)) continue;
    const restarts = Number.parseInt(props.get("NRestarts") ?? "", 10);
    result[id] = {
      unit: id,
      loadState: props.get("LoadState") || "unknown",
      activeState: props.get("ActiveState") || "unknown",
      subState: props.get("SubState") || "unknown",
      result: props.get("Result") || null,
      nRestarts: Number.isFinite(restarts) ? restarts : null,
      since: parseSystemdTimestamp(props.get("StateChangeTimestamp")) ?? parseSystemdTimestamp(props.get("ActiveEnterTimestamp")),
      mainStartedAt: parseSystemdTimestamp(props.get("ExecMainStartTimestamp"))
    };
  }
  return result;
}
function parseSystemdTimestamp(value) {
  if (!value || value === "n/a" || value === "0") return null;
  const unix = /^@(\d+)$/.exec(value);
  if (unix) {
    const seconds = Number(unix[1]);
    return seconds > 0 ? new Date(seconds * 1e3).toISOString() : null;
  }
  const m = /^(?:\w{3} )?(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?: (UTC|GMT|[+-]\d{2}:?\d{2}))?$/.exec(value);
  if (!m) return null;
  const zone = m[3] === void 0 || m[3] === "UTC" || m[3] === "GMT" ? "Z" : m[3];
  const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}
function parseCertificateSection(text, now) {
  const certs = [];
  const parts = text.split(/^## /m).slice(1);
  for (const part of parts) {
    const nl = part.indexOf("\n");
    const header = nl === -1 ? part : part.slice(0, nl);
    const body = nl === -1 ? "" : part.slice(nl + 1);
    const m = /^(file|kubeconfig) (.+)$/.exec(header.trim());
    if (!m) continue;
    if (m[1] === "file") {
      const c = certificateFromPem(body, m[2], "file", now);
      if (c) certs.push(c);
    } else {
      const data = body.trim().split("\n")[0]?.trim();
      if (!data) continue;
      const pem = Buffer.from(data, "base64").toString("utf8");
      const c = certificateFromPem(pem, `${m[2]} (client)`, "kubeconfig", now);
      if (c) certs.push(c);
    }
  }
  return certs;
}

// source/status/readyz.ts
var LINE = /^\[([+-])\]([^\s]+)\s+(ok|failed|excluded)(?::\s*(.*))?$/;
function parseReadyzVerbose(body) {
  const checks = [];
  for (const raw of body.split(/\r?\n/)) {
    const m = LINE.exec(raw.trim());
    if (!m) continue;
    const ok = m[1] === "+";
    const reason = m[4]?.trim() || null;
    checks.push({ name: m[2], ok, reason: ok ? null : reason });
  }
  return {
    checks,
    failingChecks: checks.filter((c) => !c.ok).map((c) => ({ name: c.name, reason: c.reason }))
  };
}

// source/status/probes.ts
var DEFAULT_PORTS = { apiserver: 6443, controllerManager: 10257, scheduler: 10259 };
var LEASE_NAMES = { controllerManager: "kube-controller-manager", scheduler: "kube-scheduler" };
var DEFAULT_PROBE_TIMEOUT_MS = 3e3;
function createStatusProber(options) {
  const { profile } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const endpoint = options.endpoint ?? ((node, component) => ({ host: node.ip, port: DEFAULT_PORTS[component] }));
  const baseUrl = (node, component) => {
    const e = endpoint(node, component);
    return `https://${e.host.includes(":") ? `[${e.host}]` : e.host}:${e.port}`;
  };
  const apiAgent = new https.Agent({ keepAlive: true, ca: options.admin.caPem, cert: options.admin.certPem, key: options.admin.keyPem });
  const componentAgent = new https.Agent({ keepAlive: true, ca: options.admin.caPem });
  const fullCommand = buildNodeProbeCommand(profile.paths);
  const lightCommand = buildNodeProbeCommand(profile.paths, { certificates: false });
  const certEveryMs = options.certificateFilesEveryMs ?? 6e4;
  const certCache = /* @__PURE__ */ new Map();
  const sshInFlight = /* @__PURE__ */ new Map();
  async function probeSsh(node, conn, at) {
    if (conn === void 0) return { ssh: { state: "unreachable", detail: "no connection was opened to this node", durationMs: 0 }, output: void 0 };
    if (conn instanceof Error) return { ssh: { state: "unreachable", detail: conn.message, durationMs: 0 }, output: void 0 };
    if (sshInFlight.has(node.name)) {
      return { ssh: { state: "timeout", detail: "the previous probe on this node has not returned yet", durationMs: 0 }, output: void 0 };
    }
    const started = performance.now();
    const cached = certCache.get(node.name);
    const fresh = cached !== void 0 && certEveryMs > 0 && at - cached.at < certEveryMs;
    const exec = conn.exec(fresh ? lightCommand : fullCommand, { sudo: true, timeoutMs });
    const tracked = exec.then(
      () => void 0,
      () => void 0
    );
    sshInFlight.set(node.name, tracked);
    void tracked.finally(() => {
      if (sshInFlight.get(node.name) === tracked) sshInFlight.delete(node.name);
    });
    const outcome = await withDeadline(exec, timeoutMs);
    const durationMs = Math.round(performance.now() - started);
    if (outcome.kind === "timeout") return { ssh: { state: "timeout", detail: `no answer over SSH within ${timeoutMs} ms`, durationMs }, output: void 0 };
    if (outcome.kind === "error") return { ssh: { state: "error", detail: errorText(outcome.error), durationMs }, output: void 0 };
    const result = outcome.value;
    const output = parseNodeProbeOutput(result.stdout, at);
    if (result.code !== 0 && !output.complete) {
      const why = result.stderr.trim().split("\n")[0] || `exit code ${result.code}`;
      return { ssh: { state: "error", detail: why, durationMs }, output: void 0 };
    }
    if (output.certificates !== void 0) certCache.set(node.name, { at, pems: output.certificates });
    else if (cached) output.certificates = cached.pems.map((c) => ({ ...c, daysLeft: daysLeft(Date.parse(c.notAfter), at) }));
    return { ssh: { state: "ok", detail: null, durationMs }, output };
  }
  async function fetchLease(node, name) {
    const url = `${baseUrl(node, "apiserver")}/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`;
    return { result: await httpsGet(url, { agent: apiAgent, timeoutMs }), node: node.name };
  }
  async function probe(connections) {
    const at = now();
    const started = performance.now();
    const perNode = profile.nodes.map((node) => {
      const api = baseUrl(node, "apiserver");
      const get = (url, agent) => httpsGet(url, { agent, timeoutMs });
      const readyz = get(`${api}/readyz?verbose`, apiAgent);
      return {
        node,
        readyz,
        all: Promise.all([
          probeSsh(node, connections.get(node.name), at),
          get(`${api}/livez`, apiAgent),
          readyz,
          get(`${api}/version`, apiAgent),
          get(`${baseUrl(node, "controllerManager")}/healthz`, componentAgent),
          get(`${baseUrl(node, "scheduler")}/healthz`, componentAgent)
        ])
      };
    });
    const readyNodes = perNode.map(({ node, readyz }) => readyz.then((r) => r.state === "ok" ? node : Promise.reject(new Error("not ready"))));
    const leaseReads = (async () => {
      const tried = /* @__PURE__ */ new Set();
      const attempt = async (node) => {
        tried.add(node.name);
        const [cm, sched] = await Promise.all([fetchLease(node, LEASE_NAMES.controllerManager), fetchLease(node, LEASE_NAMES.scheduler)]);
        return { cm, sched };
      };
      const good = (r) => r.state === "ok" || r.httpStatus === 404;
      let first;
      try {
        first = await Promise.any(readyNodes);
      } catch {
        return void 0;
      }
      let reads2 = await attempt(first);
      if (good(reads2.cm.result) && good(reads2.sched.result)) return reads2;
      const settled = await Promise.allSettled(readyNodes);
      for (const s of settled) {
        if (s.status !== "fulfilled" || tried.has(s.value.name)) continue;
        const next = await attempt(s.value);
        if (good(next.cm.result) && good(next.sched.result)) return next;
        reads2 = next;
      }
      return reads2;
    })();
    const nodes = await Promise.all(
      perNode.map(async ({ node, all }) => {
        const [sshResult, livez, readyz, version, cm, sched] = await all;
        const { ssh, output } = sshResult;
        const parsed = parseReadyzVerbose(readyz.body);
        const readyzProbe = toProbe(readyz);
        if (readyz.state === "failed" && parsed.failingChecks.length > 0) {
          readyzProbe.detail = `failing: ${parsed.failingChecks.map((c) => c.name).join(", ")}`;
        }
        const served = [];
        const api = baseUrl(node, "apiserver");
        pushServed(served, livez.peerCertificate ?? readyz.peerCertificate ?? version.peerCertificate, api, at);
        pushServed(served, cm.peerCertificate, baseUrl(node, "controllerManager"), at);
        pushServed(served, sched.peerCertificate, baseUrl(node, "scheduler"), at);
        return {
          name: node.name,
          ip: node.ip,
          reachable: ssh.state === "ok",
          hostname: output?.hostname ?? null,
          ssh,
          units: output?.units ?? { "kube-apiserver": null, "kube-controller-manager": null, "kube-scheduler": null },
          apiserver: {
            livez: toProbe(livez),
            readyz: readyzProbe,
            failingChecks: parsed.failingChecks,
            version: version.state === "ok" ? gitVersion(version.body) : null
          },
          controllerManager: { healthz: toProbe(cm) },
          scheduler: { healthz: toProbe(sched) },
          certificates: [...output?.certificates ?? [], ...served]
        };
      })
    );
    const reads = await leaseReads;
    const leaseNodes = nodes.map((n) => ({ name: n.name, hostname: n.hostname }));
    const leaseFrom = (name, read) => {
      if (read === void 0) return unknownLease(name, "no kube-apiserver is ready to read it from");
      const { result, node } = read;
      if (result.httpStatus === 404) return absentLease(name, node, "the Lease does not exist");
      if (result.state !== "ok") return unknownLease(name, result.detail ?? result.state, node);
      try {
        return leaseStatusFromJson(name, JSON.parse(result.body), leaseNodes, now(), node);
      } catch {
        return unknownLease(name, "the apiserver answered with something that is not JSON", node);
      }
    };
    return {
      schemaVersion: 1,
      profile: profile.name,
      timestamp: new Date(at).toISOString(),
      durationMs: Math.round(performance.now() - started),
      nodes,
      leases: {
        controllerManager: leaseFrom(LEASE_NAMES.controllerManager, reads?.cm),
        scheduler: leaseFrom(LEASE_NAMES.scheduler, reads?.sched)
      }
    };
  }
  return {
    probe,
    close() {
      apiAgent.destroy();
      componentAgent.destroy();
    }
  };
}
function toProbe(r) {
  return { state: r.state, httpStatus: r.httpStatus, detail: r.detail, durationMs: r.durationMs };
}
function pushServed(list, peer, source, at) {
  const c = certificateFromPeer(peer, source, at);
  if (c) list.push(c);
}
function gitVersion(body) {
  try {
    const v = JSON.parse(body).gitVersion;
    return typeof v === "string" ? v : null;
  } catch {
    return null;
  }
}
function withDeadline(promise, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: "timeout" }), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ kind: "value", value });
      },
      (error) => {
        clearTimeout(timer);
        resolve({ kind: "error", error });
      }
    );
  });
}
function errorText(error) {
  return error instanceof Error ? error.message : String(error);
}

// source/status/journal.ts
function journalCommand(unit, lines = 30) {
  return `journalctl -u ${unit} -n ${lines} --no-pager`;
}
async function journalTail(transport, unit, options = {}) {
  const timeoutMs = options.timeoutMs ?? 5e3;
  const outcome = await withDeadline(transport.exec(journalCommand(unit, options.lines), { sudo: true, timeoutMs }), timeoutMs);
  if (outcome.kind === "timeout") throw new Error(`journalctl gave no answer within ${timeoutMs} ms`);
  if (outcome.kind === "error") throw outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
  const { code, stdout, stderr } = outcome.value;
  if (code !== 0 && stdout.trim() === "") throw new Error(stderr.trim().split("\n")[0] || `journalctl exited with ${code}`);
  return stdout;
}
function journalFromConnections(connections) {
  return async (node, unit) => {
    const conn = connections().get(node);
    if (conn === void 0) throw new Error(`no connection to ${node}`);
    if (conn instanceof Error) throw new Error(`${node} is unreachable over SSH: ${conn.message}`);
    return journalTail(conn, unit);
  };
}

// source/status/command.ts
var EXIT_INVALID_INPUT = 3;
var RECONNECT_EVERY_MS = 1e4;
async function runStatusCommand(options) {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const intervalMs = options.intervalMs ?? 2e3;
  const certWarningDays = options.certWarningDays ?? DEFAULT_CERT_WARNING_DAYS;
  const invalid = validate(intervalMs, certWarningDays, options.probeTimeoutMs);
  if (invalid) {
    stderr.write(`error: ${invalid}
`);
    return EXIT_INVALID_INPUT;
  }
  const connections = new Map(await options.connect(options.profile));
  const prober = createStatusProber({ profile: options.profile, admin: options.admin, timeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS });
  const reconnector = createReconnector(options.profile, connections, options.connect);
  const refresh = async () => {
    reconnector.maybeReconnect();
    const snapshot = await prober.probe(connections);
    reconnector.observe(snapshot);
    return snapshot;
  };
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  options.signal?.addEventListener("abort", onSignal, { once: true });
  try {
    const tty = options.isTTY ?? Boolean(process.stdout.isTTY && process.stdin.isTTY);
    if (!options.json && tty) {
      const dashboard = options.dashboard ?? (await import("./dashboard-IZPI2TXP.mjs")).runStatusDashboard;
      return await dashboard({ refresh, journal: journalFromConnections(() => connections), intervalMs, certWarningDays });
    }
    const emit = (snapshot) => {
      if (options.json) {
        const report = buildReport(snapshot, { certWarningDays });
        stdout.write(`${JSON.stringify(report)}
`);
        return report.health.exitCode;
      }
      const view = buildViewModel(snapshot, { certWarningDays });
      stdout.write(renderPlainTable(view));
      return view.exitCode;
    };
    if (!options.watch) return emit(await refresh());
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    let code = 2;
    while (!stop.signal.aborted) {
      const started = Date.now();
      code = emit(await refresh());
      if (!options.json) stdout.write("\n");
      await sleep(Math.max(0, intervalMs - (Date.now() - started)), stop.signal);
    }
    return code;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    options.signal?.removeEventListener("abort", onSignal);
    prober.close();
    await reconnector.settle();
    await closeAll(connections);
  }
}
function validate(intervalMs, certWarningDays, probeTimeoutMs) {
  if (!Number.isFinite(intervalMs) || intervalMs < 250) return `--interval must be at least 0.25 s (got ${intervalMs} ms)`;
  if (!Number.isInteger(certWarningDays) || certWarningDays < 0) return `--cert-warning-days must be a whole number of days >= 0 (got ${certWarningDays})`;
  if (probeTimeoutMs !== void 0 && (!Number.isFinite(probeTimeoutMs) || probeTimeoutMs < 100)) return `--probe-timeout must be at least 100 ms (got ${probeTimeoutMs})`;
  return void 0;
}
function createReconnector(profile, connections, connect) {
  let lastAttempt = Date.now();
  let pending;
  const broken = /* @__PURE__ */ new Set();
  for (const [node, conn] of connections) if (conn instanceof Error) broken.add(node);
  return {
    observe(snapshot) {
      for (const n of snapshot.nodes) if (n.ssh.state === "error" || n.ssh.state === "unreachable") broken.add(n.name);
    },
    maybeReconnect() {
      if (pending || broken.size === 0 || Date.now() - lastAttempt < RECONNECT_EVERY_MS) return;
      lastAttempt = Date.now();
      const nodes = profile.nodes.filter((n) => broken.has(n.name));
      pending = (async () => {
        for (const n of nodes) {
          const old = connections.get(n.name);
          if (old && !(old instanceof Error)) await old.close().catch(() => void 0);
        }
        try {
          const fresh = await connect({ ...profile, nodes });
          for (const [name, conn] of fresh) {
            connections.set(name, conn);
            if (!(conn instanceof Error)) broken.delete(name);
          }
        } catch (e) {
          for (const n of nodes) connections.set(n.name, e instanceof Error ? e : new Error(String(e)));
        }
      })().finally(() => {
        pending = void 0;
      });
    },
    async settle() {
      await pending;
    }
  };
}
async function closeAll(connections) {
  await Promise.allSettled(
    [...connections.values()].map(
      (c) => c instanceof Error ? void 0 : Promise.race([c.close(), new Promise((r) => setTimeout(r, 2e3).unref())])
    )
  );
}
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

// source/cli/shared/admin-credentials.ts
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
function readAdminCredentials(profile, stateDir) {
  const caPath = profile.pki.caCert ?? join(stateDir, "ca.pem");
  const certPath = join(stateDir, "admin.pem");
  const keyPath = join(stateDir, "admin-key.pem");
  for (const path of [caPath, certPath, keyPath]) {
    if (!existsSync(path)) {
      throw new UserError(
        `${path} does not exist: this profile has not been applied or rendered with this state directory`,
        "run `k8s-master-setup apply` for the profile first, or pass the --state-dir it used",
        3
      );
    }
  }
  return { caPem: readFileSync(caPath, "utf8"), certPem: readFileSync(certPath, "utf8"), keyPem: readFileSync(keyPath, "utf8") };
}

// source/cli/commands/status-action.ts
async function runStatus(options) {
  let profile;
  try {
    profile = await loadProfileFromOptions(options);
  } catch (error) {
    if (error instanceof UserError) throw new UserError(error.message, error.hint, 3);
    throw error;
  }
  const stateDir = options.stateDir ?? defaultStateDir(profile.name);
  return runStatusCommand({
    profile,
    stateDir,
    json: Boolean(options.json),
    watch: Boolean(options.watch),
    intervalMs: options.interval * 1e3,
    certWarningDays: options.certWarningDays,
    probeTimeoutMs: options.probeTimeout * 1e3,
    admin: readAdminCredentials(profile, stateDir),
    // Status never accepts new host keys: it only looks at nodes apply already trusted.
    connect: async (p) => new Map(
      await Promise.all(
        p.nodes.map(async (node) => [node.name, await connectNode(p, node, options).catch((e) => e)])
      )
    )
  });
}
export {
  runStatus
};
