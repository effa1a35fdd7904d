import {execFileSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {certificateFromPem, certificateFromPeer, daysLeft} from '../../source/status/certificates.js';
import {holderHostname, leaseStatusFromJson, mapHolderToNode} from '../../source/cluster/lease.js';
import {buildNodeProbeCommand, parseNodeProbeOutput, parseSystemctlShow, parseSystemdTimestamp} from '../../source/status/node-script.js';
import {parseReadyzVerbose} from '../../source/cluster/readyz.js';
import {makeTestPki, type TestPki} from './status-fixtures.js';

const READYZ_FAILING = `[+]ping ok
[+]log ok
[-]etcd failed: reason withheld
[+]etcd-readiness ok
[+]informer-sync ok
[+]poststarthook/start-apiserver-admission-initializer ok
[-]poststarthook/rbac/bootstrap-roles failed: not finished
[+]shutdown ok
readyz check failed
`;

describe('readyz?verbose parser', () => {
	it('names the failing checks with their reasons, etcd among them', () => {
		const parsed = parseReadyzVerbose(READYZ_FAILING);
		expect(parsed.checks).toHaveLength(8);
		expect(parsed.failingChecks).toEqual([
			{name: 'etcd', reason: 'reason withheld'},
			{name: 'poststarthook/rbac/bootstrap-roles', reason: 'not finished'},
		]);
	});
	it('a healthy body has no failing checks; CRLF and "excluded" lines are understood', () => {
		const parsed = parseReadyzVerbose('[+]ping ok\r\n[+]etcd excluded: ok\r\nreadyz check passed\r\n');
		expect(parsed.checks.map((c) => c.name)).toEqual(['ping', 'etcd']);
		expect(parsed.failingChecks).toEqual([]);
		expect(parseReadyzVerbose('ok').checks).toEqual([]);
	});
	it('a failed check without a reason', () => {
		expect(parseReadyzVerbose('[-]etcd failed\n').failingChecks).toEqual([{name: 'etcd', reason: null}]);
	});
});

describe('Lease holder → node', () => {
	const nodes = [
		{name: 'master1', hostname: 'k8s-a.example.com'},
		{name: 'master2', hostname: null},
		{name: 'lab-m3', hostname: 'lab-m3'},
	];
	it('maps by the hostname each node reported, by node name, by first DNS label', () => {
		expect(holderHostname('k8s-a.example.com_2f1c9c6e-9a5e-4d7b-8c5e-0e7d2c7c1a11')).toBe('k8s-a.example.com');
		expect(mapHolderToNode('k8s-a.example.com_2f1c9c6e', nodes)).toBe('master1');
		expect(mapHolderToNode('k8s-a_2f1c9c6e', nodes)).toBe('master1');
		expect(mapHolderToNode('master2_0a1b', nodes)).toBe('master2');
		expect(mapHolderToNode('master2.corp.lan_0a1b', nodes)).toBe('master2');
		expect(mapHolderToNode('LAB-M3_0a1b', nodes)).toBe('lab-m3');
	});
	it('an unknown host maps to no node', () => {
		expect(mapHolderToNode('other-host_0a1b', nodes)).toBeNull();
		expect(mapHolderToNode('_0a1b', nodes)).toBeNull();
	});
});

describe('Lease JSON → status', () => {
	const now = Date.parse('2026-11-20T03:00:00Z');
	const lease = (renewTime: string | undefined, holder: string | undefined = 'lab-m2_8d1c') => ({
		apiVersion: 'coordination.k8s.io/v1',
		kind: 'Lease',
		metadata: {name: 'kube-scheduler', namespace: 'kube-system'},
		spec: {holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: '2026-11-19T01:00:00.000000Z', renewTime, leaseTransitions: 4},
	});
	const nodes = [{name: 'lab-m1'}, {name: 'lab-m2'}];
	it('held: renewed within leaseDurationSeconds (MicroTime with 6 fraction digits)', () => {
		const s = leaseStatusFromJson('kube-scheduler', lease('2026-11-20T02:59:50.123456Z'), nodes, now, 'lab-m1');
		expect(s).toMatchObject({state: 'held', holderNode: 'lab-m2', holderIdentity: 'lab-m2_8d1c', transitions: 4, expired: false, renewTime: '2026-11-20T02:59:50.123Z', readFrom: 'lab-m1'});
	});
	it('expired: renewTime + leaseDurationSeconds in the past', () => {
		const s = leaseStatusFromJson('kube-scheduler', lease('2026-11-20T02:59:44.000000Z'), nodes, now, 'lab-m1');
		expect(s).toMatchObject({state: 'expired', expired: true, holderNode: 'lab-m2'});
	});
	it('absent: no holderIdentity (released on shutdown); a holder without renewTime is not held', () => {
		expect(leaseStatusFromJson('kube-scheduler', lease('2026-11-20T02:59:59Z', ''), nodes, now, null).state).toBe('absent');
		expect(leaseStatusFromJson('kube-scheduler', lease(undefined), nodes, now, null).state).toBe('expired');
		expect(leaseStatusFromJson('kube-scheduler', null, nodes, now, null).state).toBe('absent');
	});
});

describe('systemctl show parser', () => {
	const SHOW = `Id=kube-apiserver.service
LoadState=loaded
ActiveState=active
SubState=running
Result=success
NRestarts=0
StateChangeTimestamp=@1763600000
ActiveEnterTimestamp=@1763600000
ExecMainStartTimestamp=@1763599999

Id=kube-controller-manager.service
LoadState=loaded
ActiveState=failed
SubState=failed
Result=exit-code
NRestarts=3
StateChangeTimestamp=@1763601000
ActiveEnterTimestamp=@1763600000
ExecMainStartTimestamp=@1763600990

Id=kube-scheduler.service
LoadState=not-found
ActiveState=inactive
SubState=dead
Result=success
NRestarts=0
StateChangeTimestamp=
ActiveEnterTimestamp=
ExecMainStartTimestamp=
`;
	it('reads each unit by Id, in whatever order systemd prints properties', () => {
		const units = parseSystemctlShow(SHOW);
		expect(units['kube-apiserver']).toEqual({
			unit: 'kube-apiserver',
			loadState: 'loaded',
			activeState: 'active',
			subState: 'running',
			result: 'success',
			nRestarts: 0,
			since: new Date(1763600000_000).toISOString(),
			mainStartedAt: new Date(1763599999_000).toISOString(),
		});
		expect(units['kube-controller-manager']).toMatchObject({activeState: 'failed', result: 'exit-code', nRestarts: 3, since: new Date(1763601000_000).toISOString()});
		expect(units['kube-scheduler']).toMatchObject({loadState: 'not-found', since: null, mainStartedAt: null});
	});
	it('timestamps: unix, UTC text, empty', () => {
		expect(parseSystemdTimestamp('@0')).toBeNull();
		expect(parseSystemdTimestamp('Thu 2026-11-19 10:00:00 UTC')).toBe('2026-11-19T10:00:00.000Z');
		expect(parseSystemdTimestamp('2026-11-19 10:00:00 +01:00')).toBe('2026-11-19T09:00:00.000Z');
		expect(parseSystemdTimestamp('n/a')).toBeNull();
		expect(parseSystemdTimestamp('')).toBeNull();
	});
	it('a unit missing from the output stays unknown (null)', () => {
		expect(parseSystemctlShow('Id=kube-apiserver.service\nActiveState=active')['kube-scheduler']).toBeNull();
	});
});

describe('the batched node command', () => {
	let pki: TestPki;
	beforeAll(() => {
		pki = makeTestPki();
	});
	afterAll(() => pki.cleanup());

	it('quotes paths for the shell', () => {
		const cmd = buildNodeProbeCommand({certDir: "/etc/it's here", configDir: '/etc/kubernetes'});
		expect(cmd.startsWith("sh -c '")).toBe(true);
		expect(cmd).toContain('systemctl show --timestamp=unix -p Id,LoadState,ActiveState,SubState,Result,NRestarts,StateChangeTimestamp,ActiveEnterTimestamp,ExecMainStartTimestamp kube-apiserver kube-controller-manager kube-scheduler');
	});

	it('run by a real sh: certificates from files and kubeconfigs come out, key material never does', () => {
		const certDir = join(pki.dir, 'cert dir');
		const confDir = join(pki.dir, 'conf');
		mkdirSync(certDir, {recursive: true});
		mkdirSync(confDir, {recursive: true});
		writeFileSync(join(certDir, 'kubernetes.pem'), pki.serverPem);
		writeFileSync(join(certDir, 'kubernetes-key.pem'), pki.serverKeyPem);
		writeFileSync(join(certDir, 'ca.pem'), pki.caPem);
		// A bundle holding a key and a cert in one file: only the certificate block may leave.
		writeFileSync(join(certDir, 'bundle.pem'), `${pki.clientKeyPem}${pki.clientPem}`);
		const b64 = (s: string) => Buffer.from(s).toString('base64');
		writeFileSync(
			join(confDir, 'kube-scheduler.kubeconfig'),
			`apiVersion: v1\nusers:\n- name: system:kube-scheduler\n  user:\n    client-certificate-data: ${b64(pki.clientPem)}\n    client-key-data: ${b64(pki.clientKeyPem)}\n`,
		);
		const cmd = buildNodeProbeCommand({certDir, configDir: confDir});
		const stdout = execFileSync('sh', ['-c', cmd], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
		expect(stdout).not.toMatch(/PRIVATE KEY/);
		expect(stdout).not.toContain(b64(pki.clientKeyPem));
		const now = Date.now();
		const parsed = parseNodeProbeOutput(stdout, now);
		expect(parsed.complete).toBe(true);
		expect(parsed.hostname).toBeTruthy();
		const bySource = new Map(parsed.certificates!.map((c) => [c.source, c]));
		expect([...bySource.keys()].sort()).toEqual(
			[join(certDir, 'bundle.pem'), join(certDir, 'ca.pem'), join(certDir, 'kubernetes.pem'), `${join(confDir, 'kube-scheduler.kubeconfig')} (client)`].sort(),
		);
		expect(bySource.get(join(certDir, 'kubernetes.pem'))).toMatchObject({kind: 'file', subject: 'CN=kubernetes-master', daysLeft: 19});
		expect(bySource.get(join(certDir, 'ca.pem'))?.daysLeft).toBe(29);
		expect(bySource.get(`${join(confDir, 'kube-scheduler.kubeconfig')} (client)`)).toMatchObject({kind: 'kubeconfig', subject: 'O=system:masters, CN=admin'});
	});

	it('an empty cert dir and no systemd: nothing, but complete', () => {
		const stdout = execFileSync('sh', ['-c', buildNodeProbeCommand({certDir: '/nonexistent-dir', configDir: '/nonexistent-dir'})], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
		const parsed = parseNodeProbeOutput(stdout, Date.now());
		expect(parsed.certificates).toEqual([]);
		expect(parsed.complete).toBe(true);
	});
});

describe('certificate expiry', () => {
	it('daysLeft rounds down, negative when expired', () => {
		expect(daysLeft(Date.parse('2026-01-11T00:00:00Z'), Date.parse('2026-01-01T01:00:00Z'))).toBe(9);
		expect(daysLeft(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T01:00:00Z'))).toBe(-1);
	});
	it('from a TLS peer certificate (valid_to) and from garbage', () => {
		const c = certificateFromPeer({valid_to: 'Jan 11 00:00:00 2026 GMT', subject: {CN: 'kube-scheduler'}}, 'https://198.18.0.11:10259', Date.parse('2026-01-01T00:00:00Z'));
		expect(c).toEqual({source: 'https://198.18.0.11:10259', kind: 'served', subject: 'CN=kube-scheduler', notAfter: '2026-01-11T00:00:00.000Z', daysLeft: 10});
		expect(certificateFromPem('not a cert', 'x', 'file', 0)).toBeUndefined();
		expect(certificateFromPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', 'x', 'file', 0)).toBeUndefined();
	});
});
