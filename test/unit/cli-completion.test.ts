// `completion bash|zsh` through the built CLI: the script is generated from the commander
// program, so it must list every command the program has and each command's options, and
// bash must accept it and complete with it.
import {execFileSync, spawnSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {cliPath, ensureBuilt, tempDir} from './render/fixtures.js';

beforeAll(() => ensureBuilt(), 180_000);

const script = (shell: string) => execFileSync(process.execPath, [cliPath, 'completion', shell], {encoding: 'utf8'});
/** The commands `--help` lists (the program's own view of itself). */
const commands = () => {
	const help = execFileSync(process.execPath, [cliPath, '--help'], {encoding: 'utf8'});
	const names = [...help.split('Commands:')[1]!.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((n) => n !== 'help');
	expect(names.length).toBeGreaterThanOrEqual(5);
	return names;
};

describe('completion (built CLI)', () => {
	it('bash accepts the script, and it completes every command and a command\'s options', () => {
		const bash = script('bash');
		const file = join(tempDir('k8s-completion-'), 'completion.bash');
		writeFileSync(file, bash);
		expect(spawnSync('bash', ['-n', file], {encoding: 'utf8'}).status).toBe(0);
		const complete = (...words: string[]) =>
			execFileSync('bash', ['-c', `source '${file}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _k8s_master_setup; echo "\${COMPREPLY[*]}"`], {encoding: 'utf8'}).trim();
		expect(complete('k8s-master-setup', '').split(' ')).toEqual(expect.arrayContaining([...commands(), '--help']));
		expect(complete('k8s-master-setup', 'sta').split(' ').sort()).toEqual(['state', 'status']);
		expect(complete('k8s-master-setup', 'statu')).toBe('status');
		expect(complete('k8s-master-setup', 'status', '--conn')).toBe('--connect-timeout');
		expect(complete('k8s-master-setup', 'apply', '--dry')).toBe('--dry-run');
	});

	it('the zsh script lists every command with its options', () => {
		const zsh = script('zsh');
		expect(zsh.startsWith('#compdef k8s-master-setup\n')).toBe(true);
		for (const name of commands()) expect(zsh).toMatch(new RegExp(`'${name}:[^']*'[^]*\\n\\t\\t${name}\\) _arguments `));
		expect(zsh).toMatch(/apply\) _arguments [^\n]*'--dry-run\[/);
		if (spawnSync('zsh', ['--version']).status === 0) expect(spawnSync('zsh', ['-n'], {input: zsh}).status).toBe(0);
	});

	it('refuses another shell (exit 2)', () => {
		const r = spawnSync(process.execPath, [cliPath, 'completion', 'fish'], {encoding: 'utf8'});
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/'fish' is invalid/);
	});
});
