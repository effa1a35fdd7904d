// The revision of an etcd snapshot, read from the snapshot itself. The snapshot stream
// carries no response header, and the cluster's revision moves on while it is taken (every
// Lease renewal is a write), so a status before or after would be a guess. etcd's database
// is a bbolt file; its `key` bucket is keyed by revision (8 bytes big-endian main revision,
// `_`, 8 bytes sub revision), in order, and `etcdutl snapshot status` reports the main
// revision of the last key. This reads that key and nothing else: the two meta pages, the
// root bucket's pages down to `key`, and the rightmost path of that bucket's tree.
// bbolt's layout (little-endian on every platform etcd ships): page header {id u64, flags
// u16, count u16, overflow u32}; meta {magic u32, version u32, pageSize u32, flags u32,
// root {pgid u64, sequence u64}, freelist u64, pgid u64, txid u64, checksum u64 (FNV-1a of
// the 56 bytes before)}; branch element {pos u32, ksize u32, pgid u64}; leaf element {flags
// u32, pos u32, ksize u32, vsize u32}; `pos` counts from the element itself.
import {closeSync, fstatSync, openSync, readSync} from 'node:fs';

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export type ReadAt = (offset: number, length: number) => Buffer;

export class BoltFormatError extends Error {
	override name = 'BoltFormatError';
}

const MAGIC = 0xed0cdaed;
const PAGE_HEADER = 16;
const ELEMENT = 16;
const BRANCH = 0x01;
const LEAF = 0x02;
const BUCKET_LEAF = 0x01;
const KEY_BUCKET = Buffer.from('key');

/** The main revision of the last key in etcd's `key` bucket (0 when it holds none), as etcdutl reports it. */
export function boltRevision(read: ReadAt, fileSize: number): number {
	const db = openMeta(read, fileSize);
	const bucket = findBucket(db, db.rootPage, KEY_BUCKET);
	if (bucket === undefined) throw new BoltFormatError('no "key" bucket: not an etcd database');
	const last = lastKey(db, bucket);
	if (last === undefined) return 0;
	if (last.length < 17 || last[8] !== 0x5f) throw new BoltFormatError(`a key of ${last.length} bytes in the "key" bucket is not a revision`);
	const main = last.readBigUInt64BE(0);
	if (main > BigInt(Number.MAX_SAFE_INTEGER)) throw new BoltFormatError(`revision ${main} is beyond what this tool can record`);
	return Number(main);
}

/** boltRevision of a file on disk. */
export function boltRevisionOfFile(path: string): number {
	const fd = openSync(path, 'r');
	try {
		const read: ReadAt = (offset, length) => {
			const buffer = Buffer.alloc(length);
			const n = readSync(fd, buffer, 0, length, offset);
			return buffer.subarray(0, n);
		};
		return boltRevision(read, fstatSync(fd).size);
	} finally {
		closeSync(fd);
	}
}

interface Db {
	read: ReadAt;
	pageSize: number;
	rootPage: number;
	/** Pages the meta says exist: a reference beyond is a damaged file. */
	pageCount: number;
}

function openMeta(read: ReadAt, fileSize: number): Db {
	const first = read(0, 4096);
	if (first.length < PAGE_HEADER + 64) throw new BoltFormatError(`${fileSize} bytes: too short for a bbolt database`);
	const pageSize = first.readUInt32LE(PAGE_HEADER + 8);
	const metas = [first, pageSize >= 512 && pageSize <= 65536 ? read(pageSize, PAGE_HEADER + 64) : Buffer.alloc(0)]
		.map((page) => validMeta(page))
		.filter((m): m is NonNullable<ReturnType<typeof validMeta>> => m !== undefined);
	// Both meta pages are written in turn; the valid one with the higher transaction id is current.
	const meta = metas.sort((a, b) => (a.txid > b.txid ? -1 : a.txid < b.txid ? 1 : 0))[0];
	if (meta === undefined) throw new BoltFormatError('no valid meta page: not a bbolt database, or a damaged one');
	return {read, pageSize: meta.pageSize, rootPage: meta.root, pageCount: meta.pageCount};
}

function validMeta(page: Buffer): {pageSize: number; root: number; pageCount: number; txid: bigint} | undefined {
	if (page.length < PAGE_HEADER + 64) return undefined;
	const m = page.subarray(PAGE_HEADER, PAGE_HEADER + 64);
	if (m.readUInt32LE(0) !== MAGIC || m.readUInt32LE(4) !== 2) return undefined;
	if (fnv1a64(m.subarray(0, 56)) !== m.readBigUInt64LE(56)) return undefined;
	return {pageSize: m.readUInt32LE(8), root: safe(m.readBigUInt64LE(16)), pageCount: safe(m.readBigUInt64LE(40)), txid: m.readBigUInt64LE(48)};
}

interface Page {
	flags: number;
	count: number;
	/** The page's bytes, from its header on. */
	bytes: Buffer;
}

