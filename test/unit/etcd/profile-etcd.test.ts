import {describe, expect, it} from 'vitest';
import {etcdClientUrls} from '../../../source/etcd/members.js';
import {ProfileSchema} from '../../../source/profile/schema.js';
import {validateProfile} from '../../../source/profile/load.js';
import {baseProfile} from '../render/fixtures.js';
import {stackedInput, stackedProfile} from './fixtures.js';

function problems(input: unknown): string[] {
	try {
		validateProfile(input, 'test');
	} catch (error) {
		return (error as {problems: Array<{field: string; message: string}>}).problems.map((p) => `${p.field}: ${p.message}`);
	}
	return [];
}

describe('profile etcd.mode', () => {
	it('a profile with etcd.endpoints and no mode is external, with exactly the fields it had', () => {
		const etcd = ProfileSchema.parse(baseProfile({etcd: {endpoints: ['https://10.0.0.5:2379'], caFile: '/x/ca.pem', certFile: '/x/c.pem', keyFile: '/x/k.pem'}})).etcd;
		expect(etcd).toEqual({mode: 'external', endpoints: ['https://10.0.0.5:2379'], apiserverEndpoints: 'local', caFile: '/x/ca.pem', certFile: '/x/c.pem', keyFile: '/x/k.pem'});
		expect(ProfileSchema.parse(baseProfile()).etcd).toEqual({
			mode: 'external',
			endpoints: ['https://198.18.0.11:2379', 'https://198.18.0.12:2379', 'https://198.18.0.13:2379'],
			apiserverEndpoints: 'local',
		});
	});

	it('without endpoints (or with mode stacked) it is stacked, with the defaults filled in', () => {
		const profile = stackedProfile();
		expect(profile.etcd).toEqual({
			mode: 'stacked',
			apiserverEndpoints: 'all',
			binaries: '/srv/etcd-v3.6.5-linux-amd64.tar.gz',
			dataDir: '/var/lib/etcd',
			quotaBackendBytes: 8589934592,
			autoCompactionRetention: '1h',
			allowEvenMembers: false,
		});
		expect(stackedProfile({mode: 'stacked', dataDir: '/data/etcd', quotaBackendBytes: 4294967296, autoCompactionRetention: '30m', apiserverEndpoints: 'local'}).etcd).toMatchObject({
			dataDir: '/data/etcd',
			quotaBackendBytes: 4294967296,
			autoCompactionRetention: '30m',
			apiserverEndpoints: 'local',
		});
		// The members' client URLs are derived from the nodes.
		expect(etcdClientUrls(profile)).toEqual(['https://198.18.0.11:2379', 'https://198.18.0.12:2379', 'https://198.18.0.13:2379']);
	});

	it('each mode refuses the other mode\'s fields by name', () => {
		expect(problems(stackedInput({endpoints: ['https://198.18.0.11:2379'], mode: 'stacked'}))).toEqual([expect.stringMatching(/^etcd\.endpoints: is derived from the nodes .*etcd\.mode: external/)]);
		expect(problems(stackedInput({caFile: '/x/ca.pem'}))).toEqual([expect.stringMatching(/^etcd\.caFile: is for an external etcd/)]);
		expect(problems(baseProfile({etcd: {endpoints: ['https://10.0.0.5:2379'], dataDir: '/var/lib/etcd'} as never}))).toEqual([expect.stringMatching(/^etcd\.dataDir: is for an etcd the tool runs/)]);
		expect(problems(baseProfile({etcd: {mode: 'external'} as never}))).toEqual([expect.stringMatching(/^etcd\.endpoints: is required with etcd\.mode: external/)]);
	});

	it('stacked needs etcd.binaries; a profile without any etcd says so and how to use an external one instead', () => {
		const {etcd: _etcd, ...noEtcd} = baseProfile();
		expect(problems(noEtcd)).toEqual([expect.stringMatching(/^etcd\.binaries: is required when the tool runs etcd on the masters .*etcd\.endpoints/)]);
	});

	it('refuses a quota above 8 GiB, a relative data directory and a bad retention, naming each field', () => {
		expect(problems(stackedInput({quotaBackendBytes: 8589934593, dataDir: 'var/lib/etcd', autoCompactionRetention: 'hourly'}))).toEqual([
			expect.stringMatching(/^etcd\.dataDir: must be an absolute path/),
			expect.stringMatching(/^etcd\.quotaBackendBytes: must be at most 8589934592 \(8 GiB\)/),
			expect.stringMatching(/^etcd\.autoCompactionRetention: must be a duration/),
		]);
		expect(problems(stackedInput({quotaBackendBytes: 8589934592, autoCompactionRetention: '2'}))).toEqual([]);
	});

	it('refuses an even number of members unless etcd.allowEvenMembers, and says why', () => {
		const four = [...baseProfile().nodes, {name: 'master4', ip: '198.18.0.14'}];
		expect(problems(stackedInput({}, {nodes: four}))).toEqual([
			expect.stringMatching(/^nodes: lists 4 masters.*4 members tolerate 1 failed, no more than 3 would.*etcd\.allowEvenMembers: true/),
		]);
		expect(problems(stackedInput({allowEvenMembers: true}, {nodes: four}))).toEqual([]);
		expect(problems(stackedInput({}, {nodes: baseProfile().nodes.slice(0, 1)}))).toEqual([]);
		// An external etcd's size is not the masters' count.
		expect(problems(baseProfile({nodes: four}))).toEqual([]);
	});
});
