import {describe, expect, it} from 'vitest';
import {etcdModeSwitchRefusal, stackedMembershipRefusal} from '../../../source/run/etcd-member/membership-refusal.js';

const nodes = (...names: string[]) => names.map((name, i) => ({name, ip: `10.0.0.${i + 1}`}));
const stacked = {mode: 'stacked'} as const;

describe('a stacked etcd refuses a change of masters (member add/remove not built)', () => {
	it('refuses an added and a removed master, naming both and the installed ones', () => {
		const refusal = stackedMembershipRefusal({etcd: stacked, nodes: nodes('m2', 'm3', 'm4')} as never, nodes('m1', 'm2', 'm3'));
		expect(refusal?.message).toBe('the profile adds m4 and removes m1: with etcd.mode: stacked each master is an etcd member, and adding or removing a member is not built yet');
		expect(refusal?.hint).toContain('m1, m2, m3');
	});

	it('lets a first install, the same masters, and an external etcd through', () => {
		expect(stackedMembershipRefusal({etcd: stacked, nodes: nodes('m1', 'm2', 'm3')} as never, [])).toBeUndefined();
		expect(stackedMembershipRefusal({etcd: stacked, nodes: nodes('m1', 'm2', 'm3')} as never, nodes('m3', 'm1', 'm2'))).toBeUndefined();
		expect(stackedMembershipRefusal({etcd: {mode: 'external'}, nodes: nodes('m1', 'm2', 'm3', 'm4')} as never, nodes('m1', 'm2', 'm3'))).toBeUndefined();
	});
});

describe('an installed cluster keeps its etcd mode', () => {
	const installed = nodes('m1', 'm2', 'm3');
	it('refuses external → stacked and stacked → external once masters are installed, naming the way back', () => {
		expect(etcdModeSwitchRefusal({etcd: stacked} as never, installed, false)?.message).toMatch(/^etcd.mode is stacked, but this state directory installed the masters against an external etcd/);
		expect(etcdModeSwitchRefusal({etcd: {mode: 'external'}} as never, installed, true)?.hint).toBe('keep etcd.mode: stacked; nothing was changed');
	});
	it('lets the same mode and a first install through', () => {
		expect(etcdModeSwitchRefusal({etcd: stacked} as never, installed, true)).toBeUndefined();
		expect(etcdModeSwitchRefusal({etcd: {mode: 'external'}} as never, installed, false)).toBeUndefined();
		expect(etcdModeSwitchRefusal({etcd: stacked} as never, [], false)).toBeUndefined();
	});
});
