import {randomBytes} from 'node:crypto';
import {sh, shJoin, type ShellCommand} from './shell.js';

/**
 * How a command runs as root for a non-root login. sudo prints our own prompt (with a
 * random tag) on stderr when it wants the password, and the wrapped shell prints a
 * random success marker on stdout as its first act. So the caller writes the password
 * only when sudo asks for it (never into the command's stdin when sudo did not ask:
 * NOPASSWD rules, cached credentials) and the command's stdin only after the marker.
 * The password travels on stdin alone: never in argv, never in a message.
 */
export interface SudoCommand {
	command: ShellCommand;
	/** What sudo writes on stderr when it reads the password. */
	prompt: string;
	/** The first line on stdout once sudo has let the command run. */
	successMarker: string;
}

export function wrapWithSudo(command: ShellCommand, withPassword: boolean): SudoCommand {
	const tag = randomBytes(8).toString('hex');
	const prompt = `[k8s-master-setup sudo ${tag}]`;
	const successMarker = `k8s-master-setup-sudo-ok-${tag}`;
	// -S: password from stdin, prompt on stderr; -n: fail at once instead of asking.
	const flags = withPassword ? sh`-S -p ${prompt}` : sh`-n`;
	const inner = shJoin([sh`echo ${successMarker}`, command], '; ');
	return {command: shJoin([sh`sudo`, flags, sh`-- sh -c ${inner}`], ' '), prompt, successMarker};
}
