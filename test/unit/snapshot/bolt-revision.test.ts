import {describe, expect, it} from 'vitest';
import {boltRevision, BoltFormatError, type ReadAt} from '../../../source/snapshot/bolt-revision.js';
import {FIXTURE_REVISION, fixtureDatabase} from './gateway-stream.js';

const reader = (bytes: Buffer): ReadAt => (offset, length) => bytes.subarray(offset, offset + length);

describe('the revision of an etcd database', () => {
	it('is the main revision of the last key, as etcdutl snapshot status reports it', () => {
		const db = fixtureDatabase();
		expect(boltRevision(reader(db), db.length)).toBe(FIXTURE_REVISION);
	});

	it('refuses a file that is not a whole bbolt database', () => {
		const db = fixtureDatabase();
		const truncated = db.subarray(0, 40_000);
		expect(() => boltRevision(reader(truncated), truncated.length)).toThrow(BoltFormatError);
		const noise = Buffer.alloc(8192, 7);
		expect(() => boltRevision(reader(noise), noise.length)).toThrow(/no valid meta page/);
		const damagedMetas = Buffer.from(db);
		damagedMetas[16 + 20] ^= 0xff; // meta 0's root page: its checksum no longer matches
		damagedMetas[4096 + 16 + 20] ^= 0xff;
		expect(() => boltRevision(reader(damagedMetas), damagedMetas.length)).toThrow(/no valid meta page/);
	});
});
