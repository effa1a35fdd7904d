import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  CELL_WIDTH,
  ROW_MARK_WIDTH,
  cellText,
  headerOf,
  nodeColumnWidth
} from "./chunk-NTEMHVRZ.mjs";
import {
  ColorProvider,
  Tone,
  colorsEnabled
} from "./chunk-THVV5L26.mjs";
import {
  Box_default,
  Text,
  render_default,
  require_jsx_runtime,
  require_react,
  use_input_default,
  use_stdout_default
} from "./chunk-ZAMMVMRO.mjs";
import {
  clock,
  humanBytes,
  padEnd,
  percent,
  shortDuration,
  truncate
} from "./chunk-NOBSWQDE.mjs";
import "./chunk-LWPWZUCJ.mjs";
import {
  STEP_NAMES
} from "./chunk-ETB6MRI6.mjs";
import {
  __toESM
} from "./chunk-YOTFHUOA.mjs";

// source/ui/grid-state.ts
var LOG_TAIL_LINES = 20;
function initialGridState(nodes = [], steps = STEP_NAMES) {
  return {
    nodes: [...nodes],
    steps: [...steps],
    cells: Object.fromEntries(nodes.map((n) => [n, {}])),
    lastLine: {},
    logTail: {},
    finished: false,
    failedNodes: [],
    dryRun: false,
    plannedChanges: {}
  };
}
function cellOf(state, node, step) {
  return state.cells[node]?.[step] ?? PENDING;
}
var PENDING = { status: "pending" };
function isFinishedCell(cell) {
  return cell.status === "done" || cell.status === "unchanged" || cell.status === "skipped" || cell.status === "failed";
}
function progressOf(state) {
  let finished = 0;
  let failed = 0;
  let running = 0;
  for (const node of state.nodes) {
    for (const step of state.steps) {
      const cell = cellOf(state, node, step);
      if (isFinishedCell(cell)) finished++;
      if (cell.status === "failed") failed++;
      if (cell.status === "running") running++;
    }
  }
  return { finished, total: state.nodes.length * state.steps.length, failed, running };
}
function withNode(state, node) {
  if (state.nodes.includes(node)) return state;
  return { ...state, nodes: [...state.nodes, node], cells: { ...state.cells, [node]: {} } };
}
function withStep(state, step) {
  if (state.steps.includes(step)) return state;
  const steps = [...state.steps, step].sort((a, b) => STEP_NAMES.indexOf(a) - STEP_NAMES.indexOf(b));
  return { ...state, steps };
}
function setCell(state, node, step, cell) {
  const s = withStep(withNode(state, node), step);
  return { ...s, cells: { ...s.cells, [node]: { ...s.cells[node], [step]: cell } } };
}
function failedNodesOf(state) {
  return state.nodes.filter((n) => state.steps.some((s) => cellOf(state, n, s).status === "failed"));
}
function appendLog(state, node, step, line) {
  const next = { ...state, lastLine: { ...state.lastLine, [node]: line } };
  if (step === void 0) return next;
  const tail = state.logTail[node]?.[step] ?? [];
  const lines = tail.length >= LOG_TAIL_LINES ? [...tail.slice(tail.length - LOG_TAIL_LINES + 1), line] : [...tail, line];
  return { ...next, logTail: { ...state.logTail, [node]: { ...state.logTail[node], [step]: lines } } };
}
function reduceGrid(state, event) {
  const stamped = { ...state, lastEventAt: event.at };
  switch (event.type) {
    case "run-started": {
      let s = {
        ...stamped,
        startedAt: state.startedAt ?? event.at,
        finished: false,
        ok: void 0,
        durationMs: void 0,
        dryRun: event.dryRun
      };
      for (const step of event.steps) s = withStep(s, step);
      for (const node of event.nodes) {
        s = withNode(s, node);
        s = { ...s, cells: { ...s.cells, [node]: {} } };
      }
      return { ...s, failedNodes: failedNodesOf(s) };
    }
    case "step-started": {
      const s = setCell(stamped, event.node, event.step, { status: "running", startedAt: event.at });
      return { ...s, finished: false, failedNodes: failedNodesOf(s) };
    }
    case "step-progress": {
      const prev = cellOf(stamped, event.node, event.step);
      const base = prev.status === "running" ? prev : { status: "running", startedAt: event.at };
      const cell = {
        ...base,
        ...event.bytes !== void 0 ? { bytes: event.bytes } : {},
        ...event.totalBytes !== void 0 ? { totalBytes: event.totalBytes } : {},
        ...event.message !== void 0 ? { message: event.message } : {}
      };
      const s = setCell(stamped, event.node, event.step, cell);
      return event.message !== void 0 ? { ...s, lastLine: { ...s.lastLine, [event.node]: `${event.step}: ${event.message}` } } : s;
    }
    case "log":
      return appendLog(withNode(stamped, event.node), event.node, event.step, event.line);
    case "step-unchanged":
      return setCell(stamped, event.node, event.step, { status: "unchanged", durationMs: event.durationMs });
    case "step-done":
      return setCell(stamped, event.node, event.step, { status: "done", durationMs: event.durationMs, changed: event.changed.length });
    case "step-skipped":
      return setCell(stamped, event.node, event.step, { status: "skipped", reason: event.reason });
    case "step-failed": {
      const cell = {
        status: "failed",
        durationMs: event.durationMs,
        cause: event.cause,
        ...event.hint !== void 0 ? { hint: event.hint } : {},
        ...event.detail !== void 0 ? { detail: event.detail } : {}
      };
      const s = setCell(stamped, event.node, event.step, cell);
      return { ...s, failedNodes: failedNodesOf(s), lastLine: { ...s.lastLine, [event.node]: `${event.step}: ${event.cause}` } };
    }
    case "plan-change": {
      const s = withNode(stamped, event.node);
      const what = event.change.kind === "restart" ? `would restart ${event.change.service}` : `would ${event.change.kind} ${event.change.path}`;
      return {
        ...s,
        plannedChanges: { ...s.plannedChanges, [event.node]: (s.plannedChanges[event.node] ?? 0) + 1 },
        lastLine: { ...s.lastLine, [event.node]: `${event.step}: ${what}` }
      };
    }
    case "run-finished":
      return { ...stamped, finished: true, ok: event.ok, durationMs: event.durationMs, failedNodes: [...event.failedNodes] };
    default: {
      return state;
    }
  }
}

