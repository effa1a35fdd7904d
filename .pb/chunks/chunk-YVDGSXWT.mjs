import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);

// source/status/certificates.ts
import { X509Certificate } from "node:crypto";
var DAY_MS = 864e5;
function daysLeft(notAfterMs, now) {
  return Math.floor((notAfterMs - now) / DAY_MS);
}
function firstPemCertificate(pem) {
  const m = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  return m?.[0];
}
function certificateFromPem(pem, source, kind, now) {
  const block = firstPemCertificate(pem);
  if (block === void 0) return void 0;
  try {
    const cert = new X509Certificate(block);
    return fromValidTo(cert.validTo, subjectLine(cert.subject), source, kind, now);
  } catch {
    return void 0;
  }
}
function certificateFromPeer(peer, source, now) {
  if (!peer?.valid_to) return void 0;
  const cn = peer.subject?.CN;
  return fromValidTo(peer.valid_to, cn === void 0 ? null : `CN=${Array.isArray(cn) ? cn.join("+") : cn}`, source, "served", now);
}
function fromValidTo(validTo, subject, source, kind, now) {
  const ms = Date.parse(validTo);
  if (!Number.isFinite(ms)) return void 0;
  return { source, kind, subject, notAfter: new Date(ms).toISOString(), daysLeft: daysLeft(ms, now) };
}
function subjectLine(subject) {
  return subject.split("\n").filter(Boolean).join(", ");
}
function nearestExpiry(certs) {
  let nearest;
  for (const c of certs) if (nearest === void 0 || c.daysLeft < nearest.daysLeft) nearest = c;
  return nearest;
}

