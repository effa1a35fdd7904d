import React, {useCallback, useEffect, useRef, useState} from 'react';
import {useInput, useStdout} from 'ink';
import {Grid} from './grid.js';
import type {GridStore} from './grid-store.js';
import {initialGridView, keyOf, reduceGridView, type GridKey, type GridView} from './grid-keys.js';

export type ApplyUiResult =
	| {outcome: 'finished'; ok: boolean; failedNodes: string[]}
	/** The user pressed q (or Ctrl-C) and the runner stopped. */
	| {outcome: 'quit'}
	/** A second q / Ctrl-C while stopping: left without waiting. */
	| {outcome: 'interrupted'};

export interface LiveGridProps {
	store: GridStore;
	profileName: string;
	onRetry: (node: string) => void;
	onQuit: () => void | Promise<void>;
	/** Aborted by the first SIGINT/SIGTERM: the grid stops as on `q` (and shows it). */
	stopSignal?: AbortSignal;
	onExit: (result: ApplyUiResult) => void;
	/** Leave as soon as the run finishes with every node ok (default true). On failure the grid waits for r or q. */
	exitWhenDone?: boolean;
	/** Batch events for this long before rendering (default 50 ms → at most 20 renders/s). */
	flushMs?: number;
	/** Spinner/clock tick while running (default 100 ms). */
	tickMs?: number;
	now?: () => number;
	/** Width override (tests); default: the terminal's columns, or 80. */
	columns?: number;
}

/**
 * The grid bound to a live GridStore: snapshots at most every `flushMs`, key
 * handling through the pure reduceGridView, commands out through onRetry/onQuit.
 */
export function LiveGrid({store, profileName, onRetry, onQuit, stopSignal, onExit, exitWhenDone = true, flushMs = 50, tickMs = 100, now = Date.now, columns}: LiveGridProps) {
	const {stdout} = useStdout();
	const [snapshot, setSnapshot] = useState(() => ({state: store.snapshot, revision: store.revision}));
	const [view, setView] = useState<GridView>(initialGridView);
	// Bumped by the clock only to re-render; the spinner frame comes from the time.
	const [, setTick] = useState(0);
	const [quitSettled, setQuitSettled] = useState(false);
	const viewRef = useRef(view);
	viewRef.current = view;
	const exited = useRef(false);

	const exit = useCallback(
		(result: ApplyUiResult) => {
			if (exited.current) return;
			exited.current = true;
			onExit(result);
		},
		[onExit],
	);

	// A retry's "retrying m1…" notice lasts until that run has finished, not until the next key.
	const runsFinished = snapshot.state.runsFinished;
	useEffect(() => {
		if (viewRef.current.notice?.startsWith('retrying ')) setView({...viewRef.current, notice: undefined});
	}, [runsFinished]);

	// Throttled flush: the first change after a render schedules one snapshot, at most
	// one per flushMs. The spinner's clock renders only when nothing else did lately.
	const lastRender = useRef(0);
	useEffect(() => {
		let timer: NodeJS.Timeout | undefined;
		const flush = () => {
			timer = undefined;
			lastRender.current = now();
			setSnapshot({state: store.snapshot, revision: store.revision});
		};
		const unsubscribe = store.subscribe(() => {
			if (timer !== undefined) return;
			timer = setTimeout(flush, Math.max(0, flushMs - (now() - lastRender.current)));
		});
		// Events that arrived between the first render and subscribing.
		if (store.revision !== snapshot.revision) flush();
		return () => {
			unsubscribe();
			if (timer !== undefined) clearTimeout(timer);
		};
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [store, flushMs, now]);

	const state = snapshot.state;
	const live = !state.finished && !store.ended;

	// One clock for every spinner and the elapsed time, only while the run is live.
	useEffect(() => {
		if (!live) return;
		const timer = setInterval(() => {
			if (now() - lastRender.current < tickMs) return;
			lastRender.current = now();
			setTick((t) => t + 1);
		}, tickMs);
		return () => clearInterval(timer);
	}, [live, tickMs, now]);

	useEffect(() => {
		if (view.quitting && (state.finished || store.ended || quitSettled)) {
			exit({outcome: 'quit'});
		} else if (store.ended && !store.snapshot.finished) {
			// The event source ended without run-finished (the runner stopped or crashed). The
			// store's own snapshot, not the frame's: the frame may lag the last events by a
			// flush, and a run that finished well was then reported failed (seen under load).
			exit({outcome: 'finished', ok: false, failedNodes: store.snapshot.failedNodes});
		} else if (state.finished && state.ok && exitWhenDone) {
			exit({outcome: 'finished', ok: true, failedNodes: []});
		}
	}, [view.quitting, state.finished, state.ok, store.ended, quitSettled, exitWhenDone, exit, snapshot]);

	const press = (gridKey: GridKey) => {
		const current = viewRef.current;
		if (gridKey === 'quit' && current.quitting) {
			exit({outcome: 'interrupted'});
			return;
		}
		const latest = store.snapshot;
		if (gridKey === 'quit' && latest.finished) {
			exit({outcome: 'finished', ok: latest.ok ?? false, failedNodes: latest.failedNodes});
			return;
		}
		const {view: next, command} = reduceGridView(current, gridKey, latest);
		viewRef.current = next;
		setView(next);
		if (command?.type === 'retry') onRetry(command.node);
		if (command?.type === 'quit') {
			// A promise from onQuit means "stopped when settled"; otherwise wait for run-finished or the end of the events.
			const stopping = onQuit();
			if (stopping instanceof Promise) {
				void stopping.catch(() => undefined).then(() => setQuitSettled(true));
			}
		}
	};
	const pressRef = useRef(press);
	pressRef.current = press;
	useInput((input, key) => press(keyOf(input, key)));

	// A signal is a `q` the user did not type; a later `q` or Ctrl-C then quits at once.
	useEffect(() => {
		if (!stopSignal) return;
		const onStop = () => {
			if (!viewRef.current.quitting) pressRef.current('quit');
		};
		if (stopSignal.aborted) onStop();
		stopSignal.addEventListener('abort', onStop, {once: true});
		return () => stopSignal.removeEventListener('abort', onStop);
	}, [stopSignal]);

	const startedAt = state.startedAt;
	const elapsedMs = state.finished && state.durationMs !== undefined ? state.durationMs : startedAt === undefined ? 0 : now() - startedAt;
	return (
		<Grid
			state={state}
			view={view}
			columns={columns ?? (stdout.columns || 80)}
			elapsedMs={elapsedMs}
			spinnerFrame={Math.floor(now() / tickMs)}
			profileName={profileName}
		/>
	);
}