// source/ui/grid-store.ts
var GridStore = class {
  current;
  listeners = /* @__PURE__ */ new Set();
  version = 0;
  ended = false;
  error = void 0;
  constructor(initial = initialGridState()) {
    this.current = initial;
  }
  push = (event) => {
    this.current = reduceGrid(this.current, event);
    this.version++;
    this.emit();
  };
  end(error) {
    this.ended = true;
    this.error = error;
    this.version++;
    this.emit();
  }
  get snapshot() {
    return this.current;
  }
  get revision() {
    return this.version;
  }
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit() {
    for (const l of this.listeners) l();
  }
};

// source/ui/live-grid.tsx
var import_react2 = __toESM(require_react(), 1);

// source/ui/grid.tsx
var import_react = __toESM(require_react(), 1);

// source/ui/grid-details.tsx
var import_jsx_runtime = __toESM(require_jsx_runtime(), 1);
var DETAIL_LINES = 15;
function GridDetails({ state, node, step, columns, quitting, profileName }) {
  const cell = cellOf(state, node, step);
  const line = (s) => truncate(s, columns - 1);
  const log = state.logTail[node]?.[step] ?? [];
  let status;
  switch (cell.status) {
    case "pending":
      status = "pending";
      break;
    case "running": {
      const pct = percent(cell.bytes, cell.totalBytes);
      status = `running${cell.message ? `: ${cell.message}` : ""}${pct !== void 0 && cell.bytes !== void 0 ? ` (${humanBytes(cell.bytes)} of ${humanBytes(cell.totalBytes ?? 0)}, ${pct}%)` : ""}`;
      break;
    }
    case "done":
      status = `done in ${shortDuration(cell.durationMs)}${cell.changed > 0 ? `, ${cell.changed} change${cell.changed === 1 ? "" : "s"}` : ""}`;
      break;
    case "unchanged":
      status = "unchanged: already as planned";
      break;
    case "skipped":
      status = `skipped: ${cell.reason}`;
      break;
    case "failed":
      status = `failed after ${shortDuration(cell.durationMs)}`;
      break;
  }
  const detail = cell.status === "failed" && cell.detail ? cell.detail.split("\n").filter((l) => l.length > 0).slice(-DETAIL_LINES) : [];
  return /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Box_default, { flexDirection: "column", children: [
    /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Text, { wrap: "truncate", children: /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Tone, { tone: "accent", bold: true, children: line(`${node} \xB7 ${step} (${headerOf(step)})`) }) }),
    /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Text, { wrap: "truncate", children: /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Tone, { tone: cell.status === "failed" ? "bad" : cell.status === "done" ? "ok" : "plain", children: line(status) }) }),
    cell.status === "failed" ? /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(import_jsx_runtime.Fragment, { children: [
      /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Text, { wrap: "truncate", children: line(`cause: ${cell.cause}`) }),
      cell.hint ? /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Text, { wrap: "truncate", children: /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Tone, { tone: "warn", children: line(`hint: ${cell.hint}`) }) }) : null,
      detail.length > 0 ? /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Box_default, { flexDirection: "column", marginTop: 1, children: [
        /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Tone, { tone: "dim", children: "output / journal tail:" }),
        detail.map((l, i) => /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Text, { wrap: "truncate", children: line(`  \u2502 ${l}`) }, i))
      ] }) : null
    ] }) : null,
    log.length > 0 ? /* @__PURE__ */ (0, import_jsx_runtime.jsxs)(Box_default, { flexDirection: "column", marginTop: 1, children: [
      /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Tone, { tone: "dim", children: "log:" }),
      log.slice(-DETAIL_LINES).map((l, i) => /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Text, { wrap: "truncate", children: line(`  \u2502 ${l}`) }, i))
    ] }) : null,
    /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Box_default, { marginTop: 1, children: /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Text, { wrap: "truncate", children: /* @__PURE__ */ (0, import_jsx_runtime.jsx)(Tone, { tone: "dim", children: line(quitting ? `stopping\u2026 run \`k8s-master-setup apply --profile ${profileName}\` again to resume` : `esc back${cell.status === "failed" ? ` \xB7 r retry ${node}` : ""} \xB7 q stop`) }) }) })
  ] });
}

