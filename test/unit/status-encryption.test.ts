import {createHash, randomBytes} from 'node:crypto';
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {renderEncryptionConfig} from '../../source/render/config-files.js';
import {encryptionLine, stateEncryption} from '../../source/status/encryption.js';
import {assessSnapshot} from '../../source/status/health.js';
import {buildNodeProbeCommand, parseNodeProbeOutput} from '../../source/status/node-script.js';
import {healthySnapshot, withNode} from './status-fixtures.js';

/** The probe command run by a real sh against a config dir holding `config` (or none). */
function probe(config: string | undefined) {
	const work = mkdtempSync(join(tmpdir(), 'status-encryption-'));
	const configDir = join(work, 'etc');
	mkdirSync(configDir);
	if (config !== undefined) writeFileSync(join(configDir, 'encryption-config.yaml'), config);
	const stdout = execFileSync('sh', ['-c', buildNodeProbeCommand({certDir: join(work, 'no-cert'), configDir})], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
	return {stdout, encryption: parseNodeProbeOutput(stdout, Date.now()).encryption};
}

describe('status: the encryption config on each node', () => {
	it('reads the writing provider and key name and the sha256, never the secret', () => {
		const key = randomBytes(32).toString('base64');
		const config = renderEncryptionConfig(key, {provider: 'secretbox', keyName: 'key-20261206'});
		const {stdout, encryption} = probe(config);
		expect(encryption).toEqual({provider: 'secretbox', keyName: 'key-20261206', sha256: createHash('sha256').update(config).digest('hex')});
		expect(stdout).not.toContain(key);
		expect(stdout).not.toContain('secret:');
		expect(probe(undefined).encryption, 'no file').toBeNull();
		expect(probe('resources:\n  - resources: [secrets]\n    providers:\n      - identity: {}\n      - aescbc:\n          keys:\n            - name: old\n              secret: x\n').encryption).toMatchObject({provider: 'identity', keyName: null});
		expect(buildNodeProbeCommand({certDir: '/c', configDir: '/e'}, {certificates: false})).not.toContain('encryption');
	});

	it('compares each node with the state directory: the same file is one line, a differing one a warning naming the node', () => {
		const dir = mkdtempSync(join(tmpdir(), 'status-encryption-state-'));
		expect(stateEncryption(dir), 'nothing kept yet').toBeUndefined();
		const key = randomBytes(32).toString('base64');
		writeFileSync(join(dir, 'encryption-key'), `${key}\n`);
		writeFileSync(join(dir, 'encryption.json'), JSON.stringify({provider: 'secretbox', keyName: 'key-20261206'}));
		const expected = stateEncryption(dir)!;
		expect(expected).toEqual({provider: 'secretbox', keyName: 'key-20261206', sha256: createHash('sha256').update(renderEncryptionConfig(key, {provider: 'secretbox', keyName: 'key-20261206'})).digest('hex')});
		const same = {...healthySnapshot(3), encryption: expected};
		for (const n of same.nodes) n.encryption = {provider: 'secretbox', keyName: 'key-20261206', sha256: expected.sha256};
		expect(encryptionLine(same)).toBe("encryption: every master writes Secrets with secretbox key-20261206 (the state's config)");
		expect(assessSnapshot(same).problems).toEqual([]);
		const drifted = withNode(same, 'lab-m2', (n) => (n.encryption = {provider: 'aescbc', keyName: 'key1', sha256: '0'.repeat(64)}));
		expect(encryptionLine(drifted)).toBe("encryption: the state's config writes with secretbox key-20261206; lab-m2 writes with aescbc key1 (differs)");
		const problems = assessSnapshot(drifted).problems;
		expect(problems).toEqual([expect.objectContaining({severity: 'warning', node: 'lab-m2', message: expect.stringContaining("its encryption config differs from the state's")})]);
		expect(assessSnapshot(drifted).status).toBe('degraded');
	});

	it('an open rotation: said on the line, and a node one phase behind is the rotation\'s to carry on, not apply\'s', () => {
		const expected = {provider: 'secretbox', keyName: 'key-20261206', sha256: 'a'.repeat(64), rotation: {startedAt: '2026-12-06T12:00:00.000Z', from: {provider: 'aescbc', keyName: 'key1'}, to: {provider: 'secretbox', keyName: 'key-20261206'}, phase: 'rewrite', rewritten: 300, total: 748}};
		const snapshot = {...healthySnapshot(3), encryption: expected};
		for (const n of snapshot.nodes) n.encryption = {provider: 'secretbox', keyName: 'key-20261206', sha256: expected.sha256};
		expect(encryptionLine(snapshot)).toBe("encryption: every master writes Secrets with secretbox key-20261206 (the state's config); a rotation aescbc key1 → secretbox key-20261206 is in phase rewrite (300 of 748 Secrets rewritten): `encryption rotate` carries it on");
		const behind = withNode(snapshot, 'lab-m3', (n) => (n.encryption = {provider: 'aescbc', keyName: 'key1', sha256: 'b'.repeat(64)}));
		expect(assessSnapshot(behind).problems).toEqual([expect.objectContaining({node: 'lab-m3', hint: expect.stringContaining('`encryption rotate` carries it on')})]);
	});
});
