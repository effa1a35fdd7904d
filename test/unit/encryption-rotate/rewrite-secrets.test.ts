import {describe, expect, it} from 'vitest';
import {rewriteSecrets, type ListPage, type RewriteCursor, type SecretObject, type SecretsApi} from '../../../source/run/encryption-rotate/rewrite-secrets.js';

/** An apiserver's Secrets in memory: list pages by index tokens, resourceVersion checked on PUT, a record of every write. */
function memoryApi(count: number) {
	const store = new Map<string, SecretObject>();
	for (let i = 0; i < count; i++) store.set(`ns-${i % 3}/s-${i}`, {metadata: {namespace: `ns-${i % 3}`, name: `s-${i}`, resourceVersion: '1'}, data: {v: String(i)}});
	const puts: string[] = [];
	const lists: Array<string | null> = [];
	let expireNext = false;
	const conflictOnce = new Set<string>();
	const api: SecretsApi = {
		async list(token, limit): Promise<ListPage> {
			lists.push(token);
			if (token !== null && expireNext) {
				expireNext = false;
				return {expired: true};
			}
			const keys = [...store.keys()].sort();
			const from = token === null ? 0 : Number(token);
			const items = keys.slice(from, from + limit).map((k) => structuredClone(store.get(k)!));
			const next = from + limit < keys.length ? String(from + limit) : null;
			return {items, continue: next, remaining: next === null ? 0 : keys.length - from - limit};
		},
		async get(ns, name) {
			const s = store.get(`${ns}/${name}`);
			return s ? structuredClone(s) : null;
		},
		async put(secret) {
			const key = `${secret.metadata.namespace}/${secret.metadata.name}`;
			const current = store.get(key);
			if (!current) return 'not-found';
			if (conflictOnce.delete(key) || current.metadata.resourceVersion !== secret.metadata.resourceVersion) {
				current.metadata.resourceVersion = String(Number(current.metadata.resourceVersion) + 1);
				return 'conflict';
			}
			puts.push(key);
			current.metadata.resourceVersion = String(Number(current.metadata.resourceVersion) + 1);
			return 'ok';
		},
	};
	return {api, store, puts, lists, conflictOnce, expire: () => (expireNext = true)};
}

const start: RewriteCursor = {continue: null, done: 0, total: null};
const fast = {ratePerSecond: 1_000_000, say: () => undefined, sleep: async () => undefined};

describe('the rewrite of every Secret', () => {
	it('puts every Secret once, page by page, recording the cursor after each page', async () => {
		const m = memoryApi(250);
		const cursors: RewriteCursor[] = [];
		const r = await rewriteSecrets(m.api, start, {...fast, pageSize: 100, onPage: (c) => cursors.push(c)});
		expect(new Set(m.puts).size).toBe(250);
		expect(m.puts).toHaveLength(250);
		expect(cursors).toEqual([
			{continue: '100', done: 100, total: 250},
			{continue: '200', done: 200, total: 250},
			{continue: null, done: 250, total: 250},
		]);
		expect(r).toMatchObject({rewritten: 250, skipped: 0, conflicts: 0, stopped: false});
	});

	it('carries on from a recorded cursor: the pages before it are not listed again', async () => {
		const m = memoryApi(250);
		const r = await rewriteSecrets(m.api, {continue: '200', done: 200, total: 250}, {...fast, pageSize: 100, onPage: () => undefined});
		expect(m.lists).toEqual(['200']);
		expect(m.puts).toHaveLength(50);
		expect(r.cursor).toEqual({continue: null, done: 250, total: 250});
	});

	it('an expired continue token lists again from the start', async () => {
		const m = memoryApi(150);
		const lines: string[] = [];
		m.expire();
		const r = await rewriteSecrets(m.api, {continue: '100', done: 100, total: 150}, {...fast, pageSize: 100, say: (l) => lines.push(l), onPage: () => undefined});
		expect(m.lists).toEqual(['100', null, '100']);
		expect(lines.join('\n')).toMatch(/continue token expired/);
		expect(new Set(m.puts).size).toBe(150);
		expect(r.cursor.done).toBe(150);
	});

	it('a conflict is read again and written again; a Secret deleted meanwhile is skipped', async () => {
		const m = memoryApi(10);
		m.conflictOnce.add('ns-0/s-0');
		m.conflictOnce.add('ns-1/s-1');
		const originalList = m.api.list;
		m.api.list = async (t, l) => {
			const page = await originalList(t, l);
			m.store.delete('ns-2/s-2');
			return page;
		};
		const r = await rewriteSecrets(m.api, start, {...fast, onPage: () => undefined});
		expect(r).toMatchObject({rewritten: 9, skipped: 1, conflicts: 0});
		expect(m.puts).toContain('ns-0/s-0');
		expect(m.puts).not.toContain('ns-2/s-2');
	});

	it('keeps to the rate: the n-th write starts no earlier than n / rate seconds after the first', async () => {
		const m = memoryApi(20);
		let clock = 0;
		const startedAt: number[] = [];
		const put = m.api.put;
		m.api.put = async (s) => {
			startedAt.push(clock);
			return put(s);
		};
		await rewriteSecrets(m.api, start, {ratePerSecond: 10, concurrency: 4, say: () => undefined, onPage: () => undefined, now: () => clock, sleep: async (ms) => void (clock += ms)});
		expect(startedAt).toHaveLength(20);
		startedAt.forEach((t, n) => expect(t, `write ${n}`).toBeGreaterThanOrEqual(n * 100 - 1e-6));
	});

	it('stops between writes when the signal is aborted, without recording the unfinished page', async () => {
		const m = memoryApi(50);
		const stop = new AbortController();
		const cursors: RewriteCursor[] = [];
		const put = m.api.put;
		m.api.put = async (s) => {
			if (m.puts.length === 5) stop.abort();
			return put(s);
		};
		const r = await rewriteSecrets(m.api, start, {...fast, concurrency: 1, signal: stop.signal, onPage: (c) => cursors.push(c)});
		expect(r.stopped).toBe(true);
		expect(cursors).toEqual([]);
		expect(m.puts.length).toBeLessThan(50);
	});
});