// source/ui/grid.tsx
var import_jsx_runtime2 = __toESM(require_jsx_runtime(), 1);
var TONE = {
  pending: "dim",
  running: "warn",
  done: "ok",
  unchanged: "dim",
  skipped: "dim",
  failed: "bad"
};
function Grid({ state, view, columns, elapsedMs, spinnerFrame, profileName }) {
  const width = Math.max(40, columns);
  if (view.mode === "details") {
    const node = state.nodes[view.row];
    const step = state.steps[view.col];
    if (node !== void 0 && step !== void 0) {
      return /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(GridDetails, { state, node, step, columns: width, quitting: view.quitting, profileName });
    }
  }
  const nodeWidth = nodeColumnWidth(state.nodes, state.steps.length, width);
  return /* @__PURE__ */ (0, import_jsx_runtime2.jsxs)(Box_default, { flexDirection: "column", children: [
    /* @__PURE__ */ (0, import_jsx_runtime2.jsxs)(Text, { wrap: "truncate", children: [
      " ".repeat(ROW_MARK_WIDTH),
      padEnd("node", nodeWidth),
      state.steps.map((step, c) => /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: c === view.col ? "accent" : "dim", bold: c === view.col, children: " " + padEnd(headerOf(step), CELL_WIDTH) }, step))
    ] }),
    state.nodes.map((node, r) => {
      const cells = state.cells[node];
      const running = state.steps.some((step) => cells?.[step]?.status === "running");
      return /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(
        GridRow,
        {
          node,
          cells,
          steps: state.steps,
          nodeWidth,
          selectedCol: r === view.row ? view.col : -1,
          failed: state.failedNodes.includes(node),
          spinnerFrame: running ? spinnerFrame : 0
        },
        node
      );
    }),
    /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(GridFooter, { state, view, columns: width, elapsedMs, profileName })
  ] });
}
var GridRow = import_react.default.memo(function GridRow2({ node, cells, steps, nodeWidth, selectedCol, failed, spinnerFrame }) {
  const selected = selectedCol >= 0;
  return /* @__PURE__ */ (0, import_jsx_runtime2.jsxs)(Text, { wrap: "truncate", children: [
    /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: failed ? "bad" : selected ? "accent" : "plain", bold: selected, children: (selected ? "\u203A " : "  ") + padEnd(node, nodeWidth) }),
    steps.map((step, c) => {
      const cell = cells?.[step] ?? PENDING2;
      const here = c === selectedCol;
      return /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: TONE[cell.status], inverse: here, children: (here ? ">" : " ") + padEnd(cellText(cell, spinnerFrame), CELL_WIDTH) }, step);
    })
  ] });
});
var PENDING2 = { status: "pending" };
function resumeCommand(profileName) {
  return `k8s-master-setup apply --profile ${profileName}`;
}
function GridFooter({ state, view, columns, elapsedMs, profileName }) {
  const p = progressOf(state);
  const line = (s) => truncate(s, columns - 1);
  const node = state.nodes[view.row];
  const last = node === void 0 ? "" : state.lastLine[node] ?? "";
  const status = state.finished ? state.ok ? `done in ${clock(state.durationMs ?? elapsedMs)}: all ${state.nodes.length} nodes ok` : `finished in ${clock(state.durationMs ?? elapsedMs)}: ${state.failedNodes.length} failed (${state.failedNodes.join(", ")})` : `elapsed ${clock(elapsedMs)}`;
  const dry = state.dryRun ? " \xB7 dry run" : "";
  return /* @__PURE__ */ (0, import_jsx_runtime2.jsxs)(Box_default, { flexDirection: "column", marginTop: 1, children: [
    /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Text, { wrap: "truncate", children: /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: p.failed > 0 ? "bad" : state.finished ? "ok" : "plain", children: line(`${p.finished}/${p.total} steps${p.failed > 0 ? ` \xB7 ${p.failed} failed` : ""} \xB7 ${status}${dry}`) }) }),
    /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Text, { wrap: "truncate", children: /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: "dim", children: line(node === void 0 ? "waiting for the run to start\u2026" : `${node}: ${last || "\u2014"}`) }) }),
    view.quitting ? /* @__PURE__ */ (0, import_jsx_runtime2.jsxs)(import_jsx_runtime2.Fragment, { children: [
      /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: "warn", children: line("stopping safely: in-flight files finish or are discarded whole\u2026") }),
      /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Text, { wrap: "truncate", children: line(`run \`${resumeCommand(profileName)}\` again to resume`) })
    ] }) : /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Text, { wrap: "truncate", children: /* @__PURE__ */ (0, import_jsx_runtime2.jsx)(Tone, { tone: "dim", children: line(view.notice ?? `\u2191\u2193\u2190\u2192 select \xB7 enter details${state.failedNodes.length > 0 ? " \xB7 r retry node" : ""} \xB7 q stop`) }) })
  ] });
}

