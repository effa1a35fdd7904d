/**
 * The real-terminal test (issue 5): the shipped CLI (the bundle, dist/k8s-master-setup.mjs,
 * built here first so it is never stale) runs `init` in a tmux pane of 100 × 40; keys go in
 * with send-keys and every screen is read back with capture-pane, waiting for content (never
 * a fixed sleep). It walks every screen to the summary, checks the summary shows what was
 * typed (nodes, CIDRs, the pasted encryption key masked), goes back one screen and forward
 * again, then Ctrl-C: nothing is saved (no profile, no known_hosts, no state), the only file
 * left is the draft (without the pasted key), and the terminal is restored (cooked mode,
 * echo, cursor visible).
 *
 * Node checks: the nodes are 198.51.100.201-203 (TEST-NET-2; a master's address may not be
 * loopback), which the ssh_config given with --ssh-config sends to a loopback port nothing
 * listens on, so the SSH checks fail at once without any traffic leaving the machine, and the host-key screen's
 * "c continue without checking" is exercised. HOME, XDG_* and TMPDIR point at a temporary
 * directory, K8S_MASTER_SETUP_CONFIG_DIR too: nothing real is touched. tmux runs on its own
 * socket, so a user's tmux server is never involved. Skipped only when tmux is missing
 * (.ci/run installs it).
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {bundleCli} from '../../scripts/bundle.js';
import {cannotRun} from '../require-or-skip.js';
import {closedPort} from '../loopback-servers.js';

const tmuxMissing = cannotRun('wizard-tmux.test.ts', spawnSync('tmux', ['-V'], {encoding: 'utf8'}).status !== 0 ? 'tmux is not installed (Debian package tmux; .ci/run installs it)' : undefined);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(tmuxMissing)('the wizard in a real terminal (tmux)', () => {
	let work: string;
	let socket: string;
	let cli: string;
	const session = 'wizard';

	const tmux = (...args: string[]) => execFileSync('tmux', ['-u', '-S', socket, ...args], {encoding: 'utf8'});
	const capture = () => tmux('capture-pane', '-p', '-J', '-t', session);
	const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);
	const type = (text: string) => tmux('send-keys', '-t', session, '-l', text);

	/** Polls the pane until `check` holds (default 15 s: the first frame loads the whole UI). */
	async function waitForPane(check: string | RegExp | ((pane: string) => boolean), what?: string, timeoutMs = 15_000): Promise<string> {
		const test = typeof check === 'function' ? check : (p: string) => (typeof check === 'string' ? p.includes(check) : check.test(p));
		const started = Date.now();
		let pane = '';
		for (;;) {
			pane = capture();
			if (test(pane)) return pane;
			if (Date.now() - started > timeoutMs) {
				throw new Error(`timed out after ${timeoutMs} ms waiting for ${what ?? String(check)}; the pane:\n${pane}`);
			}
			await sleep(25);
		}
	}
	/** The focused field's line (the wizard marks it with "›"). */
	const focusedOn = (label: string) => new RegExp(`› ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
	/**
	 * Ctrl-U on the focused field, then wait until its old value is gone: text typed at once
	 * can reach the wizard in the same read as the Ctrl-U and be taken as one input
	 * (seen once in CI under load: the port read "2237981").
	 */
	async function clearField(label: string, old: string): Promise<void> {
		keys('C-u');
		await waitForPane((pane) => {
			const line = pane.split('\n').find((l) => focusedOn(label).test(l));
			return line !== undefined && !line.includes(old);
		}, `${label} cleared`);
	}

	beforeAll(async () => {
		cli = await bundleCli();
		work = mkdtempSync(join(tmpdir(), 'k8s-wizard-tmux-'));
		socket = join(work, 'tmux.sock');
	}, 120_000);

	afterAll(() => {
		if (socket && existsSync(socket)) spawnSync('tmux', ['-S', socket, 'kill-server']);
		if (work) rmSync(work, {recursive: true, force: true});
	});

	it('goes from the first screen to the summary, shows the answers, and Ctrl-C leaves nothing behind', async () => {
		const home = join(work, 'home');
		const configDir = join(work, 'config');
		const temp = join(work, 'tmp');
		const knownHosts = join(work, 'known_hosts');
		const sshConfig = join(work, 'ssh_config');
		writeFileSync(sshConfig, 'Host 198.51.100.*\n  HostName 127.0.0.1\n');
		const bin = join(work, 'bin');
		for (const dir of [home, temp, bin]) mkdirSync(dir, {recursive: true});
		for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']) {
			writeFileSync(join(bin, name), '#!/bin/sh\necho "Kubernetes v1.37.2"\n');
			chmodSync(join(bin, name), 0o755);
		}
		const port = await closedPort();
		const encryptionKey = Buffer.alloc(32, 7).toString('base64');

		// A clean environment (env -i): no CI variables (ink would render only the last frame),
		// no agent, HOME and every XDG directory inside the test's directory.
		const script = join(work, 'run.sh');
		writeFileSync(
			script,
			[
				'#!/bin/sh',
				[
					'env -i',
					`PATH='${process.env['PATH'] ?? '/usr/bin:/bin'}'`,
					`HOME='${home}'`,
					`TMPDIR='${temp}'`,
					`XDG_CONFIG_HOME='${home}/.config'`,
					`XDG_STATE_HOME='${home}/.local/state'`,
					`XDG_DATA_HOME='${home}/.local/share'`,
					`XDG_CACHE_HOME='${home}/.cache'`,
					`K8S_MASTER_SETUP_CONFIG_DIR='${configDir}'`,
					'TERM=xterm-256color',
					'LANG=C.UTF-8',
					`'${process.execPath}' '${cli}' init --known-hosts '${knownHosts}' --ssh-config '${sshConfig}'`,
				].join(' '),
				'echo "exit=$?"',
				// What the terminal was left in: cooked mode and echo are back (ink used raw mode).
				'stty -a | tr " ;" "\\n\\n" | grep -E "^-?(icanon|echo)$" | tr "\\n" " "; echo',
				'echo __SHELL_AGAIN__',
				'exec sleep 600',
			].join('\n') + '\n',
		);
		chmodSync(script, 0o755);
		tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '40', `sh '${script}'`);

		// 1. SSH access: user, port (changed to the closed port), authentication.
		await waitForPane('k8s-master-setup', 'the first frame');
		await waitForPane('SSH access');
		keys('Enter');
		await waitForPane(focusedOn('port'));
		await clearField('port', '22');
		type(String(port));
		await waitForPane(`port            ${port}`);
		keys('Enter');
		await waitForPane(focusedOn('authentication'));
		keys('Enter');

		// 2. Master nodes: master1 is there; its IP, then Ctrl-N twice for master2 and master3.
		await waitForPane('Master nodes');
		keys('Enter');
		// The focused cell of the node table is marked "▸".
		await waitForPane(/master1\s+▸/, 'the IP cell of master1 focused');
		type('198.51.100.201');
		await waitForPane('198.51.100.201');
		keys('C-n');
		await waitForPane('master2');
		type('198.51.100.202');
		await waitForPane('198.51.100.202');
		keys('C-n');
		await waitForPane('master3');
		type('198.51.100.203');
		await waitForPane('198.51.100.203');
		keys('Tab');
		await waitForPane('› [+ add node]');
		keys('Tab');
		await waitForPane('› [continue]');
		keys('Enter');

		// 3. Host keys: every check fails (nothing listens); Enter says so, `c` goes on without.
		await waitForPane('Host keys');
		let pane = '';
		for (;;) {
			keys('Enter');
			pane = await waitForPane(/failed the check|still checking/, 'the checks to finish');
			if (pane.includes('failed the check')) break;
			await sleep(100);
		}
		expect(pane).toContain('3 nodes failed the check');
		keys('c');

		// 4. Binaries: the path; leaving the field reads the version from kube-apiserver.
		await waitForPane('Kubernetes binaries');
		type(bin);
		await waitForPane(bin);
		keys('Enter');
		await waitForPane('found v1.37.2', 'the version read from the binaries');
		await waitForPane(/› version\s+1\.37/);
		keys('Enter');

		// 5. Network: other service and pod CIDRs; the rest as prefilled.
		await waitForPane('Cluster network');
		await waitForPane(focusedOn('service CIDR'));
		await clearField('service CIDR', '10.254.0.0/16');
		type('10.96.0.0/12');
		await waitForPane('10.96.0.0/12');
		keys('Enter');
		await waitForPane(focusedOn('pod CIDR'));
		await clearField('pod CIDR', '172.30.0.0/16');
		type('10.244.0.0/16');
		await waitForPane('10.244.0.0/16');
		keys('Enter');
		await waitForPane(focusedOn('NodePort range'));
		keys('Enter');
		await waitForPane(focusedOn('cluster domain'));
		keys('Enter');

		// 6. etcd: "do you run an etcd cluster already?" yes; the endpoints are prefilled from the node IPs.
		pane = await waitForPane('step 6/11');
		expect(pane).toContain('(•) no: run it on the masters');
		keys('Right');
		pane = await waitForPane('(•) yes: I run one');
		expect(pane).toContain('https://198.51.100.201:2379');
		keys('Enter');
		await waitForPane(focusedOn('endpoints'));
		keys('Enter');

		// 7. CA: create a new one.
		await waitForPane('Certificate authority');
		keys('Enter');

		// 8. Encryption key: switch to "paste", paste one; the screen shows bullets only.
		await waitForPane('Secrets encryption key');
		keys('Right');
		await waitForPane('paste an existing key');
		keys('Enter');
		await waitForPane(focusedOn('base64 key'));
		type(encryptionKey);
		pane = await waitForPane('•'.repeat(encryptionKey.length));
		expect(pane).not.toContain(encryptionKey);
		keys('Enter');

		// 9. Extra SANs: none. 10. Profile name.
		await waitForPane('Extra API server names');
		keys('Enter');
		await waitForPane('Profile name');
		await clearField('profile name', 'default');
		type('tmuxlab');
		await waitForPane(/profile name\s+tmuxlab/);
		keys('Enter');

		// 11. The summary shows every answer, the key masked.
		pane = await waitForPane('Summary');
		const line = (label: string, value: string) => expect(pane).toMatch(new RegExp(`${label}\\s+${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
		line('profile', 'tmuxlab');
		line('nodes', 'master1  198.51.100.201');
		expect(pane).toMatch(/master2\s+198\.51\.100\.202/);
		expect(pane).toMatch(/master3\s+198\.51\.100\.203/);
		line('ssh', `root, port ${port}, ssh-agent / default keys`);
		line('binaries', `${bin} (v1.37.2)`);
		line('version', '1.37');
		line('service CIDR', '10.96.0.0/12');
		line('pod CIDR', '10.244.0.0/16');
		line('NodePort range', '30000-32767');
		line('cluster domain', 'cluster.local');
		line('etcd', 'external, 3 endpoints');
		expect(pane).toMatch(/^\s+https:\/\/198\.51\.100\.201:2379$/m);
		line('CA', 'create a new CA');
		line('encryption key', '•••••••••••• (pasted, not shown)');
		line('host keys', 'not checked');
		expect(pane).not.toContain(encryptionKey);

		// Esc goes back one screen with the answer kept; Enter returns to the summary.
		keys('Escape');
		await waitForPane(/Profile name[\s\S]*tmuxlab/);
		keys('Enter');
		await waitForPane('enter confirm and save');

		// Ctrl-C before the confirm: cancelled, exit 130, the shell's script goes on.
		keys('C-c');
		pane = await waitForPane('__SHELL_AGAIN__', 'the CLI to exit');
		expect(pane).toContain('cancelled; nothing was written to any node');
		expect(pane).toContain('exit=130');
		expect(pane).toMatch(/(^|\s)icanon(\s|$)/m);
		expect(pane).toMatch(/(^|\s)echo(\s|$)/m);
		expect(tmux('display-message', '-p', '-t', session, '#{cursor_flag}').trim()).toBe('1');

		// Nothing saved: no profile store, no known_hosts, no state; only the draft, without the
		// key, in the user's state directory (never at a predictable name in /tmp).
		expect(existsSync(join(configDir, 'profiles.json'))).toBe(false);
		expect(existsSync(knownHosts)).toBe(false);
		const stateBase = join(home, '.local', 'state', 'k8s-master-setup');
		expect(readdirSync(home)).toEqual(['.local']);
		expect(readdirSync(stateBase)).toEqual(['wizard-draft.json']);
		expect(statSync(join(stateBase, 'wizard-draft.json')).mode & 0o777).toBe(0o600);
		// (Node >= 22.1 keeps its compile cache, which the bundle turns on, under TMPDIR.)
		expect(readdirSync(temp).filter((f) => f !== 'node-compile-cache')).toEqual([]);
		const draft = readFileSync(join(stateBase, 'wizard-draft.json'), 'utf8');
		expect(draft).not.toContain(encryptionKey);
		expect(JSON.parse(draft)).toMatchObject({step: 'summary', answers: {values: {name: 'tmuxlab', 'network.serviceCidr': '10.96.0.0/12', 'network.podCidr': '10.244.0.0/16'}}});
	}, 120_000);
});
