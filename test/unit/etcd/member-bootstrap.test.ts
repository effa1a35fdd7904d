import {describe, expect, it} from 'vitest';
import {dropBootstrap, initialMembersOf, parseBootstrapRecord, serializeBootstrapRecord, withBootstraps} from '../../../source/etcd/member-bootstrap.js';
import {initialClusterFlag} from '../../../source/etcd/members.js';

const nodes = (...names: string[]) => names.map((name) => ({name, ip: `10.0.0.${name.slice(1)}`}));
const flag = (record: ReturnType<typeof withBootstraps>, name: string) => initialClusterFlag(initialMembersOf(record[name]!));

describe("each stacked member's first-start flags, kept in the state directory", () => {
	it('founds a new cluster with every master', () => {
		const record = withBootstraps({}, nodes('m1', 'm2', 'm3'));
		expect(Object.values(record).map((e) => e.clusterState)).toEqual(['new', 'new', 'new']);
		expect(flag(record, 'm2')).toBe('m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380,m3=https://10.0.0.3:2380');
	});

	it('an added master joins with the members before it and itself, the old entries unchanged', () => {
		const founded = withBootstraps({}, nodes('m1', 'm2', 'm3'));
		const added = withBootstraps(founded, nodes('m1', 'm2', 'm3', 'm4'));
		expect(added['m4']?.clusterState).toBe('existing');
		expect(flag(added, 'm4')).toBe('m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380,m3=https://10.0.0.3:2380,m4=https://10.0.0.4:2380');
		for (const n of ['m1', 'm2', 'm3']) expect(added[n]).toEqual(founded[n]);
		// m1 removed (forgotten), then m5 added: the cluster's members at that moment are m2..m4.
		const after = withBootstraps(dropBootstrap(added, 'm1'), nodes('m2', 'm3', 'm4', 'm5'));
		expect(flag(after, 'm5')).toBe('m2=https://10.0.0.2:2380,m3=https://10.0.0.3:2380,m4=https://10.0.0.4:2380,m5=https://10.0.0.5:2380');
		expect(after['m4']).toEqual(added['m4']);
	});

	it('a departing master keeps its entry until forgotten; a master at a new address joins anew', () => {
		const founded = withBootstraps({}, nodes('m1', 'm2', 'm3'));
		expect(Object.keys(withBootstraps(founded, nodes('m2', 'm3')))).toEqual(['m1', 'm2', 'm3']);
		const moved = withBootstraps(founded, [...nodes('m1', 'm2'), {name: 'm3', ip: '10.0.0.33'}]);
		expect(moved['m3']).toEqual({peerUrl: 'https://10.0.0.33:2380', clusterState: 'existing', initialCluster: [{name: 'm1', peerUrl: 'https://10.0.0.1:2380'}, {name: 'm2', peerUrl: 'https://10.0.0.2:2380'}, {name: 'm3', peerUrl: 'https://10.0.0.33:2380'}]});
	});

	it('a state directory from before the record: the installed masters founded the cluster, an added one joins it', () => {
		const record = withBootstraps({}, nodes('m1', 'm2', 'm3', 'm4'), nodes('m1', 'm2', 'm3'));
		expect(record['m1']?.clusterState).toBe('new');
		expect(flag(record, 'm1')).toBe('m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380,m3=https://10.0.0.3:2380');
		expect(record['m4']?.clusterState).toBe('existing');
	});

	it('round-trips through its file, and names the file when it is not what the tool writes', () => {
		const record = withBootstraps({}, nodes('m1', 'm2', 'm3'));
		expect(parseBootstrapRecord(serializeBootstrapRecord(record), 'x')).toEqual(record);
		expect(parseBootstrapRecord(undefined, 'x')).toEqual({});
		expect(() => parseBootstrapRecord('{', '/s/etcd/members.json')).toThrow(/^\/s\/etcd\/members.json is not JSON/);
		expect(() => parseBootstrapRecord('{"version":1,"members":{"m1":{}}}', '/s/etcd/members.json')).toThrow(/does not hold what k8s-master-setup writes there/);
	});
});
