import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {nextUnitCheckMs, restartAndWait, UNIT_CHECK_MAX_MS} from '../../source/run/services.js';
import type {NodeSession} from '../../source/run/node-session.js';

const templates = new URL('../../templates/systemd/', import.meta.url).pathname;

/** A node whose unit stays `activating` until the test says the service answers. */
function slowNode(): {session: NodeSession; checks: number[]} {
	const checks: number[] = [];
	const started = Date.now();
	const session = {
		node: 'm1',
		async restart() {},
		async unitState() {
			checks.push(Date.now() - started);
			return {active: 'activating', sub: 'start', restarts: '0'};
		},
		async journalTail() {
			return '';
		},
	} as unknown as NodeSession;
	return {session, checks};
}

describe('unit checks while a service starts', () => {
	afterEach(() => vi.useRealTimers());

	it('never leave a gap a crash loop could hide in: below every unit\'s RestartSec', () => {
		const restartSecs = readdirSync(templates).map((f) => Number(/^RestartSec=(\d+)$/m.exec(readFileSync(join(templates, f), 'utf8'))?.[1]));
		expect(restartSecs.length).toBe(4);
		expect(UNIT_CHECK_MAX_MS).toBeLessThan(Math.min(...restartSecs) * 1000);
		const gaps = [1000];
		while (gaps.length < 6) gaps.push(nextUnitCheckMs(gaps.at(-1) as number, 250));
		expect(gaps).toEqual([1000, 2000, 4000, 4000, 4000, 4000]);
	});

	it('check the unit at 1 s, 3 s, 7 s, not every second, while the service is slow to answer', async () => {
		vi.useFakeTimers();
		const {session, checks} = slowNode();
		let healthy = false;
		setTimeout(() => (healthy = true), 9500);
		const waiting = restartAndWait({
			session,
			node: {name: 'm1', ip: '198.18.0.11'},
			service: 'kube-apiserver',
			health: {serviceHealthy: async () => ({ok: healthy, detail: healthy ? 'ok' : 'connection refused'}), leaseHolders: async () => ({})},
			timeoutMs: 60_000,
			pollMs: 250,
			onWaiting: () => undefined,
		});
		await vi.advanceTimersByTimeAsync(10_000);
		await waiting;
		expect(checks.map((ms) => Math.round(ms / 250) * 250)).toEqual([1000, 3000, 7000]);
	});
});

describe("systemd's unit state as the node reports it", () => {
	it('reads the three properties in any order and marks a missing one', async () => {
		const {parseUnitState} = await import('../../source/run/node-session.js');
		expect(parseUnitState('NRestarts=2\nActiveState=active\nSubState=running\n')).toEqual({active: 'active', sub: 'running', restarts: '2'});
		expect(parseUnitState('ActiveState=failed\n')).toEqual({active: 'failed', sub: '?', restarts: '?'});
	});
});