// source/status/health.ts
var COMPONENTS = ["apiserver", "controllerManager", "scheduler"];
var COMPONENT_UNIT = {
  apiserver: "kube-apiserver",
  controllerManager: "kube-controller-manager",
  scheduler: "kube-scheduler"
};
var DEFAULT_CERT_WARNING_DAYS = 30;
var RECENT_RESTART_MS = 10 * 6e4;
var SEVERITY_RANK = { down: 0, failed: 1, degraded: 2, warning: 3 };
function assessSnapshot(snapshot, options = {}) {
  const certWarningDays = options.certWarningDays ?? DEFAULT_CERT_WARNING_DAYS;
  const now = options.now ?? Date.parse(snapshot.timestamp);
  const problems = [];
  const add = (p) => problems.push({ ...p, order: problems.length });
  const cells = /* @__PURE__ */ new Map();
  for (const node of snapshot.nodes) {
    const row = {};
    for (const component of COMPONENTS) {
      const cell = assessCell(node, component, now);
      row[component] = cell;
      if (cell.state === "ok" || cell.state === "unreachable") continue;
      add({
        severity: cell.state === "failed" ? "failed" : "degraded",
        node: node.name,
        component,
        message: `${node.name}: ${COMPONENT_UNIT[component]} ${cell.reason}`,
        hint: cell.hint
      });
    }
    cells.set(node.name, row);
    if (isUnreachable(node)) {
      add({
        severity: "failed",
        node: node.name,
        component: "ssh",
        message: `${node.name}: unreachable (SSH: ${node.ssh.detail ?? node.ssh.state}; no HTTPS answer on any port)`,
        hint: `check that ${node.ip} is up and reachable: \`ssh ${node.ip}\`, \`ping ${node.ip}\``
      });
    } else if (node.ssh.state !== "ok") {
      add({
        severity: "degraded",
        node: node.name,
        component: "ssh",
        message: `${node.name}: SSH ${node.ssh.state} (${node.ssh.detail ?? "no detail"}); systemd state and certificate files unknown`,
        hint: `check sshd and sudo on ${node.ip}: \`ssh ${node.ip} sudo -n true\``
      });
    }
    const nearest = nearestExpiry(node.certificates);
    if (nearest && nearest.daysLeft < certWarningDays) {
      const soon = node.certificates.filter((c) => c.daysLeft < certWarningDays).length;
      const expired = nearest.daysLeft < 0;
      add({
        severity: expired ? "failed" : "warning",
        node: node.name,
        component: "certificates",
        message: `${node.name}: ${nearest.source} ${expired ? `expired ${-nearest.daysLeft} days ago` : `expires in ${nearest.daysLeft} days`}${soon > 1 ? ` (${soon} certificates below ${certWarningDays} days)` : ""}`,
        hint: 'renew: re-issue the certificates from the kept CA and roll the services with `k8s-master-setup apply` (readme: "Renewing certificates")'
      });
    }
  }
  const ready = snapshot.nodes.filter((n) => n.apiserver.readyz.state === "ok");
  if (snapshot.nodes.length > 0 && ready.length === 0) {
    add({
      severity: "down",
      node: null,
      component: "apiserver",
      message: "no kube-apiserver is ready: the control plane does not serve",
      hint: firstApiserverHint(snapshot.nodes)
    });
  }
  for (const lease of [snapshot.leases.controllerManager, snapshot.leases.scheduler]) {
    const p = leaseProblem(lease, ready.length > 0, snapshot.nodes);
    if (p) add(p);
  }
  problems.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.order - b.order);
  const sorted = problems.map(({ order: _order, ...p }) => p);
  const status = sorted.some((p) => p.severity === "down") ? "down" : sorted.length > 0 ? "degraded" : "healthy";
  return {
    status,
    exitCode: status === "down" ? 2 : status === "degraded" ? 1 : 0,
    certWarningDays,
    problems: sorted,
    cells
  };
}
function isUnreachable(node) {
  if (node.ssh.state === "ok") return false;
  const silent = (p) => p.state === "timeout" || p.state === "error";
  return [node.apiserver.livez, node.apiserver.readyz, node.controllerManager.healthz, node.scheduler.healthz].every(silent);
}
function assessCell(node, component, now) {
  if (isUnreachable(node)) return { state: "unreachable", reason: "node unreachable", hint: `check that ${node.ip} is up` };
  const unitName = COMPONENT_UNIT[component];
  const unit = node.units[unitName];
  const journal = `look at \`journalctl -u ${unitName} -n 50\` on ${node.ip}`;
  if (unit) {
    const fromUnit = assessUnit(unit, journal, node.ip, now);
    if (fromUnit) return fromUnit;
  }
  const http = component === "apiserver" ? assessApiserverHttp(node, journal) : assessHealthz(node[component].healthz, component, journal, node.ip);
  if (http.state !== "ok") return http;
  if (unit && unit.nRestarts !== null && unit.nRestarts > 0 && unit.since !== null && now - Date.parse(unit.since) < RECENT_RESTART_MS) {
    return { state: "degraded", reason: `restarted recently (NRestarts=${unit.nRestarts}, up since ${unit.since})`, hint: journal };
  }
  return { state: "ok", reason: "", hint: "" };
}
function assessUnit(unit, journal, ip, _now) {
  const restarts = unit.nRestarts === null ? "" : `, NRestarts=${unit.nRestarts}`;
  if (unit.loadState === "not-found") {
    return { state: "failed", reason: "is not installed (no systemd unit)", hint: `apply the profile again: \`k8s-master-setup apply\` (unit missing on ${ip})` };
  }
  switch (unit.activeState) {
    case "active":
    case "reloading":
      return void 0;
    case "failed":
      return { state: "failed", reason: `failed (ActiveState=failed${unit.result ? `, Result=${unit.result}` : ""}${restarts})`, hint: journal };
    case "inactive":
      return { state: "failed", reason: `stopped (ActiveState=inactive, SubState=${unit.subState})`, hint: `start it with \`systemctl start ${unit.unit}\` on ${ip}; ${journal}` };
    case "activating":
      return {
        state: "failed",
        reason: unit.subState === "auto-restart" ? `is crash-looping (SubState=auto-restart${restarts})` : `is starting (SubState=${unit.subState}${restarts})`,
        hint: journal
      };
    case "deactivating":
      return { state: "degraded", reason: `is stopping (SubState=${unit.subState})`, hint: journal };
    default:
      return { state: "unknown", reason: `has ActiveState=${unit.activeState}`, hint: journal };
  }
}
function assessApiserverHttp(node, journal) {
  const { livez, readyz, failingChecks } = node.apiserver;
  if (livez.state === "untrusted" || readyz.state === "untrusted") {
    return untrusted(":6443", (livez.state === "untrusted" ? livez : readyz).detail, node.ip);
  }
  if (livez.state !== "ok") return { state: "failed", reason: `/livez ${describe(livez)}`, hint: journal };
  if (readyz.state === "ok") return { state: "ok", reason: "", hint: "" };
  if (readyz.state === "failed" && failingChecks.length > 0) {
    const names = failingChecks.map((c) => c.reason ? `${c.name} (${c.reason})` : c.name).join(", ");
    const etcd = failingChecks.some((c) => c.name === "etcd" || c.name.startsWith("etcd"));
    return {
      state: "degraded",
      reason: `not ready: failing ${names}`,
      hint: etcd ? `etcd is failing: check the etcd endpoints answer from ${node.ip} (\`etcdctl endpoint health\`); ${journal}` : journal
    };
  }
  return { state: "degraded", reason: `not ready: /readyz ${describe(readyz)}`, hint: journal };
}
function assessHealthz(probe, component, journal, ip) {
  const port = component === "controllerManager" ? ":10257" : ":10259";
  if (probe.state === "ok") return { state: "ok", reason: "", hint: "" };
  if (probe.state === "untrusted") return untrusted(port, probe.detail, ip);
  return { state: "failed", reason: `${port}/healthz ${describe(probe)}`, hint: journal };
}
function untrusted(port, detail, ip) {
  return {
    state: "degraded",
    reason: `${port} serves a certificate the cluster CA does not verify (${detail ?? "untrusted"})`,
    hint: `re-issue it from the cluster CA with ${ip} among its SANs: \`k8s-master-setup apply\``
  };
}
function describe(p) {
  if (p.state === "timeout") return "timed out";
  if (p.state === "failed") return `answered HTTP ${p.httpStatus ?? "?"}`;
  return `${p.state}${p.detail ? ` (${p.detail})` : ""}`;
}
function firstApiserverHint(nodes) {
  const etcdFailing = nodes.some((n) => n.apiserver.failingChecks.some((c) => c.name.startsWith("etcd")));
  const first = nodes.find((n) => !isUnreachable(n)) ?? nodes[0];
  return etcdFailing ? `the apiservers report etcd failing: check etcd first (\`etcdctl endpoint health\`), then \`journalctl -u kube-apiserver -n 50\` on ${first.ip}` : `look at \`journalctl -u kube-apiserver -n 50\` on ${first.ip}`;
}
function leaseProblem(lease, anyReady, nodes) {
  const unit = lease.name;
  const hintNodes = nodes.map((n) => n.ip).join(", ");
  switch (lease.state) {
    case "held":
      if (lease.holderNode === null) {
        return {
          severity: "warning",
          node: null,
          component: "lease",
          message: `${unit} Lease is held by ${lease.holderIdentity}, which is not a node of this profile`,
          hint: `another ${unit} elects against this cluster; find it by hostname ${lease.holderIdentity?.split("_")[0] ?? ""}`
        };
      }
      return void 0;
    case "expired":
      return {
        severity: "down",
        node: null,
        component: "lease",
        message: `no ${unit} leads: the Lease held by ${lease.holderIdentity} expired (renewed ${lease.renewTime ?? "never"})`,
        hint: `look at \`journalctl -u ${unit} -n 50\` on ${hintNodes}`
      };
    case "absent":
      return {
        severity: "down",
        node: null,
        component: "lease",
        message: `no ${unit} Lease holder${lease.detail ? ` (${lease.detail})` : ""}`,
        hint: `no ${unit} has been elected: look at \`journalctl -u ${unit} -n 50\` on ${hintNodes}`
      };
    case "unknown":
      if (!anyReady) return void 0;
      return {
        severity: "degraded",
        node: lease.readFrom,
        component: "lease",
        message: `${unit} Lease could not be read (${lease.detail ?? "no detail"})`,
        hint: "check that the admin credentials may read leases in kube-system"
      };
  }
}

