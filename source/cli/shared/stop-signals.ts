// How apply and status answer SIGINT and SIGTERM. The first one stops new work: the
// returned signal aborts, steps in flight finish (a file is placed whole or not at all), and
// the command ends on its own. The second one ends the process at once, and says so: a
// run waiting on a hung node must never need `kill -9`.

export interface StopSignals {
	/** Aborts on the first SIGINT or SIGTERM. */
	readonly signal: AbortSignal;
	/** Removes the handlers (the command is over). */
	dispose(): void;
}

export interface StopSignalOptions {
	/** Said on the first signal (undefined: a UI that shows the stop itself says nothing). */
	stopping?: string;
	write?: (text: string) => void;
	exit?: (code: number) => void;
}

const EXIT_CODES: Record<'SIGINT' | 'SIGTERM', number> = {SIGINT: 130, SIGTERM: 143};

export function handleStopSignals(options: StopSignalOptions = {}): StopSignals {
	const write = options.write ?? ((text: string) => process.stderr.write(text));
	const exit = options.exit ?? ((code: number) => process.exit(code));
	const controller = new AbortController();
	const handlers = (['SIGINT', 'SIGTERM'] as const).map((name) => {
		const handler = () => {
			if (!controller.signal.aborted) {
				if (options.stopping) write(`${options.stopping} (${name} again to quit at once)\n`);
				controller.abort();
				return;
			}
			write(`second ${name}: quitting now; what was in flight is cut off (files are replaced whole or not at all), run the same command again to resume\n`);
			exit(EXIT_CODES[name]);
		};
		process.on(name, handler);
		return [name, handler] as const;
	});
	return {
		signal: controller.signal,
		dispose: () => {
			for (const [name, handler] of handlers) process.off(name, handler);
		},
	};
}
