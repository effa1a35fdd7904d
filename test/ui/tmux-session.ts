/**
 * Driving the shipped CLI in a real terminal: a tmux server on its own socket (a user's
 * tmux is never involved), one session per run, keys in with send-keys, the screen read
 * back with capture-pane while waiting for content (never a fixed sleep). Each run gets a
 * clean environment (env -i) with HOME, every XDG directory, TMPDIR and
 * K8S_MASTER_SETUP_CONFIG_DIR inside the test's own directory.
 */
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface UserDirs {
	home: string;
	temp: string;
	configDir: string;
	stateBase: string;
	knownHosts: string;
	sshConfig: string;
	bin: string;
}

/** A user's directories under `root`, fake Kubernetes binaries (v1.37.2), and an ssh_config sending the TEST-NET-2 nodes to loopback. */
export function userDirs(root: string): UserDirs {
	const d: UserDirs = {
		home: join(root, 'home'),
		temp: join(root, 'tmp'),
		configDir: join(root, 'config'),
		stateBase: join(root, 'home', '.local', 'state', 'k8s-master-setup'),
		knownHosts: join(root, 'known_hosts'),
		sshConfig: join(root, 'ssh_config'),
		bin: join(root, 'bin'),
	};
	for (const dir of [d.home, d.temp, d.bin]) mkdirSync(dir, {recursive: true});
	writeFileSync(d.sshConfig, 'Host 198.51.100.*\n  HostName 127.0.0.1\n');
	for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl']) {
		writeFileSync(join(d.bin, name), '#!/bin/sh\necho "Kubernetes v1.37.2"\n');
		chmodSync(join(d.bin, name), 0o755);
	}
	return d;
}

export function userEnv(d: UserDirs): NodeJS.ProcessEnv {
	return {XDG_STATE_HOME: join(d.home, '.local', 'state'), K8S_MASTER_SETUP_CONFIG_DIR: d.configDir, HOME: d.home};
}

export class TmuxSession {
	constructor(
		readonly socket: string,
		readonly name: string,
	) {}

	tmux(...args: string[]): string {
		return execFileSync('tmux', ['-u', '-S', this.socket, ...args], {encoding: 'utf8'});
	}

	/**
	 * Runs each command line of `runs` (CLI arguments) one after another in a pane of
	 * columns × rows, printing `exit=N` and `__DONE_i__` after each.
	 */
	static start(options: {socket: string; name: string; dir: string; cli: string; user: UserDirs; runs: string[][]; columns: number; rows?: number}): TmuxSession {
		const u = options.user;
		const env = [
			'env -i',
			`PATH='${process.env['PATH'] ?? '/usr/bin:/bin'}'`,
			`HOME='${u.home}'`,
			`TMPDIR='${u.temp}'`,
			`XDG_CONFIG_HOME='${u.home}/.config'`,
			`XDG_STATE_HOME='${u.home}/.local/state'`,
			`XDG_DATA_HOME='${u.home}/.local/share'`,
			`XDG_CACHE_HOME='${u.home}/.cache'`,
			`K8S_MASTER_SETUP_CONFIG_DIR='${u.configDir}'`,
			'TERM=xterm-256color',
			'LANG=C.UTF-8',
		].join(' ');
		const lines = ['#!/bin/sh'];
		options.runs.forEach((args, i) => {
			lines.push(`${env} '${process.execPath}' '${options.cli}' ${args.map((a) => `'${a}'`).join(' ')}`, `echo "exit=$?"`, `echo __DONE_${i}__`);
		});
		lines.push('exec sleep 600');
		const script = join(options.dir, `${options.name}.sh`);
		writeFileSync(script, lines.join('\n') + '\n');
		chmodSync(script, 0o755);
		const session = new TmuxSession(options.socket, options.name);
		session.tmux('new-session', '-d', '-s', options.name, '-x', String(options.columns), '-y', String(options.rows ?? 40), `sh '${script}'`);
		return session;
	}

	capture(): string {
		return this.tmux('capture-pane', '-p', '-J', '-t', this.name);
	}

	keys(...k: string[]): void {
		this.tmux('send-keys', '-t', this.name, ...k);
	}

	type(text: string): void {
		this.tmux('send-keys', '-t', this.name, '-l', text);
	}

	/** Polls the pane until `check` holds (default 15 s: the first frame loads the whole UI). */
	async waitFor(check: string | RegExp | ((pane: string) => boolean), what?: string, timeoutMs = 15_000): Promise<string> {
		const test = typeof check === 'function' ? check : (p: string) => (typeof check === 'string' ? p.includes(check) : check.test(p));
		const started = Date.now();
		for (;;) {
			const pane = this.capture();
			if (test(pane)) return pane;
			if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what ?? String(check)}; the pane:\n${pane}`);
			await sleep(25);
		}
	}

	/** The focused field's line starts with "› LABEL". */
	static focused(label: string): RegExp {
		return new RegExp(`› ${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
	}

	/** Ctrl-U on the focused field, then wait until its old value is gone (see wizard-tmux.test.ts). */
	async clearField(label: string, old: string): Promise<void> {
		this.keys('C-u');
		await this.waitFor((pane) => {
			const line = pane.split('\n').find((l) => TmuxSession.focused(label).test(l));
			return line !== undefined && !line.includes(old);
		}, `${label} cleared`);
	}

	kill(): void {
		if (existsSync(this.socket)) spawnSync('tmux', ['-S', this.socket, 'kill-session', '-t', this.name]);
	}
}
