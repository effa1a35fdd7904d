import {describe, expect, test} from 'vitest';
import {createPlainReporter} from '../../source/ui/plain-reporter.js';
import {createJsonReporter} from '../../source/ui/json-reporter.js';
import {recordedRun} from './helpers.js';

function collect(make: (w: (s: string) => void) => (e: never) => void, events: unknown[]) {
	let out = '';
	const sink = make((s) => (out += s));
	for (const e of events) sink(e as never);
	return out;
}

describe('plain reporter', () => {
	test('one aligned line per event; failures carry cause, hint and detail', () => {
		const out = collect(createPlainReporter, recordedRun({failAt: {node: 'master2', step: 'binaries'}}));
		const lines = out.split('\n');
		expect(lines[0]).toBe('run: 3 nodes (master1, master2, master3), steps connect preflight binaries certificates configs apiserver controller-manager scheduler verify');
		expect(out).toContain('master1   binaries            done         1.2s  changed /etc/kubernetes/binaries\n');
		expect(out).toMatch(/^master2 {3}binaries {12}failed {7}1\.2s {2}kube-apiserver did not become ready within 60s$/m);
		expect(out).toMatch(/^ {30}hint: check the etcd endpoints/m);
		expect(out).toMatch(/^ {30}\| E0101/m);
		expect(out).toContain('master1   binaries            progress   50%  uploading kube-apiserver');
		expect(out.trimEnd().split('\n').at(-1)).toMatch(/^finished in 0:\d\d: failed on master2$/);
		// Columns line up: the status word always starts at the same offset.
		const offsets = new Set(lines.filter((l) => /^master\d/.test(l)).map((l) => l.search(/(started|done|failed|progress|\|)/)));
		expect(offsets).toEqual(new Set([30]));
	});
});

describe('plain reporter, dry run and waiting', () => {
	test('prints the diff of a text file, only hashes for a secret, and each restart', () => {
		const at = 0;
		const out = collect(createPlainReporter, [
			{type: 'run-started', at, nodes: ['m1'], steps: ['apiserver'], dryRun: true},
			{type: 'plan-change', at, node: 'm1', step: 'apiserver', change: {kind: 'update', path: '/etc/systemd/system/kube-apiserver.service', mode: '0644', sha256After: 'b'.repeat(64), sha256Before: 'a'.repeat(64), diff: '===\n--- a\n+++ b\n@@ -1 +1 @@\n-ExecStart=x --v=2\n+ExecStart=x --v=4\n'}},
			{type: 'plan-change', at, node: 'm1', step: 'certificates', change: {kind: 'update', path: '/etc/kubernetes/cert/kubernetes-key.pem', mode: '0600', sha256After: 'b'.repeat(64), sha256Before: 'a'.repeat(64)}},
			{type: 'plan-change', at, node: 'm1', step: 'apiserver', change: {kind: 'restart', service: 'kube-apiserver', reason: 'inputs changed: kube-apiserver.service'}},
		]);
		expect(out).toContain('would      update /etc/systemd/system/kube-apiserver.service (0644)');
		expect(out).toMatch(/^ +-ExecStart=x --v=2$/m);
		expect(out).not.toMatch(/^ +(\+\+\+|---) /m);
		expect(out).toMatch(/^ +\+ExecStart=x --v=4$/m);
		expect(out).toMatch(/kubernetes-key\.pem \(0600\)\n +sha256 aaaaaaaaaaaa… → bbbbbbbbbbbb… \(content not shown\)/);
		expect(out).toContain('restart kube-apiserver (inputs changed: kube-apiserver.service)');
	});

	test('a waiting message is printed again only when its reason changes, not its clock', () => {
		const progress = (message: string) => ({type: 'step-progress', at: 0, node: 'm1', step: 'apiserver', message});
		const out = collect(createPlainReporter, [
			{type: 'run-started', at: 0, nodes: ['m1'], steps: ['apiserver'], dryRun: false},
			progress('waiting for /readyz on :6443 (1s): connection refused'),
			progress('waiting for /readyz on :6443 (2s): connection refused'),
			progress('waiting for /readyz on :6443 (3s): HTTP 500'),
		]);
		expect(out.match(/waiting for/g)).toHaveLength(2);
	});
});

describe('json reporter', () => {
	test('NDJSON: each event on its own line, round-tripping exactly', () => {
		const events = recordedRun({unchanged: true, nodes: ['a']});
		const out = collect(createJsonReporter, events);
		const parsed = out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
		expect(parsed).toEqual(events);
	});
});

describe('a removal in the reporters', () => {
	const removal = [
		{type: 'run-started', at: 0, nodes: ['lab-m2'], steps: ['verify'], dryRun: false},
		{type: 'removal-step', at: 1, node: 'lab-m1', step: 'stop-services', status: 'started'},
		{type: 'removal-step', at: 2, node: 'lab-m1', step: 'stop-services', status: 'progress', message: 'stopped kube-scheduler on lab-m1'},
		{type: 'removal-step', at: 3, node: 'lab-m1', step: 'stop-services', status: 'done', durationMs: 3100},
		{type: 'removal-step', at: 4, node: 'lab-m1', step: 'wait-gone', status: 'skipped', reason: 'lab-m1 is unreachable (--forget-unreachable)'},
		{type: 'removal-step', at: 5, node: 'lab-m1', step: 'delete-lease', status: 'started'},
		{type: 'removal-step', at: 6, node: 'lab-m1', step: 'delete-lease', status: 'failed', durationMs: 400, cause: 'HTTP 403 deleting kube-system/apiserver-aaa', hint: 'the admin kubeconfig needs system:masters', detail: 'forbidden'},
		{type: 'run-finished', at: 7, ok: false, durationMs: 7, failedNodes: ['lab-m1']},
	];

	test('plain: its steps aligned as the install’s; its lines are left to stderr (apply-removal.ts)', () => {
		const out = collect(createPlainReporter, removal);
		expect(out).toContain('lab-m1    stop-services       started\n');
		expect(out).toContain('lab-m1    stop-services       done         3.1s\n');
		expect(out).toContain('lab-m1    wait-gone           skipped    lab-m1 is unreachable (--forget-unreachable)\n');
		expect(out).toMatch(/^lab-m1 {4}delete-lease {8}failed {7}0\.4s {2}HTTP 403 deleting kube-system\/apiserver-aaa\n {30}hint: the admin kubeconfig needs system:masters\n {30}\| forbidden$/m);
		expect(out).not.toContain('stopped kube-scheduler');
		expect(out).toContain('failed on lab-m1');
	});

	test('json: every removal event on its own line, as emitted', () => {
		const out = collect(createJsonReporter, removal);
		expect(out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(removal);
	});
});
