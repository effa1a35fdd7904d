import {describe, expect, it} from 'vitest';
import {ProfileError} from '../../../source/errors.js';
import {validateProfile} from '../../../source/profile/load.js';
import {ProfileSchema, isCidr, type ProfileInput} from '../../../source/profile/schema.js';
import {dnsNameProblem, parseEtcdEndpoint, remoteDirectoryProblem, sanProblem, unusableNodeIp} from '../../../source/profile/values.js';
import {ownedFlagProblem} from '../../../source/render/owned-flags.js';
import {baseProfile} from './fixtures.js';

/** The problems validateProfile reports, as "field: message" lines ([] when it accepts). */
function problems(profile: ProfileInput): string[] {
	try {
		validateProfile(profile, 'test');
		return [];
	} catch (error) {
		if (!(error instanceof ProfileError)) throw error;
		return error.problems.map((p) => `${p.field}: ${p.message}`);
	}
}

describe('strict profile values: what is accepted', () => {
	it('accepts the guide\'s and the lab\'s values, wildcard and IPv6 SANs, DNS and IPv6 etcd hosts, /12 and /28', () => {
		expect(problems(baseProfile())).toEqual([]);
		expect(
			problems(
				baseProfile({
					network: {serviceCidr: '10.96.0.0/12', podCidr: '172.30.0.0/16', clusterDomain: 'k8s.example.internal'},
					apiserver: {extraSans: ['*.k8s.example.com', 'lb-1.example.com', '192.168.31.100', 'fd00::1', 'K8S.Example.com'], extraArgs: {'authorization-mode': 'Node,RBAC', 'anonymous-auth': 'false', 'event-ttl': '24h'}},
					etcd: {endpoints: ['https://etcd-1.example.com:2379', 'https://[fd00::11]:2379', 'https://198.18.0.13:2379']},
					paths: {binDir: '/usr/local/k8s/bin', certDir: '/etc/kubernetes/pki', configDir: '/etc/kubernetes', unitDir: '/etc/systemd/system', dataDir: '/var/lib/k8s'},
				}),
			),
		).toEqual([]);
		expect(problems(baseProfile({network: {serviceCidr: '10.254.0.0/28'}}))).toEqual([]);
		for (const ip of ['10.0.0.1', '172.16.5.4', '192.168.31.44', '198.18.0.11', '100.64.0.1', '8.8.8.8']) expect(unusableNodeIp(ip), ip).toBeUndefined();
	});
});

