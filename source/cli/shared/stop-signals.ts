// The one way every command (apply with the grid or plain lines, status, the wizard) answers
// SIGINT and SIGTERM, and the keys that mean the same (Ctrl-C at the [y/N] question, `q` in
// the grid, Ctrl-C in the dashboard). The first one stops new work: the returned signal
// aborts, steps in flight finish (a file is placed whole or not at all), and the command ends
// on its own with exit 130. The second one ends the process at once, and says so: a run
// waiting on a hung node must never need `kill -9`.
import {EXIT} from '../../exit-codes.js';

export type StopCause = 'SIGINT' | 'SIGTERM' | 'Ctrl-C' | 'q';

export interface StopSignals {
	/** Aborts on the first SIGINT, SIGTERM or stop(). */
	readonly signal: AbortSignal;
	/** What a key asking to stop calls: the first time it stops new work, the second ends the process. */
	stop(cause?: StopCause): void;
	/** Removes the handlers (the command is over). */
	dispose(): void;
}

export interface StopSignalOptions {
	/** Said on the first signal (undefined: a UI that shows the stop itself says nothing). */
	stopping?: string;
	write?: (text: string) => void;
	exit?: (code: number) => void;
}

export function handleStopSignals(options: StopSignalOptions = {}): StopSignals {
	const write = options.write ?? ((text: string) => process.stderr.write(text));
	const exit = options.exit ?? ((code: number) => process.exit(code));
	const controller = new AbortController();
	const stop = (cause: StopCause = 'SIGINT') => {
		if (!controller.signal.aborted) {
			const again = cause === 'q' || cause === 'Ctrl-C' ? `${cause} or Ctrl-C` : cause;
			if (options.stopping) write(`${options.stopping} (${again} again to quit at once)\n`);
			controller.abort();
			return;
		}
		write(`second ${cause}: quitting now; what was in flight is cut off (files are replaced whole or not at all), run the same command again to resume\n`);
		exit(EXIT.interrupted);
	};
	const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
		const handler = () => stop(name);
		process.on(name, handler);
		return [name, handler] as const;
	});
	return {
		signal: controller.signal,
		stop,
		dispose: () => {
			for (const [name, handler] of handlers) process.off(name, handler);
		},
	};
}