// source/ui/grid-keys.ts
var initialGridView = { row: 0, col: 0, mode: "grid", quitting: false };
function keyOf(input, key) {
  if (key.upArrow || input === "k") return "up";
  if (key.downArrow || input === "j") return "down";
  if (key.leftArrow || input === "h") return "left";
  if (key.rightArrow || input === "l") return "right";
  if (key.return) return "enter";
  if (key.escape) return "escape";
  if (input === "r") return "retry";
  if (input === "q" || key.ctrl && input === "c") return "quit";
  return "other";
}
var clamp = (v, max) => Math.max(0, Math.min(v, Math.max(0, max)));
function reduceGridView(view, key, grid) {
  const rows = grid.nodes.length;
  const cols = grid.steps.length;
  const v = { ...view, row: clamp(view.row, rows - 1), col: clamp(view.col, cols - 1), notice: void 0 };
  if (key === "quit") {
    if (view.quitting) return { view: v };
    return { view: { ...v, quitting: true, mode: "grid" }, command: { type: "quit" } };
  }
  if (v.mode === "details") {
    if (key === "escape" || key === "enter") return { view: { ...v, mode: "grid" } };
    if (key === "retry") return retry(v, grid);
    return { view: v };
  }
  switch (key) {
    case "up":
      return { view: { ...v, row: clamp(v.row - 1, rows - 1) } };
    case "down":
      return { view: { ...v, row: clamp(v.row + 1, rows - 1) } };
    case "left":
      return { view: { ...v, col: clamp(v.col - 1, cols - 1) } };
    case "right":
      return { view: { ...v, col: clamp(v.col + 1, cols - 1) } };
    case "enter":
      return rows > 0 && cols > 0 ? { view: { ...v, mode: "details" } } : { view: v };
    case "retry":
      return retry(v, grid);
    default:
      return { view: v };
  }
}
function retry(v, grid) {
  const node = grid.nodes[v.row];
  if (node === void 0) return { view: v };
  if (v.quitting) return { view: { ...v, notice: "stopping: no retries" } };
  const failed = grid.steps.some((s) => cellOf(grid, node, s).status === "failed");
  if (!failed) return { view: { ...v, notice: `${node} has no failed step to retry` } };
  return { view: { ...v, mode: "grid", notice: `retrying ${node}\u2026` }, command: { type: "retry", node } };
}

