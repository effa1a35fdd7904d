import {describe, expect, it} from 'vitest';
import {assessSnapshot} from '../../source/status/health.js';
import {countValues, storedAs, storedSecretsLine} from '../../source/status/stored-secrets.js';
import {healthySnapshot} from './status-fixtures.js';

const enc = (provider: string, key: string) => Buffer.concat([Buffer.from(`k8s:enc:${provider}:v1:${key}:`), Buffer.from([0, 1, 2, 0xff])]);

describe('status --encryption: Secrets counted by how etcd stores them', () => {
	it('tells each raw value by its prefix', () => {
		expect(storedAs(enc('secretbox', 'key-20261206'))).toEqual({encrypted: {provider: 'secretbox', keyName: 'key-20261206'}});
		expect(storedAs(enc('aescbc', 'key1'))).toEqual({encrypted: {provider: 'aescbc', keyName: 'key1'}});
		expect(storedAs(Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0x0a, 0x0b])]))).toBe('plaintext');
		expect(storedAs(Buffer.from('{"kind":"Secret"}'))).toBe('plaintext');
		expect(storedAs(Buffer.from([1, 2, 3]))).toBe('other');
	});

	it('counts per provider and key name, plaintext apart, and warns about plaintext only', () => {
		const counts = countValues([enc('secretbox', 'key-b'), enc('aescbc', 'key1'), enc('secretbox', 'key-b'), Buffer.from('k8s\0x')]);
		expect(counts).toEqual({total: 4, byKey: [{provider: 'secretbox', keyName: 'key-b', count: 2}, {provider: 'aescbc', keyName: 'key1', count: 1}], plaintext: 1, other: 0});
		const stored = {endpoint: 'https://198.18.0.11:2379', ...counts};
		expect(storedSecretsLine(stored)).toBe('stored Secrets (etcd https://198.18.0.11:2379): 4: 2 secretbox key-b, 1 aescbc key1, 1 plaintext');
		const problems = assessSnapshot({...healthySnapshot(3), storedSecrets: stored}).problems;
		expect(problems).toEqual([expect.objectContaining({severity: 'warning', message: '1 of 4 Secrets are stored in plaintext in etcd (written before encryption was turned on)'})]);
		expect(assessSnapshot({...healthySnapshot(3), storedSecrets: {...stored, plaintext: 0}}).problems).toEqual([]);
		expect(storedSecretsLine({endpoint: null, total: 0, byKey: [], plaintext: 0, other: 0, error: 'https://x:2379: connection refused'})).toBe('stored Secrets: not counted: https://x:2379: connection refused');
	});
});
