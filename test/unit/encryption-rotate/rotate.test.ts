import {describe, expect, it} from 'vitest';
import type {StoredCounts} from '../../../source/snapshot/stored-secrets-count.js';
import {rotateEncryption, type RotationIo} from '../../../source/run/encryption-rotate/rotate.js';
import {parseRotationJournal, type RotationJournal, type RotationPhase} from '../../../source/run/encryption-rotate/rotation-journal.js';
import type {HttpsSecretsApi} from '../../../source/run/encryption-rotate/secrets-api.js';
import type {SecretObject} from '../../../source/run/encryption-rotate/rewrite-secrets.js';

const FROM = {provider: 'aescbc' as const, keyName: 'key-1'};
const TO = {provider: 'secretbox' as const, keyName: 'key-2'};
const NEW_PREFIX = 'k8s:enc:secretbox:v1:key-2:';

/**
 * A cluster in memory: three apiservers each with a config (the phase it converged to), etcd
 * values by Secret with the key that wrote them. A Secret PUT is stored with the writer of
 * the apiserver that took it; converging can be made to fail on a node.
 */
function fakeCluster(secrets = 30) {
	const stored = new Map<string, string>();
	for (let i = 0; i < secrets; i++) stored.set(`default/s-${i}`, 'key-1');
	stored.set('default/plain', 'plaintext');
	const nodes = ['m1', 'm2', 'm3'];
	const configOf = new Map(nodes.map((n) => [n, 'before' as RotationPhase | 'before']));
	const writerOf = (phase: RotationPhase | 'before') => (phase === 'before' || phase === 'read-enable' ? 'key-1' : 'key-2');
	const events: string[] = [];
	let journalText: string | undefined;
	let failConverge: {phase: RotationPhase; node: string} | undefined;
	let canary = 'key-1';
	const api = {
		async list(token: string | null, limit: number) {
			const keys = [...stored.keys()].sort();
			const from = token ? Number(token) : 0;
			const next = from + limit < keys.length ? String(from + limit) : null;
			return {items: keys.slice(from, from + limit).map((k) => ({metadata: {namespace: k.split('/')[0]!, name: k.split('/')[1]!}})), continue: next, remaining: null};
		},
		async get(ns: string, name: string): Promise<SecretObject | null> {
			return stored.has(`${ns}/${name}`) ? {metadata: {namespace: ns, name}} : null;
		},
		async put(s: SecretObject) {
			stored.set(`${s.metadata.namespace}/${s.metadata.name}`, writerOf(configOf.get('m1')!));
			return 'ok' as const;
		},
		async getThrough() {
			return {state: 'ok', httpStatus: 200, body: '{}', detail: null, durationMs: 1, peerCertificate: undefined} as const;
		},
		async sendThrough(endpoint: {host: string}, method: string) {
			if (method === 'PUT') canary = writerOf(configOf.get(endpoint.host)!);
			return {state: 'ok', httpStatus: method === 'POST' ? 201 : 200, body: '{}', detail: null, durationMs: 1, peerCertificate: undefined} as const;
		},
		async readAllThrough() {
			return stored.size;
		},
		close() {},
	} as unknown as HttpsSecretsApi;
	const io: RotationIo = {
		journal: {write: (t) => void (journalText = t), remove: () => void (journalText = undefined)},
		writeState: (_j, phase) => void events.push(`state ${phase}`),
		converge: async (phase) => {
			for (const n of nodes) {
				if (failConverge?.phase === phase && failConverge.node === n) {
					events.push(`converge ${phase} failed at ${n}`);
					return {ok: false, failedNodes: [n]};
				}
				configOf.set(n, phase);
			}
			events.push(`converge ${phase}`);
			return {ok: true, failedNodes: []};
		},
		barrier: {
			api,
			masters: nodes.map((n) => ({name: n, endpoint: {host: n, port: 6443}})),
			storedValue: async () => Buffer.from(canary === 'key-2' ? `${NEW_PREFIX}xyz` : 'k8s:enc:aescbc:v1:key-1:xyz'),
			say: (l) => void events.push(l),
		},
		api,
		count: async (): Promise<StoredCounts> => {
			const byKey = new Map<string, number>();
			let plaintext = 0;
			for (const v of stored.values()) (v === 'plaintext' ? plaintext++ : byKey.set(v, (byKey.get(v) ?? 0) + 1));
			return {total: stored.size, byKey: [...byKey].map(([keyName, count]) => ({provider: keyName === 'key-1' ? 'aescbc' : 'secretbox', keyName, count})), plaintext, other: 0};
		},
		ratePerSecond: 1e6,
		say: () => undefined,
		progress: () => undefined,
		phaseChanged: (p, s) => void events.push(`${p} ${s}`),
		now: () => new Date('2026-12-06T12:00:00Z'),
	};
	return {io, stored, events, configOf, journal: () => journalText, failAt: (phase: RotationPhase, node: string) => (failConverge = {phase, node}), heal: () => (failConverge = undefined)};
}

