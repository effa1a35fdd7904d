import React from 'react';
import {EventEmitter} from 'node:events';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {Text} from 'ink';
import {runApplyUi} from '../../source/ui/app-apply.js';
import {Finished, showFinished} from '../../source/ui/finished.js';
import {runWizard} from '../../source/ui/wizard/run-wizard.js';
import {UserError} from '../../source/errors.js';
import {recordedRun, waitFor} from './helpers.js';
import type {RunEvent} from '../../source/run/events.js';

afterEach(() => cleanup());

/** Streams shaped enough like a TTY for ink's render(). */
function fakeTerminal() {
	const writes: string[] = [];
	const stdout = Object.assign(new EventEmitter(), {columns: 80, rows: 24, isTTY: true, write: (s: string) => (writes.push(s), true)});
	const stdin = Object.assign(new EventEmitter(), {
		isTTY: true,
		rawMode: false,
		setRawMode(mode: boolean) {
			this.rawMode = mode;
		},
		setEncoding() {},
		resume() {},
		pause() {},
		ref() {},
		unref() {},
		read: () => null,
	});
	return {writes, stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream & {rawMode: boolean}, stderr: stdout as unknown as NodeJS.WriteStream};
}

async function* paced(events: RunEvent[]): AsyncIterable<RunEvent> {
	for (const e of events) {
		yield e;
		await new Promise((r) => setImmediate(r));
	}
}

describe('runApplyUi', () => {
	test('an async iterable of a successful run resolves finished/ok and restores raw mode', async () => {
		const t = fakeTerminal();
		const result = await runApplyUi({events: paced(recordedRun()), onRetry: vi.fn(), onQuit: vi.fn(), profileName: 'prod', patchConsole: false, ...t});
		expect(result).toEqual({outcome: 'finished', ok: true, failedNodes: []});
		expect(t.writes.join('')).toContain('all 3 nodes ok');
		expect(t.stdin.rawMode).toBe(false);
	});

	test('a subscribe function works too; the stop signal (the first SIGINT) stops via onQuit, shows it, and restores the terminal', async () => {
		const t = fakeTerminal();
		const sigintListeners = process.listenerCount('SIGINT');
		const stop = new AbortController();
		let sink: ((e: RunEvent) => void) | undefined;
		const unsubscribe = vi.fn();
		const onQuit = vi.fn(async () => undefined);
		const done = runApplyUi({
			events: (s) => {
				sink = s;
				return unsubscribe;
			},
			onRetry: vi.fn(),
			onQuit,
			stopSignal: stop.signal,
			profileName: 'prod',
			patchConsole: false,
			...t,
		});
		await waitFor(() => sink !== undefined, 'subscribe');
		for (const e of recordedRun().slice(0, 10)) sink!(e);
		await waitFor(() => t.writes.join('').includes('conn'), 'a frame');
		stop.abort();
		await expect(done).resolves.toEqual({outcome: 'quit'});
		expect(onQuit).toHaveBeenCalledOnce();
		expect(unsubscribe).toHaveBeenCalledOnce();
		expect(t.stdin.rawMode).toBe(false);
		expect(process.listenerCount('SIGINT')).toBe(sigintListeners);
	});

	test('an error from the event source is rethrown after the terminal is restored', async () => {
		const t = fakeTerminal();
		async function* broken(): AsyncIterable<RunEvent> {
			yield recordedRun()[0]!;
			throw new Error('runner crashed');
		}
		await expect(runApplyUi({events: broken(), onRetry: vi.fn(), onQuit: vi.fn(), profileName: 'prod', patchConsole: false, ...t})).rejects.toThrow('runner crashed');
		expect(t.stdin.rawMode).toBe(false);
	});
});

describe('finished screen', () => {
	test('shows the kubeconfig, the next commands and the dashboard slot', () => {
		const {lastFrame} = render(<Finished profileName="prod" kubeconfigPath="/home/me/prod/admin.kubeconfig" dashboard={<Text>DASHBOARD HERE</Text>} />);
		const frame = lastFrame() ?? '';
		expect(frame).toContain('admin kubeconfig: /home/me/prod/admin.kubeconfig');
		expect(frame).toContain("kubectl --kubeconfig /home/me/prod/admin.kubeconfig get --raw '/readyz?verbose'");
		expect(frame).toContain('k8s-master-setup status --profile prod');
		expect(frame).toContain('DASHBOARD HERE');
	});

	test('showFinished without a dashboard prints once and returns', async () => {
		const t = fakeTerminal();
		await showFinished({profileName: 'prod', kubeconfigPath: '/tmp/admin.kubeconfig', ...t});
		expect(t.writes.join('')).toContain('/tmp/admin.kubeconfig');
	});
});

describe('runWizard', () => {
	test('without a terminal it is a UserError naming what to give instead, not a prompt', async () => {
		const t = fakeTerminal();
		(t.stdin as {isTTY: boolean}).isTTY = false;
		const error = await runWizard({...t}).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(UserError);
		expect((error as UserError).hint).toContain('--profile');
		expect(t.writes).toHaveLength(0);
	});
});