// source/status/plain-table.ts
var LEADER_MARK = "\u2605";
function cellText(cell) {
  return cell.leader ? `${cell.state} ${LEADER_MARK}` : cell.state;
}
function certText(row) {
  if (row.certDaysLeft === null) return "-";
  const mark = row.certState === "warning" || row.certState === "expired" ? "!" : "";
  return `${row.certDaysLeft}d${mark}`;
}
function renderPlainTable(view) {
  const header = ["NODE", "ADDRESS", ...view.columns.map((c) => c.label), "CERTS", "VERSION", "RESTARTS"];
  const body = view.rows.map((row) => [
    row.node,
    row.ip,
    ...row.cells.map(cellText),
    certText(row),
    row.version ?? "-",
    row.restarts === null ? "-" : String(row.restarts)
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const out = [
    `profile ${view.profile}  ${view.timestamp}  ${view.status.toUpperCase()} (exit ${view.exitCode})  ${view.durationMs} ms`,
    line(header),
    ...body.map(line)
  ];
  if (view.problems.length === 0) out.push("", "no problems");
  else {
    out.push("", `${view.problems.length} problem${view.problems.length === 1 ? "" : "s"}, worst first:`);
    for (const p of view.problems) out.push(`  [${p.severity}] ${p.message}`, `      \u2192 ${p.hint}`);
  }
  out.push(`${LEADER_MARK} holds the Lease; certs: days to the nearest expiry (! below the warning threshold)`);
  return `${out.join("\n")}
`;
}

// source/status/view-model.ts
var COMPONENT_LABELS = { apiserver: "APISERVER", controllerManager: "CTRL-MGR", scheduler: "SCHEDULER" };
function buildViewModel(snapshot, options = {}) {
  const health = assessSnapshot(snapshot, options);
  const leaderOf = (component) => {
    if (component === "apiserver") return null;
    const lease = snapshot.leases[component];
    return lease.state === "held" ? lease.holderNode : null;
  };
  const rows = snapshot.nodes.map((node) => {
    const assessed = health.cells.get(node.name);
    const nearest = nearestExpiry(node.certificates);
    const restartCounts = Object.values(node.units).map((u) => u?.nRestarts ?? null);
    return {
      node: node.name,
      ip: node.ip,
      unreachable: isUnreachable(node),
      cells: COMPONENTS.map((component) => ({
        component,
        state: assessed[component].state,
        leader: leaderOf(component) === node.name,
        reason: assessed[component].reason,
        hint: assessed[component].hint
      })),
      certDaysLeft: nearest?.daysLeft ?? null,
      certSource: nearest?.source ?? null,
      certState: nearest === void 0 ? "unknown" : nearest.daysLeft < 0 ? "expired" : nearest.daysLeft < health.certWarningDays ? "warning" : "ok",
      version: node.apiserver.version,
      restarts: restartCounts.every((r) => r === null) ? null : restartCounts.reduce((sum, r) => sum + (r ?? 0), 0)
    };
  });
  const worst = health.problems[0];
  return {
    profile: snapshot.profile,
    timestamp: snapshot.timestamp,
    durationMs: snapshot.durationMs,
    status: health.status,
    exitCode: health.exitCode,
    columns: COMPONENTS.map((component) => ({ component, label: COMPONENT_LABELS[component] })),
    rows,
    banner: worst ? { severity: worst.severity, message: worst.message, hint: worst.hint, more: health.problems.length - 1 } : null,
    problems: health.problems,
    leases: { controllerManager: leaderOf("controllerManager"), scheduler: leaderOf("scheduler") }
  };
}
function buildReport(snapshot, options = {}) {
  const { cells: _cells, ...health } = assessSnapshot(snapshot, options);
  return { ...snapshot, health };
}

export {
  daysLeft,
  certificateFromPem,
  certificateFromPeer,
  COMPONENT_UNIT,
  DEFAULT_CERT_WARNING_DAYS,
  LEADER_MARK,
  certText,
  renderPlainTable,
  buildViewModel,
  buildReport
};
