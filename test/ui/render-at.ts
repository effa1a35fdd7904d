import {EventEmitter} from 'node:events';
import type React from 'react';
import {render} from 'ink';

/**
 * ink-testing-library's render, on a terminal of `columns` (the library's is always 100
 * wide): ink lays the root out at the terminal's width, so wrapping at 60 or 120 columns
 * is only seen with a terminal that wide.
 */
export function renderAt(columns: number, tree: React.ReactElement) {
	const frames: string[] = [];
	const stdout = Object.assign(new EventEmitter(), {columns, rows: 50, write: (s: string) => (frames.push(s), true)});
	const stdin = Object.assign(new EventEmitter(), {
		isTTY: true,
		data: null as string | null,
		setEncoding() {},
		setRawMode() {},
		resume() {},
		pause() {},
		ref() {},
		unref() {},
		read() {
			const d = this.data;
			this.data = null;
			return d;
		},
		write(data: string) {
			this.data = data;
			this.emit('readable');
			this.emit('data', data);
		},
	});
	const instance = render(tree, {stdout: stdout as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false});
	return {stdin, lastFrame: () => frames.at(-1), unmount: () => instance.unmount()};
}

/** Every character of `text` in `frame`, in order, whatever the line breaks and indents between them. */
export function squashed(text: string): string {
	return text.replace(/\s+/g, '');
}
