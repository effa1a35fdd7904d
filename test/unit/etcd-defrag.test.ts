// `etcd defrag`: the pure plan (order, gate, lines, exit codes) and the loop against an
// in-memory stacked etcd whose members shrink when defragmented, can fail, stay down, move
// their leadership or raise NOSPACE; the clock is the fake's, so nothing here waits. The real
// HTTPS path against a real etcd is test/integration/etcd-defrag.test.ts.
import {spawnSync} from 'node:child_process';
import {beforeAll, describe, expect, it} from 'vitest';
import type {EtcdClusterView, MemberStatus} from '../../source/etcd/cluster-gate.js';
import {defragEtcd, type DefragCluster, type DefragInput} from '../../source/run/etcd-defrag/defrag.js';
import {defragGate, defragmentedLine, defragOrder, nextMember, outcomeReport, type RaisedAlarm} from '../../source/run/etcd-defrag/defrag-plan.js';
import {runEtcdDefrag} from '../../source/cli/commands/etcd-action.js';
import {UserError} from '../../source/errors.js';
import {cliPath, ensureBuilt, workspace} from './render/fixtures.js';

const MiB = 1024 * 1024;
const NAMES = ['lab-m1', 'lab-m2', 'lab-m3'];
const idOf = (name: string) => String(NAMES.indexOf(name) + 1);

interface FakeMember {
	name: string;
	db: number;
	inUse: number;
	raftIndex: number;
	/** Views in which it does not answer, from now on. */
	downFor: number;
}

/** Three members, lab-m1 leading; `defragment` shrinks a member to its in-use size and takes 1.2 s of the fake clock. */
function fakeCluster(options: {leader?: string; failOn?: string; staysDownAfter?: string; downViewsAfter?: number; nospaceFor?: string; onDefragment?: (name: string) => void; moveLeaderTo?: string} = {}) {
	let clock = 0;
	let leader = options.leader ?? 'lab-m1';
	const members = new Map<string, FakeMember>(NAMES.map((name, i) => [name, {name, db: (12 + i) * MiB, inUse: 4 * MiB, raftIndex: 100, downFor: 0}]));
	let alarms: RaisedAlarm[] = options.nospaceFor ? [{memberId: idOf(options.nospaceFor), alarm: 'NOSPACE'}] : [];
	const calls: string[] = [];
	const statusOf = (m: FakeMember): MemberStatus => {
		if (m.downFor > 0) {
			m.downFor -= 1;
			return {name: m.name, ok: false, detail: 'connect ECONNREFUSED'};
		}
		const errors = alarms.map((a) => `memberID:${a.memberId} alarm:${a.alarm}`);
		return {name: m.name, ok: true, leader: idOf(leader), memberId: idOf(m.name), raftIndex: m.raftIndex, errors, dbSizeBytes: m.db};
	};
	const cluster: DefragCluster = {
		view: async () => {
			calls.push('view');
			return {statuses: [...members.values()].map(statusOf), members: NAMES.map((name) => ({id: idOf(name), name, peerUrls: [], isLearner: false}))};
		},
		defragment: async (name) => {
			calls.push(`defragment ${name}`);
			options.onDefragment?.(name);
			clock += 1200;
			if (name === options.failOn) throw Object.assign(new Error(`https://${name}:2379: no answer for 120 s`), {hint: 'check that the member is up'});
			const m = members.get(name)!;
			m.db = m.inUse;
			if (name === options.staysDownAfter) m.downFor = Number.POSITIVE_INFINITY;
			if (options.downViewsAfter) m.downFor = options.downViewsAfter;
			if (options.moveLeaderTo && name !== options.moveLeaderTo) leader = options.moveLeaderTo;
		},
		inUse: async (name) => members.get(name)!.inUse,
		alarms: async () => {
			calls.push('alarms');
			return alarms;
		},
		disarm: async (alarm) => {
			calls.push(`disarm ${alarm.alarm} ${alarm.memberId}`);
			alarms = alarms.filter((a) => a !== alarm);
		},
	};
	const lines: string[] = [];
	const input = (more: Partial<DefragInput> = {}): DefragInput => ({
		cluster,
		expected: NAMES,
		say: (line) => lines.push(line),
		timing: {pollMs: 300, healthyWithinMs: 60_000},
		clock: {now: () => clock, sleep: async (ms) => void (clock += ms)},
		...more,
	});
	return {cluster, calls, lines, input, members, defragmented: () => calls.filter((c) => c.startsWith('defragment ')).map((c) => c.slice('defragment '.length))};
}