function readPage(db: Db, id: number): Page {
	if (id < 2 || id >= db.pageCount) throw new BoltFormatError(`a reference to page ${id} outside the database (${db.pageCount} pages)`);
	const header = db.read(id * db.pageSize, PAGE_HEADER);
	if (header.length < PAGE_HEADER) throw new BoltFormatError(`page ${id} is beyond the end of the file (truncated)`);
	const overflow = header.readUInt32LE(12);
	const bytes = db.read(id * db.pageSize, (overflow + 1) * db.pageSize);
	if (bytes.length < (overflow + 1) * db.pageSize) throw new BoltFormatError(`page ${id} is cut short by the end of the file (truncated)`);
	return {flags: header.readUInt16LE(8), count: header.readUInt16LE(10), bytes};
}

/** A bucket's tree: a page of the file, or (an inline bucket) a page held in its parent's value. */
type Tree = {page: number} | {inline: Page};

function pageOf(db: Db, tree: Tree): Page {
	return 'page' in tree ? readPage(db, tree.page) : tree.inline;
}

function leafElement(page: Page, i: number): {flags: number; key: Buffer; value: Buffer} {
	const at = PAGE_HEADER + i * ELEMENT;
	const pos = page.bytes.readUInt32LE(at + 4);
	const ksize = page.bytes.readUInt32LE(at + 8);
	const vsize = page.bytes.readUInt32LE(at + 12);
	const start = at + pos;
	if (start + ksize + vsize > page.bytes.length) throw new BoltFormatError('a leaf element beyond its page');
	return {flags: page.bytes.readUInt32LE(at), key: page.bytes.subarray(start, start + ksize), value: page.bytes.subarray(start + ksize, start + ksize + vsize)};
}

function branchElement(page: Page, i: number): {key: Buffer; child: number} {
	const at = PAGE_HEADER + i * ELEMENT;
	const pos = page.bytes.readUInt32LE(at);
	const ksize = page.bytes.readUInt32LE(at + 4);
	if (at + pos + ksize > page.bytes.length) throw new BoltFormatError('a branch element beyond its page');
	return {key: page.bytes.subarray(at + pos, at + pos + ksize), child: safe(page.bytes.readBigUInt64LE(at + 8))};
}

/** The sub-bucket `name` of the bucket whose tree starts at `root`. */
function findBucket(db: Db, root: number, name: Buffer): Tree | undefined {
	let page = readPage(db, root);
	for (let depth = 0; page.flags & BRANCH; depth++) {
		if (depth > 64) throw new BoltFormatError('a tree deeper than 64 levels: a damaged database');
		// The child whose first key is the last one not after `name`.
		let child = branchElement(page, 0).child;
		for (let i = 1; i < page.count; i++) {
			const e = branchElement(page, i);
			if (Buffer.compare(e.key, name) > 0) break;
			child = e.child;
		}
		page = readPage(db, child);
	}
	if (!(page.flags & LEAF)) throw new BoltFormatError(`page flags ${page.flags} where a leaf was due`);
	for (let i = 0; i < page.count; i++) {
		const e = leafElement(page, i);
		if (!e.key.equals(name)) continue;
		if (!(e.flags & BUCKET_LEAF) || e.value.length < 16) throw new BoltFormatError(`"${name.toString()}" is not a bucket`);
		const bucketRoot = safe(e.value.readBigUInt64LE(0));
		if (bucketRoot !== 0) return {page: bucketRoot};
		const inline = e.value.subarray(16);
		if (inline.length < PAGE_HEADER) throw new BoltFormatError(`the inline bucket "${name.toString()}" is too short`);
		return {inline: {flags: inline.readUInt16LE(8), count: inline.readUInt16LE(10), bytes: inline}};
	}
	return undefined;
}

/** The last key of a tree, walking from the right (a page left empty is passed over). */
function lastKey(db: Db, tree: Tree, depth = 0): Buffer | undefined {
	if (depth > 64) throw new BoltFormatError('a tree deeper than 64 levels: a damaged database');
	const page = pageOf(db, tree);
	if (page.flags & LEAF) return page.count > 0 ? Buffer.from(leafElement(page, page.count - 1).key) : undefined;
	if (!(page.flags & BRANCH)) throw new BoltFormatError(`page flags ${page.flags} inside a bucket's tree`);
	for (let i = page.count - 1; i >= 0; i--) {
		const key = lastKey(db, {page: branchElement(page, i).child}, depth + 1);
		if (key !== undefined) return key;
	}
	return undefined;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const U64 = (1n << 64n) - 1n;

function fnv1a64(bytes: Buffer): bigint {
	let h = FNV_OFFSET;
	for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & U64;
	return h;
}

function safe(n: bigint): number {
	if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new BoltFormatError(`a page number ${n} beyond any real file`);
	return Number(n);
}
