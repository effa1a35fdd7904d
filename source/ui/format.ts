/** Small text helpers shared by the grid, the wizard and the plain reporter. */

/** Compact duration, at most 4 characters: 0.3s 9.9s 42s 12m 2h. */
export function shortDuration(ms: number): string {
	if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
	if (ms < 100_000) return `${Math.round(ms / 1000)}s`;
	if (ms < 100 * 60_000) return `${Math.round(ms / 60_000)}m`;
	return `${Math.round(ms / 3_600_000)}h`;
}

/** Elapsed time as m:ss (or h:mm:ss). */
export function clock(ms: number): string {
	const total = Math.max(0, Math.floor(ms / 1000));
	const h = Math.floor(total / 3600);
	const m = Math.floor((total % 3600) / 60);
	const s = total % 60;
	const ss = String(s).padStart(2, '0');
	return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Cut to `width` terminal cells (BMP, non-wide characters), ending with … when cut. */
export function truncate(text: string, width: number): string {
	const flat = text.replace(/[\r\n\t]+/g, ' ');
	if (width <= 0) return '';
	const chars = [...flat];
	if (chars.length <= width) return flat;
	return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

export function padEnd(text: string, width: number): string {
	const t = truncate(text, width);
	return t + ' '.repeat(Math.max(0, width - [...t].length));
}

export function percent(bytes: number | undefined, total: number | undefined): number | undefined {
	if (bytes === undefined || total === undefined || total <= 0) return undefined;
	return Math.max(0, Math.min(100, Math.floor((bytes / total) * 100)));
}

export function humanBytes(n: number): string {
	if (n < 1024) return `${n} B`;
	if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
	return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A secret shown as bullets, never its characters. */
export function mask(secret: string): string {
	return secret.length === 0 ? '' : '•'.repeat(Math.min(secret.length, 12));
}