const up = (name: string, leader = '1', more: Partial<Extract<MemberStatus, {ok: true}>> = {}): MemberStatus => ({name, ok: true, leader, memberId: idOf(name), raftIndex: 7, errors: [], dbSizeBytes: 10 * MiB, ...more});
const whole = (statuses: MemberStatus[]): EtcdClusterView => ({statuses, members: NAMES.map((name) => ({id: idOf(name), name, peerUrls: [], isLearner: false}))});

describe('etcd defrag plan (pure)', () => {
	it('orders the followers first, in the profile\'s order, and the leader last', () => {
		expect(defragOrder(whole([up('lab-m1', '2'), up('lab-m2', '2'), up('lab-m3', '2')])).map((m) => `${m.name} ${m.role}`)).toEqual(['lab-m1 follower', 'lab-m3 follower', 'lab-m2 leader']);
	});

	it('takes next the first remaining member that does not lead now (leadership may move during the run)', () => {
		const view = whole([up('lab-m1', '3'), up('lab-m2', '3'), up('lab-m3', '3')]);
		expect(nextMember(view, ['lab-m3', 'lab-m1'])).toBe('lab-m1');
		expect(nextMember(view, ['lab-m3'])).toBe('lab-m3');
	});

	it('the gate is the cluster gate with NOSPACE aside (any other alarm refuses)', () => {
		const nospace = [`memberID:2 alarm:NOSPACE`];
		expect(defragGate(whole([up('lab-m1'), up('lab-m2', '1', {errors: nospace}), up('lab-m3')]), NAMES)).toBeUndefined();
		expect(defragGate(whole([up('lab-m1'), up('lab-m2', '1', {errors: ['memberID:2 alarm:CORRUPT']}), up('lab-m3')]), NAMES)).toBe('lab-m2 reports memberID:2 alarm:CORRUPT');
		expect(defragGate(whole([up('lab-m1'), {name: 'lab-m2', ok: false, detail: 'connect ECONNREFUSED'}, up('lab-m3')]), NAMES)).toBe('lab-m2: connect ECONNREFUSED');
	});

	it('one line per member: sizes before and after, and the time the defragment took', () => {
		expect(defragmentedLine({name: 'lab-m1', beforeBytes: 12.3 * MiB, afterBytes: 4.1 * MiB, tookMs: 1234})).toBe('lab-m1: defragmented, db 12.3 MiB → 4.1 MiB (1.2 s)');
		expect(defragmentedLine({name: 'lab-m2', tookMs: 40})).toBe('lab-m2: defragmented, db size unknown → size unknown (0.0 s)');
	});

	it('exit codes: 0 done or planned, 1 refused or failed, 130 stopped; what was not done is named', () => {
		const again = 'k8s-master-setup etcd defrag --profile lab';
		expect(outcomeReport({result: 'done', done: [], nospace: [], disarmed: false}, again).code).toBe(0);
		expect(outcomeReport({result: 'refused', problem: 'no leader elected yet'}, again)).toMatchObject({code: 1, lines: [expect.stringMatching(/not healthy \(no leader elected yet\)/), expect.stringMatching(/nothing was defragmented/)]});
		const failed = outcomeReport({result: 'failed', done: [], member: 'lab-m2', message: 'lab-m2: defragment failed: x', hint: 'h', remaining: ['lab-m1']}, again);
		expect(failed.code).toBe(1);
		expect(failed.lines.join('\n')).toMatch(/not defragmented: lab-m1; run `k8s-master-setup etcd defrag --profile lab`/);
		expect(outcomeReport({result: 'stopped', done: [], remaining: ['lab-m3', 'lab-m1']}, again).code).toBe(130);
		const nospace = outcomeReport({result: 'done', done: [], nospace: ['lab-m2'], disarmed: false}, again).lines.join('\n');
		expect(nospace).toMatch(/NOSPACE \(raised for lab-m2\) is still raised/);
		expect(nospace).toContain('`k8s-master-setup etcd defrag --profile lab --disarm-nospace`');
	});
});

