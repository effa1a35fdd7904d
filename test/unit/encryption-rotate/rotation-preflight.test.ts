import {describe, expect, it} from 'vitest';
import {judgeRotationPreflight, type DryRunFindings} from '../../../source/run/encryption-rotate/rotation-preflight.js';

const ENC = '/etc/kubernetes/encryption-config.yaml';
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const update = (path: string, before = A) => ({kind: 'update' as const, path, mode: '0600', sha256Before: before, sha256After: 'f'.repeat(64)});
const restart = (service: string) => ({kind: 'restart' as const, service, reason: 'inputs changed: encryption-config.yaml'});
const judge = (findings: Partial<DryRunFindings>, resuming = false, accepted: string[] = []) =>
	judgeRotationPreflight({findings: {failed: [], changes: [], ...findings}, encryptionConfigPath: ENC, acceptedConfigs: new Set(accepted), resuming});

describe('before a rotation', () => {
	it('passes when apply would change nothing', () => {
		expect(judge({})).toEqual([]);
	});

	it('names the node whose encryption config differs (drift), once, with the way to look at it', () => {
		const refusals = judge({changes: [{node: 'm3', change: update(ENC)}, {node: 'm3', change: restart('kube-apiserver')}]});
		expect(refusals).toHaveLength(1);
		expect(refusals[0]!.message).toMatch(/^m3: its encryption config \/etc\/kubernetes\/encryption-config\.yaml differs from the state's \(sha256 a{16}… there\)/);
		expect(refusals[0]!.hint).toContain('look at the file on m3');
	});

	it('refuses a pending change of anything else: apply first', () => {
		const refusals = judge({changes: [{node: 'm1', change: update('/etc/kubernetes/audit-policy.yaml')}, {node: 'm1', change: restart('kube-scheduler')}]});
		expect(refusals.map((r) => r.message)).toEqual(['m1: apply has changes to make first: update /etc/kubernetes/audit-policy.yaml, restart kube-scheduler (inputs changed: encryption-config.yaml)']);
		expect(refusals[0]!.hint).toMatch(/^run `apply`/);
	});

	it('on a resume, a config of one of the rotation\'s phases (a killed run) is accepted, another one is not', () => {
		expect(judge({changes: [{node: 'm2', change: update(ENC, A)}, {node: 'm2', change: restart('kube-apiserver')}]}, true, [A])).toEqual([]);
		expect(judge({changes: [{node: 'm2', change: update(ENC, B)}]}, true, [A]).map((r) => r.node)).toEqual(['m2']);
	});

	it('a master that cannot be reached: its error and why a rotation needs it', () => {
		const [r] = judge({failed: [{node: 'm2', step: 'connect', message: 'ECONNREFUSED 10.0.0.2:22'}]});
		expect(r!.message).toBe('m2: connect failed: ECONNREFUSED 10.0.0.2:22');
		expect(r!.hint).toMatch(/needs every master serving/);
	});
});
