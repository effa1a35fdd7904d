import {execFileSync} from 'node:child_process';
import {describe, expect, it} from 'vitest';
import {shellJoin, shellQuote} from '../../source/remote/shell-quote.js';
import {wrapWithSudo} from '../../source/remote/sudo-command.js';

// Pure, but checked against a real /bin/sh: the quoting must survive the shell that runs it.
describe('shell quoting', () => {
	const nasty = ["it's", '"double"', '$HOME', '`id`', 'a b\tc\nd', '', '*', "'", "''", '\\', '--flag', ';rm -rf /', 'ünïcode'];

	it('round-trips every argument through sh unchanged', () => {
		const script = `printf '%s\\0' ${shellJoin(nasty)}`;
		const output = execFileSync('sh', ['-c', script]).toString();
		expect(output.split('\0').slice(0, -1)).toEqual(nasty);
	});

	it('survives two levels (sh -c of a quoted command, as sudo uses it)', () => {
		const inner = `printf '%s' ${shellQuote("it's $x")}`;
		expect(execFileSync('sh', ['-c', `sh -c ${shellQuote(inner)}`]).toString()).toBe("it's $x");
	});

	it('leaves plain words readable and refuses NUL', () => {
		expect(shellQuote('/etc/kubernetes/cert/ca.pem')).toBe('/etc/kubernetes/cert/ca.pem');
		expect(shellQuote("it's")).toBe(`'it'\\''s'`);
		expect(() => shellQuote('a\0b')).toThrow(/NUL/);
	});

	it('builds sudo commands that carry no password', () => {
		const withPassword = wrapWithSudo("echo 'x'", true);
		expect(withPassword.command).toMatch(/^sudo -S -p '\[k8s-master-setup sudo [0-9a-f]{16}\]' -- sh -c /);
		expect(wrapWithSudo('true', false).command).toMatch(/^sudo -n -- sh -c /);
	});
});
