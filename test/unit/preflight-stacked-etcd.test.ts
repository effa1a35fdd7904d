// Preflight for a stacked etcd (etcd.mode: stacked): the member's ports must be free, or
// held by the tool's own member, and etcd.dataDir must not hold another cluster's data.
// The judge on parsed facts, then the script in this machine's sh against a temporary
// unit directory and data directory.
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {Profile} from '../../source/profile/schema.js';
import {judgePreflight, parsePreflight, preflightScript, type PreflightFacts, type StackedEtcdFacts} from '../../source/run/preflight.js';
import {stackedProfile} from './etcd/fixtures.js';

const expectations = {arch: 'x86_64', binariesBytes: 1024, localEpochSeconds: 1_700_000_000, maxClockSkewSeconds: 30};

/** A healthy node with a stacked etcd's facts. */
function facts(stacked: Partial<StackedEtcdFacts> = {}, listeners: PreflightFacts['listeners'] = []): PreflightFacts {
	return {
		systemd: true,
		arch: 'x86_64',
		hostname: 'm1',
		epochSeconds: 1_700_000_000,
		availableKib: 50_000_000,
		listeners,
		etcd: new Map(),
		versions: new Map(),
		stackedEtcd: {unit: 'absent', dataDir: {path: '/var/lib/etcd', state: 'absent', entries: 0, member: false}, ...stacked},
	};
}

const judge = (f: PreflightFacts) => judgePreflight('m1', f, expectations);
const etcdListeners = (process: string) => [2379, 2380, 2381].map((port) => ({port, process}));

describe('preflight judge: stacked etcd', () => {
	it('passes a node whose etcd ports are free and whose data directory is absent or empty', () => {
		expect(judge(facts())).toEqual([]);
		expect(judge(facts({dataDir: {path: '/var/lib/etcd', state: 'directory', entries: 0, member: false}}))).toEqual([]);
		// Other ports in use do not matter.
		expect(judge(facts({}, [{port: 22, process: 'sshd'}, {port: 2378, process: 'nginx'}]))).toEqual([]);
	});

	it('names the node, the port and the process holding an etcd port, with the fix', () => {
		const problems = judge(facts({}, [{port: 2380, process: 'haproxy'}]));
		expect(problems).toEqual([
			{
				check: 'ports',
				message: `m1: port 2380 is held by "haproxy", not the tool's etcd member`,
				hint: "stop it or free the port on m1 (ss -ltnp 'sport = :2380'); a stacked etcd needs 2379 (clients), 2380 (peers), 2381 (metrics, loopback)",
			},
		]);
	});

	it('passes the tool\'s own member already running there (an etcd process, the tool\'s etcd.service)', () => {
		expect(judge(facts({unit: 'ours'}, etcdListeners('etcd')))).toEqual([]);
	});

	it('fails an etcd the tool did not install, and a foreign process beside the tool\'s unit', () => {
		const foreignUnit = judge(facts({unit: 'foreign'}, etcdListeners('etcd')));
		expect(foreignUnit.filter((p) => p.check === 'ports').map((p) => p.message)).toEqual([2379, 2380, 2381].map((port) => `m1: port ${port} is held by "etcd" (an etcd the tool did not install: etcd.service there is not the tool's), not the tool's etcd member`));
		expect(judge(facts({unit: 'absent'}, [{port: 2379, process: 'etcd'}]))[0]?.message).toContain('etcd.service is not there');
		// Our unit, but something else on the metrics port.
		expect(judge(facts({unit: 'ours'}, [...etcdListeners('etcd'), {port: 2381, process: 'node_exporter'}])).map((p) => p.message)).toEqual([
			`m1: port 2381 is held by "node_exporter", not the tool's etcd member`,
		]);
	});

	it('fails a data directory with something in it while the tool\'s etcd unit is not on the node', () => {
		const problems = judge(facts({unit: 'absent', dataDir: {path: '/var/lib/etcd', state: 'directory', entries: 1, member: true}}));
		expect(problems).toEqual([
			{
				check: 'etcd data',
				message: "m1: etcd.dataDir /var/lib/etcd already holds member/ and the tool's etcd member is not installed there: another cluster's data, or an older install's",
				hint: 'move it away on m1 (mv /var/lib/etcd /var/lib/etcd.old), or point etcd.dataDir elsewhere; the tool never deletes etcd data on a first install',
			},
		]);
		const others = judge(facts({unit: 'foreign', dataDir: {path: '/srv/etcd', state: 'directory', entries: 3, member: true}}));
		expect(others[0]?.message).toContain('/srv/etcd already holds member/ and 2 other entries');
		const noMember = judge(facts({dataDir: {path: '/srv/etcd', state: 'directory', entries: 1, member: false}}));
		expect(noMember[0]?.message).toContain('/srv/etcd already holds 1 entry (no member/)');
	});

	it("fails an etcd.service the tool did not write (it would be overwritten), naming the way out", () => {
		const problems = judge(facts({unit: 'foreign'})).filter((p) => p.check === 'etcd unit');
		expect(problems.map((p) => p.message)).toEqual(["m1: an etcd.service the tool did not write is installed there (another etcd, e.g. the guide's)"]);
		expect(problems[0]?.hint).toContain('etcd.mode: external');
		expect(judge(facts({unit: 'absent'})).filter((p) => p.check === 'etcd unit')).toEqual([]);
	});

	it("passes the tool's own member's data directory", () => {
		expect(judge(facts({unit: 'ours', dataDir: {path: '/var/lib/etcd', state: 'directory', entries: 1, member: true}}))).toEqual([]);
	});

	it('fails a data directory that is a file, or that could not be read', () => {
		expect(judge(facts({dataDir: {path: '/var/lib/etcd', state: 'not-a-directory', entries: 0, member: false}}))).toEqual([
			{check: 'etcd data', message: 'm1: etcd.dataDir /var/lib/etcd is not a directory', hint: 'move it away on m1 (mv /var/lib/etcd /var/lib/etcd.old), or point etcd.dataDir elsewhere'},
		]);
		expect(judge(facts({dataDir: {path: '/var/lib/etcd', state: 'unknown', entries: 0, member: false}}))[0]?.message).toBe('m1: could not read etcd.dataDir /var/lib/etcd');
	});

	it('never judges etcd reachability in stacked mode: the members may not run yet', () => {
		expect(judge({...facts(), etcd: new Map([['https://198.51.100.1:2379', false]])})).toEqual([]);
	});
});

