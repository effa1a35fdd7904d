// The lock's holders as read from /proc/PID/cmdline (remote/node-lock.ts): the real script
// runs in a real sh beside a real flock holding `/` (this machine stands in for a node).
import {execFileSync, spawn} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {holdersCommand, lockCommand, parseHolders} from '../../source/remote/node-lock.js';

describe('lock holders read from the node', () => {
	it('names each holder once, with its mode, host, PID, start, command and node PID; grep and other processes are not holders', () => {
		const out = [
			'812\tflock\t-n\t-s\t/\tsh\t-c\techo held; exec cat >/dev/null\tk8s-master-setup-lock\tshared\tws1\t4242\t2026-12-01T10:00:00.000Z\tapply --dry-run\t',
			// the same holder seen twice (between flock's fork and the exec of cat)
			'813\tsh\t-c\techo held; exec cat >/dev/null\tk8s-master-setup-lock\tshared\tws1\t4242\t2026-12-01T10:00:00.000Z\tapply --dry-run\t',
			'900\tgrep\t-qzx\tk8s-master-setup-lock\t/proc/77/cmdline\t',
			'901\tsh\t-c\tfor d in /proc/[0-9]*; do grep -qzx k8s-master-setup-loc[k] …\t',
		].join('\n');
		expect(parseHolders(out)).toEqual([{mode: 'shared', host: 'ws1', pid: 4242, since: '2026-12-01T10:00:00.000Z', command: 'apply --dry-run', nodePid: 812}]);
	});

	it('the script finds a real holder on this machine, and not itself', async () => {
		const holder = spawn('sh', ['-c', lockCommand('shared', {host: 'unit-test', pid: 31337, since: 'now', command: 'apply --dry-run'})], {stdio: ['pipe', 'pipe', 'ignore']});
		try {
			await new Promise<void>((resolve, reject) => {
				holder.stdout.once('data', (c: Buffer) => (c.toString().startsWith('held') ? resolve() : reject(new Error(c.toString()))));
				holder.once('exit', (code) => reject(new Error(`the holder ended (${code})`)));
			});
			const holders = parseHolders(execFileSync('sh', ['-c', holdersCommand()], {encoding: 'utf8'})).filter((h) => h.host === 'unit-test');
			expect(holders).toEqual([{mode: 'shared', host: 'unit-test', pid: 31337, since: 'now', command: 'apply --dry-run', nodePid: holder.pid}]);
		} finally {
			holder.stdin.end(); // EOF: the holder ends, as when the SSH channel closes
		}
		await new Promise((resolve) => (holder.exitCode !== null ? resolve(undefined) : holder.once('exit', resolve)));
	});
});
