import React from 'react';
import {render} from 'ink';
import type {EventSink, RunEvent} from '../run/events.js';
import {GridStore} from './grid-store.js';
import {LiveGrid, type ApplyUiResult} from './live-grid.js';
import {ColorProvider, colorsEnabled} from './theme.js';

export type {ApplyUiResult} from './live-grid.js';

/** Where the grid's events come from: an async iterable, or a subscribe function returning an unsubscribe. */
export type RunEventSource = AsyncIterable<RunEvent> | ((sink: EventSink) => (() => void) | void);

export interface ApplyUiOptions {
	events: RunEventSource;
	/** `r` on a failed node. The runner re-runs it and keeps emitting events. */
	onRetry: (node: string) => void;
	/** `q` / Ctrl-C: stop safely. Return a promise that settles once stopped, or emit run-finished. */
	onQuit: () => void | Promise<void>;
	/** Aborted by the command's first SIGINT/SIGTERM (cli/shared/stop-signals.ts): the grid stops as on `q`. */
	stopSignal?: AbortSignal;
	profileName: string;
	exitWhenDone?: boolean;
	/** Render rate cap (default 10 frames/s: a progress grid reads as live at 10, and 20 cost over 25% of a core at 200 events/s); events are batched every 1000/maxFps ms. */
	maxFps?: number;
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	stderr?: NodeJS.WriteStream;
	env?: NodeJS.ProcessEnv;
	/** Keep console.* from tearing the grid (default true; tests under vitest pass false). */
	patchConsole?: boolean;
}

/**
 * Mounts the live grid, feeds it the run's events and resolves when the run is
 * over (or the user stopped it). The terminal is restored on every path: normal
 * exit, an exception, a signal (the command's stop-signals handler owns SIGINT/SIGTERM:
 * the first one reaches the grid as `stopSignal`, the second exits the process, and ink
 * restores the terminal on exit).
 */
export async function runApplyUi(options: ApplyUiOptions): Promise<ApplyUiResult> {
	const store = new GridStore();
	const maxFps = options.maxFps ?? 10;
	let resolveResult!: (r: ApplyUiResult) => void;
	const result = new Promise<ApplyUiResult>((resolve) => (resolveResult = resolve));
	let settled: ApplyUiResult | undefined;
	const finish = (r: ApplyUiResult) => {
		if (settled) return;
		settled = r;
		resolveResult(r);
	};

	const instance = render(
		<ColorProvider colors={colorsEnabled(options.env)}>
			<LiveGrid
				store={store}
				profileName={options.profileName}
				onRetry={options.onRetry}
				onQuit={options.onQuit}
				{...(options.stopSignal ? {stopSignal: options.stopSignal} : {})}
				onExit={finish}
				exitWhenDone={options.exitWhenDone ?? true}
				flushMs={Math.ceil(1000 / maxFps)}
			/>
		</ColorProvider>,
		{
			stdout: options.stdout ?? process.stdout,
			stdin: options.stdin ?? process.stdin,
			stderr: options.stderr ?? process.stderr,
			exitOnCtrlC: false,
			patchConsole: options.patchConsole ?? true,
			maxFps,
		},
	);

	const stopper: {stop?: () => void} = {};
	void feed(options.events, store, (stop) => (stopper.stop = stop)).then(
		() => store.end(),
		(error: unknown) => {
			store.end(error);
			finish({outcome: 'finished', ok: false, failedNodes: store.snapshot.failedNodes});
		},
	);

	try {
		// ink unmounting on its own (an exception in a component rejects here) also ends the UI.
		const unmounted = instance.waitUntilExit().then((): ApplyUiResult => ({outcome: 'interrupted'}));
		return await Promise.race([result, unmounted]);
	} finally {
		stopper.stop?.();
		instance.unmount();
		instance.cleanup();
		if (store.error !== undefined) {
			// eslint-disable-next-line no-unsafe-finally
			throw store.error;
		}
	}
}

async function feed(source: RunEventSource, store: GridStore, onStop: (stop: () => void) => void): Promise<void> {
	if (typeof source === 'function') {
		await new Promise<void>((resolve) => {
			const unsubscribe = source((event) => {
				// After run-finished a retry may follow: keep listening until the UI is gone.
				store.push(event);
			});
			onStop(() => {
				if (typeof unsubscribe === 'function') unsubscribe();
				resolve();
			});
		});
		return;
	}
	for await (const event of source) store.push(event);
}
