import {describe, expect, it} from 'vitest';
import type {EtcdClusterView} from '../../../source/etcd/cluster-gate.js';
import {isEtcdMinorUpgrade, judgeEtcdReleaseChange, releaseChangeProblem} from '../../../source/etcd/etcd-upgrade-rule.js';

const view = (...versions: Array<string | undefined>): EtcdClusterView => ({
	statuses: versions.map((version, i) => ({name: `m${i + 1}`, ok: true as const, leader: '1', memberId: String(i + 1), raftIndex: 10, errors: [], ...(version !== undefined ? {version} : {})})),
});

describe('an etcd release change on a running stacked cluster', () => {
	it('any patch of the running minor goes, up or down', () => {
		expect(releaseChangeProblem('3.6.15', '3.6.16')).toBeUndefined();
		expect(releaseChangeProblem('3.6.16', '3.6.15')).toBeUndefined();
		expect(releaseChangeProblem('3.5.15', '3.5.26')).toBeUndefined();
	});

	it('3.5 → 3.6 only from 3.5.26, the patch etcd names safe (zombie members)', () => {
		expect(releaseChangeProblem('3.5.26', '3.6.0')).toBeUndefined();
		expect(releaseChangeProblem('3.5.30', '3.6.16')).toBeUndefined();
		const early = releaseChangeProblem('3.5.25', '3.6.16');
		expect(early?.problem).toMatch(/3\.5\.26/);
		expect(early?.hint).toMatch(/3\.5\.26 or later first/);
	});

	it('3.6 → 3.7 only from 3.6.11, the first patch etcd names fit for the rolling upgrade', () => {
		expect(releaseChangeProblem('3.6.11', '3.7.0')).toBeUndefined();
		expect(releaseChangeProblem('3.6.16', '3.7.3')).toBeUndefined();
		const early = releaseChangeProblem('3.6.10', '3.7.3');
		expect(early?.problem).toMatch(/^3\.6\.10 → 3\.7\.3: etcd requires 3\.6\.11 or later before 3\.7/);
		expect(early?.hint).toMatch(/^set etcd\.binaries to 3\.6\.11 or later first, apply, wait until every member is healthy, then 3\.7$/);
		expect(releaseChangeProblem('3.5.26', '3.7.3')?.problem).toMatch(/skips a minor/);
	});

	it('a minor down and a skipped minor are refused, each with what to do', () => {
		expect(releaseChangeProblem('3.6.0', '3.5.26')?.problem).toMatch(/minor downgrade/);
		expect(releaseChangeProblem('3.6.0', '3.5.26')?.hint).toMatch(/downgrade validate\/enable 3\.5.*keep etcd\.binaries on 3\.6\.x/);
		expect(releaseChangeProblem('3.4.30', '3.6.16')).toMatchObject({problem: expect.stringMatching(/skips a minor/), hint: expect.stringMatching(/3\.5\.x first/)});
		expect(releaseChangeProblem('3.6.16', '4.0.0')?.problem).toMatch(/new major/);
		expect(releaseChangeProblem('4.0.0', '3.6.16')?.problem).toMatch(/downgrade/);
	});

	it('judges every member that answers: a half-done upgrade names the members a downgrade would hit', () => {
		expect(judgeEtcdReleaseChange(view('3.6.15', '3.6.15', '3.6.15'), '3.6.16')).toBeUndefined();
		const mixed = judgeEtcdReleaseChange(view('3.6.16', '3.5.26', '3.6.16'), '3.5.26');
		expect(mixed?.message).toBe('etcd.binaries: 3.6.16 → 3.5.26 is a minor downgrade (m1, m3)');
		expect(mixed?.hint).toMatch(/nothing was changed$/);
		// A member down or one that does not say its version is left to the rolling change's gate.
		expect(judgeEtcdReleaseChange({statuses: [{name: 'm1', ok: false, detail: 'refused'}, ...view(undefined).statuses]}, '3.5.26')).toBeUndefined();
	});
});

describe('an etcd minor upgrade, for the snapshot first', () => {
	it('is a member on an older minor than the target; patches and members down are not', () => {
		expect(isEtcdMinorUpgrade(view('3.5.26', '3.5.26', '3.6.16'), '3.6.16')).toBe(true);
		expect(isEtcdMinorUpgrade(view('3.6.15', '3.6.15', '3.6.15'), '3.6.16')).toBe(false);
		expect(isEtcdMinorUpgrade({statuses: [{name: 'm1', ok: false, detail: 'refused'}]}, '3.6.16')).toBe(false);
	});
});
