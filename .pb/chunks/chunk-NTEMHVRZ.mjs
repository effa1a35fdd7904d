import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  percent,
  shortDuration
} from "./chunk-NOBSWQDE.mjs";

// source/ui/grid-layout.ts
var STEP_HEADER = {
  connect: "conn",
  preflight: "pre",
  binaries: "bin",
  certificates: "cert",
  configs: "conf",
  apiserver: "api",
  "controller-manager": "cm",
  scheduler: "sched",
  verify: "verify"
};
var CELL_WIDTH = 6;
var ROW_MARK_WIDTH = 2;
var MIN_NODE_WIDTH = 4;
var MAX_NODE_WIDTH = 24;
function headerOf(step) {
  return STEP_HEADER[step] ?? step.slice(0, CELL_WIDTH);
}
function nodeColumnWidth(nodes, steps, columns) {
  const longest = Math.max(MIN_NODE_WIDTH, ...nodes.map((n) => n.length));
  const available = columns - 1 - ROW_MARK_WIDTH - steps * (CELL_WIDTH + 1);
  return Math.max(MIN_NODE_WIDTH, Math.min(longest, MAX_NODE_WIDTH, available));
}
var SPINNER_FRAMES = ["\u280B", "\u2819", "\u2839", "\u2838", "\u283C", "\u2834", "\u2826", "\u2827", "\u2807", "\u280F"];
function cellText(cell, spinnerFrame) {
  switch (cell.status) {
    case "pending":
      return "\xB7";
    case "running": {
      const spin = SPINNER_FRAMES[spinnerFrame % SPINNER_FRAMES.length] ?? "*";
      const pct = percent(cell.bytes, cell.totalBytes);
      return pct === void 0 ? spin : `${spin} ${pct}%`;
    }
    case "done":
      return `\u2713 ${shortDuration(cell.durationMs)}`;
    case "unchanged":
      return "=";
    case "skipped":
      return "-";
    case "failed":
      return "\u2717";
  }
}

export {
  CELL_WIDTH,
  ROW_MARK_WIDTH,
  headerOf,
  nodeColumnWidth,
  SPINNER_FRAMES,
  cellText
};
