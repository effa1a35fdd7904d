import React, {useEffect, useState} from 'react';
import {render, useApp, useInput} from 'ink';
import {reduceRotation, type RotationEvent, type RotationView} from './rotation-state.js';
import {RotationGrid} from './rotation-grid.js';
import {ColorProvider, colorsEnabled} from './theme.js';

export interface RotateUiOptions {
	initial: RotationView;
	/** Subscribe to the rotation's events; returns an unsubscribe. */
	events: (sink: (e: RotationEvent) => void) => () => void;
	/** q / Ctrl-C: the rotation stops after the step in flight. */
	onQuit: () => void;
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	env?: NodeJS.ProcessEnv;
	patchConsole?: boolean;
}

export interface RotateUi {
	/** Resolves once the grid has drawn the finished state and unmounted. */
	done: Promise<void>;
	unmount(): void;
}

function Live({initial, events, onQuit}: Pick<RotateUiOptions, 'initial' | 'events' | 'onQuit'>) {
	const {exit} = useApp();
	const [view, setView] = useState(initial);
	const [frame, setFrame] = useState(0);
	useEffect(() => {
		// Events batched into one render every 100 ms at most (apply's rewrite lines come fast).
		let pending: RotationEvent[] = [];
		const flush = () => {
			if (pending.length === 0) return;
			const batch = pending;
			pending = [];
			setView((v) => batch.reduce(reduceRotation, v));
		};
		const unsubscribe = events((e) => void pending.push(e));
		const timer = setInterval(() => {
			flush();
			setFrame((f) => f + 1);
		}, 100);
		return () => {
			flush();
			clearInterval(timer);
			unsubscribe();
		};
	}, [events]);
	useEffect(() => {
		if (view.finished) exit();
	}, [view.finished, exit]);
	useInput((input, key) => {
		if (input === 'q' || (key.ctrl && input === 'c')) onQuit();
	});
	return <RotationGrid view={view} spinnerFrame={frame} />;
}

/** Mounts the rotation grid until a rotation-finished event has been drawn. */
export function runRotateUi(options: RotateUiOptions): RotateUi {
	const instance = render(
		<ColorProvider colors={colorsEnabled(options.env)}>
			<Live initial={options.initial} events={options.events} onQuit={options.onQuit} />
		</ColorProvider>,
		{stdout: options.stdout ?? process.stdout, stdin: options.stdin ?? process.stdin, exitOnCtrlC: false, patchConsole: options.patchConsole ?? true},
	);
	return {done: instance.waitUntilExit().then(() => undefined), unmount: () => instance.unmount()};
}