const fresh = (): RotationJournal => ({version: 1, startedAt: '2026-12-06T12:00:00Z', from: FROM, to: TO, phase: 'read-enable', passed: []});

describe('rotateEncryption', () => {
	it('runs the five phases in order, each converged or checked, and ends with every Secret under the new key and the journal gone', async () => {
		const c = fakeCluster();
		const outcome = await rotateEncryption(c.io, fresh());
		expect(outcome.result).toBe('finished');
		expect(c.events.filter((e) => e.startsWith('converge') || e.startsWith('state') || / (running|passed|failed)$/.test(e))).toEqual([
			'read-enable running', 'state read-enable', 'converge read-enable', 'read-enable passed',
			'write-switch running', 'state write-switch', 'converge write-switch', 'write-switch passed',
			'rewrite running', 'state rewrite', 'rewrite passed',
			'verify running', 'verify passed',
			'drop-old running', 'state drop-old', 'converge drop-old', 'drop-old passed',
		]);
		expect(new Set(c.stored.values())).toEqual(new Set(['key-2']));
		expect(c.journal()).toBeUndefined();
	});

	it('a node failing its gate stops the rotation in that phase; the journal stays there and a re-run carries on from it', async () => {
		const c = fakeCluster();
		c.failAt('write-switch', 'm2');
		const journal = fresh();
		const failed = await rotateEncryption(c.io, journal);
		expect(failed).toMatchObject({result: 'failed', phase: 'write-switch', failedNodes: ['m2']});
		expect(failed.result === 'failed' && failed.error.message).toMatch(/put back to the previous phase's config, which reads both keys/);
		const kept = parseRotationJournal(c.journal()!) as RotationJournal;
		expect(kept.phase).toBe('write-switch');
		expect(kept.passed.map((p) => p.phase)).toEqual(['read-enable']);
		// Nothing was rewritten, the old key still holds every Secret.
		expect([...c.stored.values()].filter((v) => v === 'key-2')).toEqual([]);
		c.heal();
		c.events.length = 0;
		const again = await rotateEncryption(c.io, kept);
		expect(again.result).toBe('finished');
		expect(c.events).not.toContain('converge read-enable');
		expect(c.events[0]).toBe('write-switch running');
	});

	it('verify that finds a value under the old key fails and sends the next run back to the rewrite, from the start', async () => {
		const c = fakeCluster();
		const journal = fresh();
		// A Secret the rewrite did not see (written by hand into etcd, say) under the old key.
		const put = c.io.api.put;
		c.io.api.put = async (s) => {
			const r = await put(s);
			c.stored.set('default/late', 'key-1');
			return r;
		};
		const failed = await rotateEncryption(c.io, journal);
		expect(failed).toMatchObject({result: 'failed', phase: 'verify'});
		expect(failed.result === 'failed' && failed.error.message).toMatch(/1 under aescbc key-1/);
		const kept = parseRotationJournal(c.journal()!) as RotationJournal;
		expect(kept.phase).toBe('rewrite');
		expect(kept.rewrite).toBeUndefined();
		c.io.api.put = put;
		expect((await rotateEncryption(c.io, kept)).result).toBe('finished');
		expect(c.stored.get('default/late')).toBe('key-2');
	});

	it('a write-switch barrier fails when an apiserver still writes the canary with the old key', async () => {
		const c = fakeCluster();
		const converge = c.io.converge;
		c.io.converge = async (phase) => {
			const r = await converge(phase);
			if (phase === 'write-switch') c.configOf.set('m3', 'read-enable');
			return r;
		};
		const failed = await rotateEncryption(c.io, fresh());
		expect(failed).toMatchObject({result: 'failed', phase: 'write-switch'});
		expect(failed.result === 'failed' && failed.error.message).toBe('m3 wrote the canary Secret as k8s:enc:aescbc:v1:key-1:, not k8s:enc:secretbox:v1:key-2:');
	});

	it('a stop between phases is an interruption, the journal in the phase to carry on with', async () => {
		const c = fakeCluster();
		const stop = new AbortController();
		c.io.signal = stop.signal;
		const converge = c.io.converge;
		c.io.converge = async (phase) => {
			const r = await converge(phase);
			if (phase === 'write-switch') stop.abort();
			return r;
		};
		const outcome = await rotateEncryption(c.io, fresh());
		expect(outcome).toEqual({result: 'interrupted', phase: 'write-switch'});
		expect((parseRotationJournal(c.journal()!) as RotationJournal).phase).toBe('write-switch');
	});
});
