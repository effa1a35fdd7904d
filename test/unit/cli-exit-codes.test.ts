// One exit-code convention for every command (source/exit-codes.ts), through the built CLI:
// 0 ok, 1 a node or component failed, 2 invalid input or refused, 3 degraded (status only,
// which needs a serving control plane: the e2e status suite and status-view-model.test.ts),
// 130 interrupted (cli-signals.test.ts). Each row also names what the output must say, so a
// row cannot pass on an exit code that came for another reason.
import {spawnSync} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {baseProfile, cliPath, ensureBuilt, workspace} from './render/fixtures.js';
import {closedPort} from '../loopback-servers.js';

beforeAll(() => ensureBuilt(), 180_000);

interface Row {
	name: string;
	args: (w: Workspace) => string[];
	code: number;
	says: RegExp;
}
type Workspace = ReturnType<typeof workspace> & {access: string[]};

let ws: Workspace;
let bad: Workspace;
beforeAll(async () => {
	const port = await closedPort();
	// One node whose SSH port is closed: every connect fails at once, nothing leaves loopback.
	const w = workspace(baseProfile({nodes: [{name: 'master1', ip: '198.51.100.1', ssh: {host: '127.0.0.1', port, user: 'root'}}], etcd: {endpoints: ['https://127.0.0.1:2379']}}));
	writeFileSync(join(w.dir, 'known_hosts'), '');
	writeFileSync(join(w.dir, 'ssh_config'), '');
	ws = {...w, access: ['--state-dir', w.stateDir, '--known-hosts', join(w.dir, 'known_hosts'), '--ssh-config', join(w.dir, 'ssh_config')]};
	const b = workspace({...baseProfile(), name: 'Not A Name'});
	bad = {...b, access: ['--state-dir', b.stateDir]};
});

function run(args: string[], cwd: string) {
	const r = spawnSync(process.execPath, [cliPath, ...args], {cwd, encoding: 'utf8', env: {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000});
	return {code: r.status, output: `${r.stdout}${r.stderr}`};
}

const TABLE: Record<string, Row[]> = {
	apply: [
		{name: 'help', args: () => ['apply', '--help'], code: 0, says: /130 interrupted/},
		// Without a terminal and without --yes: the missing profile is said first.
		{name: 'no profile', args: () => ['apply'], code: 2, says: /^error: no profile given/},
		{name: 'no --yes without a terminal', args: (w) => ['apply', '--profile-file', w.file, ...w.access], code: 2, says: /apply needs --yes/},
		{name: 'an invalid profile', args: (w) => ['apply', '--profile-file', bad.file, '--dry-run', ...bad.access, ...w.access.slice(2)], code: 2, says: /invalid profile/},
		{name: 'a bad --concurrency', args: (w) => ['apply', '--profile-file', w.file, '--dry-run', '--concurrency', '0', ...w.access], code: 2, says: /--concurrency must be a whole number of at least 1, not "0"/},
		{name: 'an unknown step', args: (w) => ['apply', '--profile-file', w.file, '--dry-run', '--only', 'nope', ...w.access], code: 2, says: /unknown step "nope"/},
		{name: 'a node that cannot be reached', args: (w) => ['apply', '--profile-file', w.file, '--dry-run', ...w.access], code: 1, says: /master1/},
	],
	render: [
		{name: 'help', args: () => ['render', '--help'], code: 0, says: /130 interrupted/},
		{name: 'no profile and no --out: the profile first', args: () => ['render'], code: 2, says: /^error: no profile given/},
		{name: 'no --out', args: (w) => ['render', '--profile-file', w.file, '--state-dir', w.stateDir], code: 2, says: /render needs --out DIR/},
		{name: 'an invalid profile', args: () => ['render', '--profile-file', bad.file, '--state-dir', bad.stateDir, '--out', join(bad.dir, 'out')], code: 2, says: /invalid profile/},
		{name: 'ok', args: (w) => ['render', '--profile-file', w.file, '--state-dir', w.stateDir, '--out', w.outDir], code: 0, says: /rendered \d+ files/},
	],
	// After render's row: status reads the admin credentials render made.
	status: [
		{name: 'help', args: () => ['status', '--help'], code: 0, says: /3 degraded/},
		{name: 'no profile', args: () => ['status'], code: 2, says: /no profile given/},
		{name: 'a bad --interval', args: (w) => ['status', '--profile-file', w.file, '--interval', 'soon', ...w.access], code: 2, says: /--interval must be a number of at least 0.25 seconds, not "soon"/},
		{name: 'a mistyped option', args: (w) => ['status', '--profile-file', w.file, '--intervall', '3'], code: 2, says: /unknown option '--intervall'\n\(Did you mean --interval\?\)/},
		{name: 'never applied', args: (w) => ['status', '--profile-file', w.file, '--state-dir', join(w.dir, 'none')], code: 2, says: /has not been applied/},
		{name: 'down: no node answers', args: (w) => ['status', '--profile-file', w.file, ...w.access], code: 1, says: /DOWN \(exit 1\)/},
	],
	init: [
		{name: 'help', args: () => ['init', '--help'], code: 0, says: /2 invalid input/},
		{name: 'no terminal', args: () => ['init'], code: 2, says: /needs an interactive terminal(?![^]*--file)/},
		{name: 'no command and no terminal: the wizard', args: () => [], code: 2, says: /needs an interactive terminal/},
		{name: 'an unknown option', args: () => ['init', '--frobnicate'], code: 2, says: /unknown option '--frobnicate'/},
	],
	'(no command)': [
		{name: 'version', args: () => ['--version'], code: 0, says: /\d+\.\d+\.\d+/},
		{name: 'a mistyped command', args: () => ['statsu'], code: 2, says: /^error: unknown command 'statsu'\n\(Did you mean status\?\)/},
	],
};

describe.each(Object.entries(TABLE))('exit codes of %s (built CLI)', (_command, rows) => {
	it.each(rows)('$name: exit $code', (row) => {
		const r = run(row.args(ws), ws.dir);
		expect({code: r.code, says: row.says.test(r.output)}, r.output).toEqual({code: row.code, says: true});
	}, 60_000);
});