// source/ui/live-grid.tsx
var import_jsx_runtime3 = __toESM(require_jsx_runtime(), 1);
function LiveGrid({ store, profileName, onRetry, onQuit, onExit, exitWhenDone = true, flushMs = 50, tickMs = 100, now = Date.now, columns }) {
  const { stdout } = use_stdout_default();
  const [snapshot, setSnapshot] = (0, import_react2.useState)(() => ({ state: store.snapshot, revision: store.revision }));
  const [view, setView] = (0, import_react2.useState)(initialGridView);
  const [, setTick] = (0, import_react2.useState)(0);
  const [quitSettled, setQuitSettled] = (0, import_react2.useState)(false);
  const viewRef = (0, import_react2.useRef)(view);
  viewRef.current = view;
  const exited = (0, import_react2.useRef)(false);
  const exit = (0, import_react2.useCallback)(
    (result) => {
      if (exited.current) return;
      exited.current = true;
      onExit(result);
    },
    [onExit]
  );
  const lastRender = (0, import_react2.useRef)(0);
  (0, import_react2.useEffect)(() => {
    let timer;
    const flush = () => {
      timer = void 0;
      lastRender.current = now();
      setSnapshot({ state: store.snapshot, revision: store.revision });
    };
    const unsubscribe = store.subscribe(() => {
      if (timer !== void 0) return;
      timer = setTimeout(flush, Math.max(0, flushMs - (now() - lastRender.current)));
    });
    if (store.revision !== snapshot.revision) flush();
    return () => {
      unsubscribe();
      if (timer !== void 0) clearTimeout(timer);
    };
  }, [store, flushMs, now]);
  const state = snapshot.state;
  const live = !state.finished && !store.ended;
  (0, import_react2.useEffect)(() => {
    if (!live) return;
    const timer = setInterval(() => {
      if (now() - lastRender.current < tickMs) return;
      lastRender.current = now();
      setTick((t) => t + 1);
    }, tickMs);
    return () => clearInterval(timer);
  }, [live, tickMs, now]);
  (0, import_react2.useEffect)(() => {
    if (view.quitting && (state.finished || store.ended || quitSettled)) {
      exit({ outcome: "quit" });
    } else if (store.ended && !state.finished) {
      exit({ outcome: "finished", ok: false, failedNodes: state.failedNodes });
    } else if (state.finished && state.ok && exitWhenDone) {
      exit({ outcome: "finished", ok: true, failedNodes: [] });
    }
  }, [view.quitting, state.finished, state.ok, store.ended, quitSettled, exitWhenDone, exit, snapshot]);
  use_input_default((input, key) => {
    const gridKey = keyOf(input, key);
    const current = viewRef.current;
    if (gridKey === "quit" && current.quitting) {
      exit({ outcome: "interrupted" });
      return;
    }
    const latest = store.snapshot;
    if (gridKey === "quit" && latest.finished) {
      exit({ outcome: "finished", ok: latest.ok ?? false, failedNodes: latest.failedNodes });
      return;
    }
    const { view: next, command } = reduceGridView(current, gridKey, latest);
    viewRef.current = next;
    setView(next);
    if (command?.type === "retry") onRetry(command.node);
    if (command?.type === "quit") {
      const stopping = onQuit();
      if (stopping instanceof Promise) {
        void stopping.catch(() => void 0).then(() => setQuitSettled(true));
      }
    }
  });
  const startedAt = state.startedAt;
  const elapsedMs = state.finished && state.durationMs !== void 0 ? state.durationMs : startedAt === void 0 ? 0 : now() - startedAt;
  return /* @__PURE__ */ (0, import_jsx_runtime3.jsx)(
    Grid,
    {
      state,
      view,
      columns: columns ?? (stdout.columns || 80),
      elapsedMs,
      spinnerFrame: Math.floor(now() / tickMs),
      profileName
    }
  );
}

