import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {sh, shellQuote, shJoin} from '../../source/remote/shell.js';
import {wrapWithSudo} from '../../source/remote/sudo-command.js';

// Pure, but checked against a real /bin/sh: the quoting must survive the shell that runs it.
describe('shell quoting', () => {
	const nasty = ["it's", '"double"', '$HOME', '`id`', 'a b\tc\nd', '', '*', "'", "''", '\\', '--flag', ';rm -rf /', 'ünïcode', '$(touch /tmp/x)', ';{}'];

	it('round-trips every argument through sh unchanged', () => {
		const output = execFileSync('sh', ['-c', sh`printf '%s\\0' ${nasty}`]).toString();
		expect(output.split('\0').slice(0, -1)).toEqual(nasty);
	});

	it('quotes each value, also next to the template text and as numbers', () => {
		const dir = "/tmp/it's here";
		const command = sh`printf '%s|' ${dir}/*.pem x${3}y ${[]} ${[1, 'a b']}`;
		expect(execFileSync('sh', ['-c', command]).toString()).toBe(`${dir}/*.pem|x3y|1|a b|`);
	});

	it('survives two levels (sh -c of a quoted command, as sudo uses it)', () => {
		const inner = sh`printf '%s' ${"it's $x"}`;
		expect(execFileSync('sh', ['-c', sh`sh -c ${inner}`]).toString()).toBe("it's $x");
		expect(execFileSync('sh', ['-c', shJoin([inner, sh`printf '%s' ${'!'}`], '; ')]).toString()).toBe("it's $x!");
	});

	it('leaves plain words readable and refuses NUL', () => {
		expect(shellQuote('/etc/kubernetes/cert/ca.pem')).toBe('/etc/kubernetes/cert/ca.pem');
		expect(shellQuote("it's")).toBe(`'it'\\''s'`);
		expect(() => shellQuote('a\0b')).toThrow(/NUL/);
	});

	it('builds sudo commands that carry no password', () => {
		const withPassword = wrapWithSudo(sh`echo ${'x y'}`, true);
		expect(withPassword.command).toMatch(/^sudo -S -p '\[k8s-master-setup sudo [0-9a-f]{16}\]' -- sh -c /);
		expect(wrapWithSudo(sh`true`, false).command).toMatch(/^sudo -n -- sh -c /);
	});
});
