import {describe, expect, it} from 'vitest';
import {rotationPlanLines} from '../../../source/run/encryption-rotate/rotation-plan.js';

const from = {provider: 'aescbc' as const, keyName: 'key-20261101'};
const to = {provider: 'secretbox' as const, keyName: 'key-20261206'};

describe('encryption rotate --dry-run', () => {
	it('a new rotation: the snapshot, the new key, then each phase and what it does to the masters', () => {
		expect(rotationPlanLines({from, to, masters: ['m1', 'm2', 'm3'], snapshot: true, rate: 50})).toEqual([
			'would rotate aescbc key-20261101 → secretbox key-20261206:',
			'  an etcd snapshot first, then the new key written to the state directory (0600)',
			'  1. read-enable: configs write with aescbc key-20261101, also read secretbox key-20261206, apiservers restarted m1 → m2 → m3',
			'  2. write-switch: configs write with secretbox key-20261206, also read aescbc key-20261101, apiservers restarted m1 → m2 → m3; each writes the canary Secret',
			'  3. rewrite: every Secret written again through the API, at most 50/s',
			'  4. verify: etcd counted: none may be under aescbc key-20261101 or in plaintext',
			'  5. drop-old: configs write with secretbox key-20261206, apiservers restarted m1 → m2 → m3; every Secret read through each',
			'dry run: nothing was changed',
		]);
	});

	it('a resumed one: from its phase, the rewrite from its cursor, no new key', () => {
		const lines = rotationPlanLines({from, to, masters: ['m1'], snapshot: true, rate: 50, journal: {version: 1, startedAt: '2026-12-06T12:00:00.000Z', from, to, phase: 'rewrite', rewrite: {continue: 'x', done: 300, total: 748}, passed: []}});
		expect(lines[0]).toBe('would rotate aescbc key-20261101 → secretbox key-20261206 (carrying on the rotation started 2026-12-06T12:00:00.000Z):');
		expect(lines[1]).toBe('  3. rewrite: every Secret written again through the API, at most 50/s (from the recorded cursor, 300 done)');
		expect(lines.some((l) => l.includes('new key'))).toBe(false);
	});
});