describe('strict profile values: what is refused, at its field', () => {
	it('node addresses that are not a reachable unicast host', () => {
		for (const [ip, why] of [
			['0.0.0.0', /this network/],
			['0.1.2.3', /this network/],
			['127.0.0.1', /loopback/],
			['127.1.2.3', /loopback/],
			['169.254.10.1', /link-local/],
			['224.0.0.1', /multicast/],
			['239.255.255.250', /multicast/],
			['240.0.0.1', /reserved/],
			['255.255.255.255', /broadcast/],
		] as const) {
			expect(unusableNodeIp(ip), ip).toMatch(why);
		}
	});

	it('networks with host bits, and a service network outside /12-/28', () => {
		expect(isCidr('10.254.0.0/16')).toBe(true);
		expect(isCidr('10.254.0.1/16')).toBe(false);
		expect(problems(baseProfile({network: {podCidr: '172.30.0.1/16'}}))).toEqual([expect.stringMatching(/^network\.podCidr: 172\.30\.0\.1\/16 has host bits set; the network is 172\.30\.0\.0\/16$/)]);
		expect(problems(baseProfile({network: {serviceCidr: '10.0.0.0/11'}}))).toEqual([expect.stringMatching(/^network\.serviceCidr: .*between \/12 and \/28/)]);
	});

	it('DNS names: label length, characters, total length, and mistyped IP addresses', () => {
		expect(dnsNameProblem('a'.repeat(63))).toBeUndefined();
		expect(dnsNameProblem('a'.repeat(64))).toMatch(/1-63/);
		expect(dnsNameProblem('-a.example.com')).toMatch(/not starting or ending with "-"/);
		expect(dnsNameProblem(Array(5).fill('a'.repeat(60)).join('.'))).toMatch(/253/);
		for (const typo of ['192.168.1.300', '10.0.0', '1.2.3.4.5', '999']) expect(sanProblem(typo), typo).toMatch(/mistyped IP address/);
		expect(sanProblem('*.example.com')).toBeUndefined();
		expect(sanProblem('a.*.example.com')).toMatch(/wildcard only as a first/);
		expect(problems(baseProfile({network: {clusterDomain: 'cluster..local'}}))).toEqual([expect.stringMatching(/^network\.clusterDomain: "cluster\.\.local" is not a DNS name/)]);
	});

	it('etcd endpoints: exactly https://HOST:PORT, once each', () => {
		expect(parseEtcdEndpoint('https://198.18.0.11:2379')).toEqual({host: '198.18.0.11', port: 2379});
		expect(parseEtcdEndpoint('https://[FD00::1]:2379')).toEqual({host: 'fd00::1', port: 2379});
		for (const [url, why] of [
			['http://198.18.0.11:2379', /an https URL/],
			['https://198.18.0.11:2379/', /nothing after the port/],
			['https://198.18.0.11:2379#x', /nothing after the port/],
			['https://u:p@198.18.0.11:2379', /no user name/],
			['https://198.18.0.11', /the port is required/],
			['https://198.18.0.11:', /must be exactly/],
			['https://198.18.0.11:0', /1-65535/],
			['https://198.18.0.11:70000', /1-65535/],
			['https://[zz::1]:2379', /must be exactly/],
			['https://[1:2:3]:2379', /not an IPv6 address/],
			['https://$(id):2379', /must be exactly/],
			['https://a b:2379', /must be exactly/],
		] as const) {
			const parsed = parseEtcdEndpoint(url);
			expect('problem' in parsed ? parsed.problem : 'accepted', url).toMatch(why);
		}
		// The same member twice, spelled differently, is a duplicate.
		expect(problems(baseProfile({etcd: {endpoints: ['https://etcd1.example.com:2379', 'https://ETCD1.example.com:2379']}}))).toEqual([
			expect.stringMatching(/^etcd\.endpoints\[1\]: duplicates etcd\.endpoints\[0\]/),
		]);
	});

	it('directories on the nodes: absolute, normalised, plain characters, not the system\'s', () => {
		expect(remoteDirectoryProblem('/opt/k8s/bin')).toBeUndefined();
		expect(remoteDirectoryProblem('/etc/systemd/system')).toBeUndefined();
		for (const [path, why] of [
			['opt/k8s', /absolute/],
			['~/k8s', /absolute/],
			['/opt/k8s/', /normalised: \/opt\/k8s/],
			['/opt/./k8s', /normalised: \/opt\/k8s/],
			['/opt/x/../../etc', /normalised: \/etc/],
			['/opt/k8s bin', /only letters/],
			['/opt/$(id)', /only letters/],
			['/opt/k8s\n', /only letters/],
			['/', /system directory/],
			['/usr', /system directory/],
			['/var/lib', /system directory/],
			['/etc/systemd', /system directory/],
		] as const) {
			expect(remoteDirectoryProblem(path), JSON.stringify(path)).toMatch(why);
		}
	});

	it('extraArgs: control characters in values, names with "--", the tool\'s own flags', () => {
		expect(problems(baseProfile({apiserver: {extraArgs: {'event-ttl': '1h\r'}}}))).toEqual([expect.stringMatching(/^apiserver\.extraArgs\.event-ttl: holds a control character \(U\+000D\)/)]);
		expect(problems(baseProfile({apiserver: {extraArgs: {'event-ttl': 'a\u0085b'}}}))).toEqual([expect.stringMatching(/control character \(U\+0085\)/)]);
		expect(problems(baseProfile({scheduler: {extraArgs: {V: '2'}}}))).toEqual([expect.stringMatching(/^scheduler\.extraArgs\.V: must be a flag name/)]);
		const profile = ProfileSchema.parse(baseProfile());
		for (const [component, flag, value, why] of [
			['kube-apiserver', 'secure-port', '6443', /is set by the tool/],
			['kube-scheduler', 'secure-port', '10259', /is set by the tool/],
			['kube-apiserver', 'service-cluster-ip-range', '10.0.0.0/16', /network\.serviceCidr/],
			['kube-apiserver', 'etcd-servers', 'https://x:2379', /etcd\.endpoints/],
			['kube-apiserver', 'tls-private-key-file', '/x', /names \/etc\/kubernetes\/cert\/kubernetes-key\.pem/],
			['kube-apiserver', 'requestheader-client-ca-file', '/x', /names \/etc\/kubernetes\/cert\/front-proxy-ca\.pem/],
			['kube-apiserver', 'client-ca-file', '/x', /names \/etc\/kubernetes\/cert\/ca\.pem/],
			['kube-apiserver', 'audit-policy-file', '/x', /names \/etc\/kubernetes\/audit-policy\.yaml/],
			['kube-controller-manager', 'kubeconfig', '/x', /names \/etc\/kubernetes\/kube-controller-manager\.kubeconfig/],
			['kube-controller-manager', 'cluster-signing-key-file', '/x', /names \/etc\/kubernetes\/cert\/ca-key\.pem/],
			['kube-scheduler', 'config', '/x', /names \/etc\/kubernetes\/kube-scheduler\.yaml/],
			['kube-apiserver', 'authorization-mode', 'Node', /must include RBAC/],
			['kube-apiserver', 'anonymous-auth', 'True', /must stay false/],
		] as const) {
			expect(ownedFlagProblem(profile, component, flag, value), `${component} --${flag}`).toMatch(why);
		}
		for (const [component, flag, value] of [
			['kube-apiserver', 'authorization-mode', 'Node,RBAC,Webhook'],
			['kube-apiserver', 'anonymous-auth', 'false'],
			['kube-apiserver', 'runtime-config', 'api/all=true'],
			['kube-apiserver', 'audit-log-maxage', '30'],
			['kube-controller-manager', 'cluster-signing-duration', '8760h'],
		] as const) {
			expect(ownedFlagProblem(profile, component, flag, value), `${component} --${flag}`).toBeUndefined();
		}
	});
});