// source/ui/app-apply.tsx
var import_jsx_runtime4 = __toESM(require_jsx_runtime(), 1);
async function runApplyUi(options) {
  const store = new GridStore();
  const maxFps = options.maxFps ?? 20;
  let resolveResult;
  const result = new Promise((resolve) => resolveResult = resolve);
  let settled;
  const finish = (r) => {
    if (settled) return;
    settled = r;
    resolveResult(r);
  };
  const instance = render_default(
    /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(ColorProvider, { colors: colorsEnabled(options.env), children: /* @__PURE__ */ (0, import_jsx_runtime4.jsx)(
      LiveGrid,
      {
        store,
        profileName: options.profileName,
        onRetry: options.onRetry,
        onQuit: options.onQuit,
        onExit: finish,
        exitWhenDone: options.exitWhenDone ?? true,
        flushMs: Math.ceil(1e3 / maxFps)
      }
    ) }),
    {
      stdout: options.stdout ?? process.stdout,
      stdin: options.stdin ?? process.stdin,
      stderr: options.stderr ?? process.stderr,
      exitOnCtrlC: false,
      patchConsole: options.patchConsole ?? true,
      maxFps
    }
  );
  let quitRequested = false;
  const onSignal = () => {
    if (!quitRequested) {
      quitRequested = true;
      const stopping = options.onQuit();
      void Promise.resolve(stopping).catch(() => void 0).then(() => finish({ outcome: "quit" }));
    } else {
      finish({ outcome: "interrupted" });
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const stopper = {};
  void feed(options.events, store, (stop) => stopper.stop = stop).then(
    () => store.end(),
    (error) => {
      store.end(error);
      finish({ outcome: "finished", ok: false, failedNodes: store.snapshot.failedNodes });
    }
  );
  try {
    const unmounted = instance.waitUntilExit().then(() => ({ outcome: "interrupted" }));
    return await Promise.race([result, unmounted]);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    stopper.stop?.();
    instance.unmount();
    instance.cleanup();
    if (store.error !== void 0) {
      throw store.error;
    }
  }
}
async function feed(source, store, onStop) {
  if (typeof source === "function") {
    await new Promise((resolve) => {
      const unsubscribe = source((event) => {
        store.push(event);
      });
      onStop(() => {
        if (typeof unsubscribe === "function") unsubscribe();
        resolve();
      });
    });
    return;
  }
  for await (const event of source) store.push(event);
}
export {
  runApplyUi
};
