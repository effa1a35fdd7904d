import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  clock,
  percent
} from "./chunk-NOBSWQDE.mjs";
import "./chunk-LWPWZUCJ.mjs";
import {
  STEP_NAMES
} from "./chunk-ETB6MRI6.mjs";
import "./chunk-YOTFHUOA.mjs";

// source/ui/plain-reporter.ts
function createPlainReporter(write) {
  let nodeWidth = 8;
  const stepWidth = Math.max(...STEP_NAMES.map((s) => s.length));
  const lastQuarter = /* @__PURE__ */ new Map();
  const lastMessage = /* @__PURE__ */ new Map();
  const line = (node, step, what, rest = "") => write(`${node.padEnd(nodeWidth)}  ${step.padEnd(stepWidth)}  ${rest ? `${what.padEnd(9)}  ${rest}` : what}`.trimEnd() + "\n");
  const indent = () => " ".repeat(nodeWidth + 2 + stepWidth + 2);
  return (event) => {
    switch (event.type) {
      case "run-started":
        nodeWidth = Math.max(nodeWidth, ...event.nodes.map((n) => n.length));
        write(`${event.dryRun ? "dry run" : "run"}: ${event.nodes.length} node${event.nodes.length === 1 ? "" : "s"} (${event.nodes.join(", ")}), steps ${event.steps.join(" ")}
`);
        return;
      case "step-started":
        lastQuarter.delete(`${event.node}/${event.step}`);
        lastMessage.delete(`${event.node}/${event.step}`);
        line(event.node, event.step, "started");
        return;
      case "step-progress": {
        const key = `${event.node}/${event.step}`;
        const pct = percent(event.bytes, event.totalBytes);
        if (pct !== void 0) {
          const quarter = Math.floor(pct / 25);
          if (quarter > (lastQuarter.get(key) ?? 0)) {
            lastQuarter.set(key, quarter);
            line(event.node, event.step, "progress", `${pct}%${event.message ? `  ${event.message}` : ""}`);
          }
        } else if (event.message !== void 0 && event.message !== lastMessage.get(key)) {
          lastMessage.set(key, event.message);
          line(event.node, event.step, "progress", event.message);
        }
        return;
      }
      case "log":
        line(event.node, event.step ?? "", "|", event.line);
        return;
      case "step-unchanged":
        line(event.node, event.step, "unchanged", seconds(event.durationMs));
        return;
      case "step-done":
        line(event.node, event.step, "done", seconds(event.durationMs) + (event.changed.length > 0 ? `  changed ${event.changed.join(", ")}` : ""));
        return;
      case "step-skipped":
        line(event.node, event.step, "skipped", event.reason);
        return;
      case "step-failed": {
        line(event.node, event.step, "failed", `${seconds(event.durationMs)}  ${event.cause}`);
        if (event.hint) write(`${indent()}hint: ${event.hint}
`);
        if (event.detail) {
          for (const l of event.detail.split("\n").filter((x) => x.length > 0)) write(`${indent()}| ${l}
`);
        }
        return;
      }
      case "plan-change": {
        const c = event.change;
        line(event.node, event.step, "would", c.kind === "restart" ? `restart ${c.service} (${c.reason})` : `${c.kind} ${c.path} (${c.mode})`);
        return;
      }
      case "run-finished":
        write(
          event.ok ? `finished in ${clock(event.durationMs)}: all nodes ok
` : `finished in ${clock(event.durationMs)}: failed on ${event.failedNodes.join(", ")}
`
        );
        return;
      default:
        return;
    }
  };
}
function seconds(ms) {
  return `${(ms / 1e3).toFixed(1)}s`.padStart(6);
}
export {
  createPlainReporter
};
