/**
 * The wizard in a real terminal (tmux, the built bundle), for what issue 16 asks of it: a
 * bad extra SAN refused on its own screen; Ctrl-C on the fifth screen and a restart that
 * resumes the draft; a saved profile edited to add a master; a node-check error at 60
 * columns shown with its whole hint. The nodes are TEST-NET-2 addresses that the given
 * ssh_config sends to a loopback port nothing listens on (test/loopback-servers.ts), so
 * every check fails at once and no traffic leaves the machine.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {bundleCli} from '../../scripts/bundle.js';
import {cannotRun} from '../require-or-skip.js';
import {closedPort} from '../loopback-servers.js';
import {initialDraft} from '../../source/ui/wizard/draft.js';
import {savedDraftOf} from '../../source/ui/wizard/saved-draft.js';
import {writeStoredProfile} from '../../source/profile/store.js';
import {TmuxSession, userDirs, userEnv, type UserDirs} from './tmux-session.js';

const tmuxMissing = cannotRun('wizard-tmux-drafts.test.ts', spawnSync('tmux', ['-V'], {encoding: 'utf8'}).status !== 0 ? 'tmux is not installed (Debian package tmux; .ci/run installs it)' : undefined);

const squashed = (s: string) => s.replace(/\s+/g, '');

describe.skipIf(tmuxMissing)('the wizard’s drafts, edits and messages in a real terminal (tmux)', () => {
	let work: string;
	let socket: string;
	let cli: string;
	let port: number;
	let session: TmuxSession | undefined;
	let count = 0;

	beforeAll(async () => {
		cli = await bundleCli();
		work = mkdtempSync(join(tmpdir(), 'k8s-wizard-tmux2-'));
		socket = join(work, 'tmux.sock');
		port = await closedPort();
	}, 120_000);
	afterEach(() => session?.kill());
	afterAll(() => {
		if (socket && existsSync(socket)) spawnSync('tmux', ['-S', socket, 'kill-server']);
		if (work) rmSync(work, {recursive: true, force: true});
	});

	function start(runs: string[][], columns = 100): {s: TmuxSession; user: UserDirs} {
		const dir = join(work, `run${++count}`);
		mkdirSync(dir);
		const user = userDirs(dir);
		const withSsh = runs.map((args) => [...args, '--known-hosts', user.knownHosts, '--ssh-config', user.sshConfig]);
		session = TmuxSession.start({socket, name: `w${count}`, dir, cli, user, runs: withSsh, columns});
		return {s: session, user};
	}
	/** Started later than start(): the user's files are written first. */
	function prepare(columns = 100) {
		const dir = join(work, `run${++count}`);
		mkdirSync(dir);
		const user = userDirs(dir);
		return {
			user,
			run: (runs: string[][]) => {
				const withSsh = runs.map((args) => [...args, '--known-hosts', user.knownHosts, '--ssh-config', user.sshConfig]);
				session = TmuxSession.start({socket, name: `w${count}`, dir, cli, user, runs: withSsh, columns});
				return session;
			},
		};
	}

	/** SSH screen: the port changed to the closed one. */
	async function sshScreen(s: TmuxSession) {
		await s.waitFor('SSH access', 'the first screen');
		s.keys('Enter');
		await s.waitFor(TmuxSession.focused('port'));
		await s.clearField('port', '22');
		s.type(String(port));
		await s.waitFor(`port            ${port}`);
		s.keys('Enter');
		await s.waitFor(TmuxSession.focused('authentication'));
		s.keys('Enter');
		await s.waitFor('Master nodes');
	}

	it('a bad extra SAN is refused on its own screen, with the schema’s whole message', async () => {
		const {user, run} = prepare();
		const answers = initialDraft({binaries: user.bin, kubernetesVersion: '1.37', nodes: [{name: 'master1', ip: '198.51.100.201'}], ssh: {port}});
		mkdirSync(user.stateBase, {recursive: true});
		writeFileSync(join(user.stateBase, 'wizard-draft.json'), JSON.stringify(savedDraftOf(answers, 'sans')));
		const s = run([['init']]);
		await s.waitFor('An earlier run kept its answers');
		s.keys('Enter');
		await s.waitFor(/step \d+\/11 · Extra API server names/);
		s.type('k8s.example.com, bad_name!');
		await s.waitFor('bad_name!');
		s.keys('Enter');
		const pane = await s.waitFor('to continue', 'the refused continue');
		expect(pane).toMatch(/step \d+\/11 · Extra API server names/);
		expect(pane).not.toContain('Profile name');
		expect(squashed(pane)).toContain(squashed('✗ entry 2: "bad_name!" is not a DNS name: each dot-separated part is 1-63 letters, digits or "-", not starting or ending with "-" (a wildcard only as a first "*." part); give an IP address or a DNS name, e.g. 192.168.31.100 or k8s.example.com'));
		s.keys('C-c');
		await s.waitFor('__DONE_0__');
	}, 90_000);

	it('Ctrl-C on the fifth screen, then a restart resumes the draft there', async () => {
		const {s, user} = start([['init'], ['init']]);
		await sshScreen(s);
		s.keys('Enter');
		await s.waitFor(/master1\s+▸/, 'the IP cell of master1');
		s.type('198.51.100.201');
		await s.waitFor('198.51.100.201');
		s.keys('Tab');
		await s.waitFor('› [+ add node]');
		s.keys('Tab');
		await s.waitFor('› [continue]');
		s.keys('Enter');
		await s.waitFor('Host keys');
		await s.waitFor('✗ ssh check failed', 'the check to fail');
		s.keys('c');
		await s.waitFor('Kubernetes binaries');
		s.type(user.bin);
		await s.waitFor(user.bin);
		s.keys('Enter');
		await s.waitFor('found v1.37.2');
		s.keys('Enter');
		await s.waitFor('step 5/11 · Cluster network');
		await s.clearField('service CIDR', '10.254.0.0/16');
		s.type('10.96.0.0/12');
		await s.waitFor('10.96.0.0/12');
		s.keys('C-c');
		let pane = await s.waitFor('__DONE_0__', 'the first run to end');
		expect(pane).toContain('exit=130');
		expect(pane).toContain('the next start offers to resume them');

		// The second run offers the draft; resuming lands on the fifth screen with the answers.
		pane = await s.waitFor('An earlier run kept its answers', 'the offer');
		expect(squashed(pane)).toContain(squashed('at step 5/11, Cluster network'));
		s.keys('Enter');
		pane = await s.waitFor('step 5/11 · Cluster network');
		expect(pane).toContain('10.96.0.0/12');
		s.keys('Escape');
		pane = await s.waitFor('Kubernetes binaries');
		expect(pane).toContain(user.bin);
		s.keys('C-c');
		await s.waitFor('__DONE_1__');
	}, 120_000);

	it('editing a saved profile adds a master; the draft is gone once it is saved', async () => {
		const {user, run} = prepare();
		const env = userEnv(user);
		await writeStoredProfile(
			'prod',
			{
				name: 'prod',
				kubernetesVersion: '1.37',
				binaries: user.bin,
				nodes: ['201', '202', '203'].map((n, i) => ({name: `master${i + 1}`, ip: `198.51.100.${n}`})),
				ssh: {user: 'root', port},
				etcd: {endpoints: ['https://198.51.100.201:2379']},
				paths: {binDir: '/opt/kube/bin'},
			},
			env,
		);
		const s = run([['init', '--edit', 'prod', '--save-only']]);
		await s.waitFor('editing profile prod');
		// The change screen's first choice: the new master's form, its host key, the summary.
		await s.waitFor('› (•) add a master');
		s.keys('Enter');
		await s.waitFor('New master');
		await s.waitFor(/▸master4/, 'the new master\'s name, focused');
		s.keys('Enter');
		await s.waitFor(/master4\s+▸/, 'its IP, focused');
		s.type('198.51.100.204');
		await s.waitFor('198.51.100.204');
		s.keys('Enter');
		await s.waitFor('Host keys');
		await s.waitFor((p) => p.split('✗ ssh check failed').length === 5, 'four failed checks');
		s.keys('c');
		let pane = await s.waitFor('Summary');
		expect(pane).toContain('prod (edited; saved over the old one)');
		expect(pane).toContain('apply will add master4');
		expect(pane).toMatch(/master4\s+198\.51\.100\.204/);
		s.keys('Enter');
		pane = await s.waitFor('__DONE_0__', 'the CLI to exit');
		expect(pane).toContain('exit=0');
		const stored = JSON.parse(readFileSync(join(user.configDir, 'profiles.json'), 'utf8')) as Record<string, {nodes: Array<{name: string}>; paths: unknown}>;
		expect(stored['prod']!.nodes.map((n) => n.name)).toEqual(['master1', 'master2', 'master3', 'master4']);
		expect(stored['prod']!.paths).toEqual({binDir: '/opt/kube/bin'});
		expect(existsSync(join(user.stateBase, 'wizard-draft.json'))).toBe(false);
	}, 120_000);

	it('at 60 columns a failed node check shows its whole error and hint', async () => {
		const {s} = start([['init']], 60);
		await sshScreen(s);
		s.keys('Enter');
		await s.waitFor(/master1\s+▸/, 'the IP cell of master1');
		s.type('198.51.100.201');
		await s.waitFor('198.51.100.201');
		s.keys('Enter');
		const hint = 'hint: check that sshd runs on the node and that the port is right (profile ssh.port, or Port in ~/.ssh/config)';
		const pane = await s.waitFor((p) => squashed(p).includes(squashed(hint)), 'the whole hint');
		expect(squashed(pane)).toContain(squashed(`cannot connect to 127.0.0.1:${port}: connection refused`));
		for (const line of pane.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(60);
		s.keys('C-c');
		await s.waitFor('__DONE_0__');
	}, 90_000);
});