describe('etcd defrag loop (in-memory cluster)', () => {
	it('defragments the followers, then the leader, one at a time, each after the cluster is healthy again', async () => {
		const fake = fakeCluster();
		const outcome = await defragEtcd(fake.input());
		expect(outcome).toMatchObject({result: 'done', nospace: [], disarmed: false});
		expect(fake.defragmented()).toEqual(['lab-m2', 'lab-m3', 'lab-m1']);
		// Between two defragments the cluster was read again (the wait).
		expect(fake.calls.slice(fake.calls.indexOf('defragment lab-m2') + 1, fake.calls.indexOf('defragment lab-m3'))).toContain('view');
		expect(fake.lines).toEqual([
			'etcd: 3 members healthy, lab-m1 leads; defragmenting one member at a time, the leader last: lab-m2, lab-m3, lab-m1',
			'lab-m2: defragmented, db 13.0 MiB → 4.0 MiB (1.2 s)',
			'lab-m3: defragmented, db 14.0 MiB → 4.0 MiB (1.2 s)',
			'lab-m1: defragmented, db 12.0 MiB → 4.0 MiB (1.2 s)',
		]);
	});

	it('refuses an unhealthy cluster: nothing defragmented', async () => {
		const fake = fakeCluster();
		fake.members.get('lab-m3')!.downFor = 1;
		const outcome = await defragEtcd(fake.input());
		expect(outcome).toEqual({result: 'refused', problem: 'lab-m3: connect ECONNREFUSED'});
		expect(fake.defragmented()).toEqual([]);
		expect(fake.lines).toEqual([]);
	});

	it('stops at the first failure: the members after it are not defragmented', async () => {
		const fake = fakeCluster({failOn: 'lab-m3'});
		const outcome = await defragEtcd(fake.input());
		expect(outcome).toMatchObject({result: 'failed', member: 'lab-m3', message: 'lab-m3: defragment failed: https://lab-m3:2379: no answer for 120 s', hint: 'check that the member is up', remaining: ['lab-m1']});
		expect(fake.defragmented()).toEqual(['lab-m2', 'lab-m3']);
	});

	it('waits for a member that is down for a while after its defragment, and fails naming it when it stays down', async () => {
		const brief = fakeCluster({downViewsAfter: 3});
		expect(await defragEtcd(brief.input())).toMatchObject({result: 'done'});
		const gone = fakeCluster({staysDownAfter: 'lab-m2'});
		const outcome = await defragEtcd(gone.input());
		expect(outcome).toMatchObject({result: 'failed', member: 'lab-m2', remaining: ['lab-m3', 'lab-m1']});
		expect(outcome.result === 'failed' && outcome.message).toBe('lab-m2: the cluster was not healthy within 60.0 s after its defragment: lab-m2: connect ECONNREFUSED');
		expect(gone.defragmented()).toEqual(['lab-m2']);
	});

	it('Ctrl-C: the member in flight finishes, the next is not started', async () => {
		const stop = new AbortController();
		const fake = fakeCluster({onDefragment: (name) => name === 'lab-m2' && stop.abort()});
		const outcome = await defragEtcd(fake.input({signal: stop.signal}));
		expect(outcome).toMatchObject({result: 'stopped', remaining: ['lab-m3', 'lab-m1']});
		expect(fake.defragmented()).toEqual(['lab-m2']);
		expect(fake.lines.at(-1)).toBe('lab-m2: defragmented, db 13.0 MiB → 4.0 MiB (1.2 s)');
	});

	it('leaves for last the member that leads now, when leadership moved during the run', async () => {
		const fake = fakeCluster({moveLeaderTo: 'lab-m3'});
		await defragEtcd(fake.input());
		expect(fake.defragmented()).toEqual(['lab-m2', 'lab-m1', 'lab-m3']);
	});

	it('--dry-run: the order with each size and the part in use; nothing defragmented', async () => {
		const fake = fakeCluster({leader: 'lab-m2'});
		const outcome = await defragEtcd(fake.input({dryRun: true}));
		expect(fake.defragmented()).toEqual([]);
		expect(outcomeReport(outcome, 'again').lines).toEqual([
			'etcd defrag --dry-run: nothing defragmented; the members in the order they would be, one at a time:',
			'  1. lab-m1 (follower): db 12.0 MiB, 4.0 MiB in use',
			'  2. lab-m3 (follower): db 14.0 MiB, 4.0 MiB in use',
			'  3. lab-m2 (leader): db 13.0 MiB, 4.0 MiB in use',
		]);
	});

	it('NOSPACE: defragments anyway, names the alarm at the end, and disarms it only with --disarm-nospace, after the last member', async () => {
		const kept = fakeCluster({nospaceFor: 'lab-m2'});
		expect(await defragEtcd(kept.input())).toMatchObject({result: 'done', nospace: ['lab-m2'], disarmed: false});
		expect(kept.calls.filter((c) => c.startsWith('disarm'))).toEqual([]);
		const disarmed = fakeCluster({nospaceFor: 'lab-m2'});
		expect(await defragEtcd(disarmed.input({disarmNospace: true}))).toMatchObject({result: 'done', nospace: ['lab-m2'], disarmed: true});
		expect(disarmed.calls.indexOf('disarm NOSPACE 2')).toBeGreaterThan(disarmed.calls.lastIndexOf('defragment lab-m1'));
		const failing = fakeCluster({nospaceFor: 'lab-m2', failOn: 'lab-m3'});
		await defragEtcd(failing.input({disarmNospace: true}));
		expect(failing.calls.filter((c) => c.startsWith('disarm'))).toEqual([]);
	});
});

