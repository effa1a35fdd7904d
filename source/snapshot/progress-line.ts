// Progress of a snapshot on the terminal: nothing for one that is over within a second;
// then the bytes received so far, at most a few times a second (rewriting one line on a
// terminal, a line every 10 s in a log). The clock is given, so this is tested without time.
import type {SnapshotProgress} from './stream.js';

export interface ProgressReporter {
	update(endpoint: string, progress: SnapshotProgress): void;
	/** Ends the line a terminal was rewriting. */
	done(): void;
}

export function progressReporter(options: {write: (text: string) => void; isTTY: boolean; now: () => number}): ProgressReporter {
	const started = options.now();
	const every = options.isTTY ? 250 : 10_000;
	let last = started + 1000 - every;
	let shown = false;
	return {
		update(endpoint, progress) {
			const t = options.now();
			if (t - last < every) return;
			last = t;
			const line = `${endpoint}: ${formatBytes(progress.received)} of ${formatBytes(progress.total)} received`;
			options.write(options.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
			shown = true;
		},
		done() {
			if (shown && options.isTTY) options.write('\n');
			shown = false;
		},
	};
}

export function formatBytes(n: number): string {
	if (n < 1024) return `${n} B`;
	if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
	if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
	return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
