import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);

// source/ui/format.ts
function shortDuration(ms) {
  if (ms < 1e4) return `${(Math.max(0, ms) / 1e3).toFixed(1)}s`;
  if (ms < 1e5) return `${Math.round(ms / 1e3)}s`;
  if (ms < 100 * 6e4) return `${Math.round(ms / 6e4)}m`;
  return `${Math.round(ms / 36e5)}h`;
}
function clock(ms) {
  const total = Math.max(0, Math.floor(ms / 1e3));
  const h = Math.floor(total / 3600);
  const m = Math.floor(total % 3600 / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
function truncate(text, width) {
  const flat = text.replace(/[\r\n\t]+/g, " ");
  if (width <= 0) return "";
  const chars = [...flat];
  if (chars.length <= width) return flat;
  return chars.slice(0, Math.max(0, width - 1)).join("") + "\u2026";
}
function padEnd(text, width) {
  const t = truncate(text, width);
  return t + " ".repeat(Math.max(0, width - [...t].length));
}
function percent(bytes, total) {
  if (bytes === void 0 || total === void 0 || total <= 0) return void 0;
  return Math.max(0, Math.min(100, Math.floor(bytes / total * 100)));
}
function humanBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
function mask(secret) {
  return secret.length === 0 ? "" : "\u2022".repeat(Math.min(secret.length, 12));
}

export {
  shortDuration,
  clock,
  truncate,
  padEnd,
  percent,
  humanBytes,
  mask
};