describe('etcd defrag command', () => {
	beforeAll(() => ensureBuilt(), 180_000);

	it('refuses a profile with an external etcd (exit 2): the tool does not run it', async () => {
		const ws = workspace();
		const refusal = runEtcdDefrag({profileFile: ws.file, stateDir: ws.stateDir, dryRun: false, disarmNospace: false});
		await expect(refusal).rejects.toBeInstanceOf(UserError);
		await expect(refusal).rejects.toMatchObject({exitCode: 2, message: expect.stringMatching(/external etcd .*does not run that etcd/), hint: expect.stringMatching(/defragment it where it runs/)});
		const cli = spawnSync(process.execPath, [cliPath, 'etcd', 'defrag', '--profile-file', ws.file, '--state-dir', ws.stateDir], {encoding: 'utf8'});
		expect(cli.status).toBe(2);
		expect(cli.stderr).toMatch(/does not run that etcd/);
	});

	it('`etcd --help` lists defrag; `etcd defrag --help` says what it does and its options', () => {
		const group = spawnSync(process.execPath, [cliPath, 'etcd', '--help'], {encoding: 'utf8'});
		expect(group.status).toBe(0);
		expect(group.stdout).toMatch(/^ {2}defrag /m);
		const help = spawnSync(process.execPath, [cliPath, 'etcd', 'defrag', '--help'], {encoding: 'utf8'}).stdout.replace(/\s+/g, ' ');
		expect(help).toMatch(/one member at a time/);
		expect(help).toMatch(/followers first and the leader last/);
		for (const option of ['--dry-run', '--disarm-nospace', '--profile-file', '--state-dir']) expect(help).toContain(option);
	});
});
