import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {renderEncryptionConfig} from '../../../source/render/config-files.js';
import {encryptionKeyNames, sidecarFileName, sidecarJson, snapshotFileName, type SnapshotRecord} from '../../../source/snapshot/record.js';
import {keptEncryptionKeyNames} from '../../../source/snapshot/take.js';

const KEY = Buffer.alloc(32, 9).toString('base64');

const record: SnapshotRecord = {
	path: '/state/lab/snapshots/etcd-20261201T134500Z-rev402.db',
	sidecarPath: '/state/lab/snapshots/etcd-20261201T134500Z-rev402.json',
	sha256: 'ab'.repeat(32),
	size: 131104,
	revision: 402,
	takenAt: '2026-12-01T13:45:00.123Z',
	etcdRelease: '3.6.16',
	storageVersion: '3.6.0',
	endpoint: 'https://198.18.0.11:2379',
	clusterId: '48278c1c9b5d3287',
	memberId: '2e1273d1b0a6b940',
	encryptionKeys: [{provider: 'aescbc', name: 'key1'}],
};

describe('the snapshot record', () => {
	it('names the file by UTC time and revision, and the sidecar after it', () => {
		const name = snapshotFileName(new Date('2026-12-01T13:45:00.123Z'), 402);
		expect(name).toBe('etcd-20261201T134500Z-rev402.db');
		expect(sidecarFileName(name)).toBe('etcd-20261201T134500Z-rev402.json');
	});

	it('writes a sidecar with what the snapshot is and the key names its Secrets need, no local paths', () => {
		const sidecar = JSON.parse(sidecarJson(record)) as Record<string, unknown>;
		expect(sidecar).toEqual({
			file: 'etcd-20261201T134500Z-rev402.db',
			sha256: 'ab'.repeat(32),
			size: 131104,
			revision: 402,
			takenAt: '2026-12-01T13:45:00.123Z',
			etcdRelease: '3.6.16',
			storageVersion: '3.6.0',
			endpoint: 'https://198.18.0.11:2379',
			clusterId: '48278c1c9b5d3287',
			memberId: '2e1273d1b0a6b940',
			encryptionKeys: [{provider: 'aescbc', name: 'key1'}],
		});
	});

	it('takes the key names from the encryption config the tool renders, never the key itself', () => {
		const state = mkdtempSync(join(tmpdir(), 'snapshot-record-'));
		expect(keptEncryptionKeyNames(state), 'no key kept').toEqual([]);
		writeFileSync(join(state, 'encryption-key'), `${KEY}\n`);
		const names = keptEncryptionKeyNames(state);
		expect(names, 'a state directory from before the provider choice').toEqual([{provider: 'aescbc', name: 'key1'}]);
		expect(encryptionKeyNames(renderEncryptionConfig(KEY, {provider: 'aescbc', keyName: 'key1'}))).toEqual(names);
		writeFileSync(join(state, 'encryption.json'), JSON.stringify({provider: 'secretbox', keyName: 'key-20261206'}));
		expect(keptEncryptionKeyNames(state)).toEqual([{provider: 'secretbox', name: 'key-20261206'}]);
		expect(sidecarJson({...record, encryptionKeys: names})).not.toContain(KEY);
	});

	it('lists every key that reads Secrets, in order, and none of other resources', () => {
		const config = `
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [configmaps]
    providers:
      - aesgcm: {keys: [{name: cm-key, secret: c2VjcmV0}]}
  - resources: [secrets]
    providers:
      - aescbc:
          keys:
            - {name: key2, secret: ${KEY}}
            - {name: key1, secret: ${KEY}}
      - kms: {apiVersion: v2, name: vault, endpoint: unix:///kms.sock}
      - identity: {}
`;
		expect(encryptionKeyNames(config)).toEqual([
			{provider: 'aescbc', name: 'key2'},
			{provider: 'aescbc', name: 'key1'},
			{provider: 'kms', name: 'vault'},
		]);
	});
});