describe('preflight parser: stacked etcd', () => {
	it('reads the unit, the data directory (its path the rest of the line) and the etcd listeners', () => {
		const parsed = parsePreflight(
			['etcd-unit ours', "etcd-data directory 2 yes /tmp/data it's", 'listen 127.0.0.1:2381 users:(("etcd",pid=812,fd=9))', 'listen [::]:2379 users:(("etcd",pid=812,fd=7))'].join('\n'),
		);
		expect(parsed.stackedEtcd).toEqual({unit: 'ours', dataDir: {path: "/tmp/data it's", state: 'directory', entries: 2, member: true}});
		expect(parsed.listeners).toEqual([{port: 2381, process: 'etcd'}, {port: 2379, process: 'etcd'}]);
	});

	it('has no stacked etcd facts for an external etcd, and an unknown data directory when its line is missing', () => {
		expect(parsePreflight('systemd yes\netcd https://198.51.100.1:2379 yes').stackedEtcd).toBeUndefined();
		expect(parsePreflight('etcd-unit foreign').stackedEtcd).toEqual({unit: 'foreign', dataDir: {path: '', state: 'unknown', entries: 0, member: false}});
	});
});

describe('preflight script: stacked etcd', () => {
	let root = '';
	let profile: Profile;
	let dataDir = '';
	let unitDir = '';
	beforeEach(() => {
		// Quotes and blanks the schema would refuse: the script must quote by construction.
		root = mkdtempSync(join(tmpdir(), "preflight it's "));
		dataDir = join(root, 'etcd data');
		unitDir = join(root, 'units $(x)');
		mkdirSync(unitDir);
		const base = stackedProfile();
		profile = {...base, etcd: {...base.etcd, mode: 'stacked', dataDir} as Profile['etcd'], paths: {...base.paths, binDir: join(root, 'bin'), unitDir}};
	});
	afterEach(() => rmSync(root, {recursive: true, force: true}));

	const run = () => parsePreflight(execFileSync('sh', ['-c', preflightScript(profile, profile.nodes[0]!)], {encoding: 'utf8'}));
	const dataProblems = (f: PreflightFacts) => judgePreflight('m1', f, expectations).filter((p) => p.check === 'etcd data');

	it('on a fresh node: no unit, no data directory, no etcd probes, nothing to object to', () => {
		const f = run();
		expect(f.stackedEtcd).toEqual({unit: 'absent', dataDir: {path: dataDir, state: 'absent', entries: 0, member: false}});
		expect(f.etcd.size).toBe(0);
		expect(dataProblems(f)).toEqual([]);
		// The node facts are still read.
		expect(f.arch).toBe(execFileSync('uname', ['-m'], {encoding: 'utf8'}).trim());
		expect(f.availableKib).toBeGreaterThan(0);
	});

	it('an empty data directory passes', () => {
		mkdirSync(dataDir);
		const f = run();
		expect(f.stackedEtcd?.dataDir).toEqual({path: dataDir, state: 'directory', entries: 0, member: false});
		expect(dataProblems(f)).toEqual([]);
	});

	it("another member's data without the tool's unit fails, naming the path and what it holds", () => {
		mkdirSync(join(dataDir, 'member', 'wal'), {recursive: true});
		writeFileSync(join(dataDir, '.hidden'), '');
		writeFileSync(join(unitDir, 'etcd.service'), '[Unit]\nDescription=etcd (the guide)\n');
		const f = run();
		expect(f.stackedEtcd).toEqual({unit: 'foreign', dataDir: {path: dataDir, state: 'directory', entries: 2, member: true}});
		expect(dataProblems(f).map((p) => p.message)).toEqual([
			`m1: etcd.dataDir ${dataDir} already holds member/ and 1 other entry and the tool's etcd member is not installed there: another cluster's data, or an older install's`,
		]);
	});

	it("the tool's own member's data directory passes", () => {
		mkdirSync(join(dataDir, 'member'), {recursive: true});
		writeFileSync(join(unitDir, 'etcd.service'), '# Generated by k8s-master-setup for m1 (etcd v3.6.5, Kubernetes v1.37.2). Edit the profile, not this file: apply overwrites it.\n[Unit]\n');
		const f = run();
		expect(f.stackedEtcd).toEqual({unit: 'ours', dataDir: {path: dataDir, state: 'directory', entries: 1, member: true}});
		expect(dataProblems(f)).toEqual([]);
	});

	it('a file where the data directory goes fails', () => {
		writeFileSync(dataDir, 'not a directory');
		const f = run();
		expect(f.stackedEtcd?.dataDir.state).toBe('not-a-directory');
		expect(dataProblems(f).map((p) => p.message)).toEqual([`m1: etcd.dataDir ${dataDir} is not a directory`]);
	});
});
