#!/usr/bin/env node
import {Command, CommanderError} from 'commander';
import {formatError, UserError} from '../errors.js';
import {registerApplyCommand} from './commands/apply.js';
import {registerInitCommand} from './commands/init.js';
import {registerProfilesCommand} from './commands/profiles.js';
import {registerRenderCommand} from './commands/render.js';
import {registerSnapshotCommand} from './commands/snapshot.js';
import {registerEtcdCommand} from './commands/etcd.js';
import {registerEncryptionCommand} from './commands/encryption.js';
import {registerStateCommand} from './commands/state.js';
import {registerResetCommand} from './commands/reset.js';
import {registerStatusCommand} from './commands/status.js';
import {registerCompletionCommand} from './commands/completion.js';
import {packageVersion} from './shared/package-version.js';
import {EXIT, EXIT_CODES_HELP} from '../exit-codes.js';

// React's development build costs twice the CPU in the live grid; ink and react are only
// imported lazily, after this line. (The bundle, dist/k8s-master-setup.mjs, has
// NODE_ENV "production" compiled in; the alias keeps esbuild's define off this assignment.)
const env = process.env;
env['NODE_ENV'] ??= 'production';

// `k8s-master-setup status | head`: a closed pipe ends the output, it is not a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code === 'EPIPE') process.exit(0);
	throw error;
});

/**
 * The CLI entry. Each command lives in ./commands/<name>.ts and registers itself here; its
 * heavy modules (ink, ssh2, ...) are imported inside its action, so `render` and `--help`
 * load only what they use. Exit codes: exit-codes.ts (the same for every command, ending every --help).
 */
/** --verbose: an error's stack trace too. */
let verbose = false;

export function buildProgram(): Command {
	const program = new Command()
		.name('k8s-master-setup')
		.description('Install a highly available Kubernetes control plane (kube-apiserver, kube-controller-manager, kube-scheduler under systemd) onto master nodes over SSH.')
		.version(packageVersion(), '-V, --version', 'print the version of k8s-master-setup')
		.showHelpAfterError('(add --help for usage)')
		.showSuggestionAfterError()
		.exitOverride();
	registerInitCommand(program);
	registerApplyCommand(program);
	registerRenderCommand(program);
	registerStatusCommand(program);
	registerProfilesCommand(program);
	registerSnapshotCommand(program);
	registerEtcdCommand(program);
	registerEncryptionCommand(program);
	registerStateCommand(program);
	registerResetCommand(program);
	registerCompletionCommand(program);
	// The shared output options, for every command that has them (options.ts).
	program.hook('preAction', (_program, action) => {
		const opts = action.opts<{color?: boolean; verbose?: boolean}>();
		if (opts.color === false) process.env['NO_COLOR'] = '1';
		if (opts.verbose) verbose = true;
	});
	program.addHelpText('after', `\n${EXIT_CODES_HELP}`);
	for (const command of program.commands) command.addHelpText('after', `\n${EXIT_CODES_HELP}`);
	return program;
}

/**
 * No command at all (or only options, `k8s-master-setup --save-only`) is the wizard, `init`.
 * Not commander's default command: that one takes a mistyped command (`statsu`) as an
 * argument of `init`, where this way commander says "unknown command" and suggests one.
 */
export function withDefaultCommand(argv: string[]): string[] {
	const first = argv[2];
	const programOptions = ['-h', '--help', '-V', '--version'];
	if (first === undefined || (first.startsWith('-') && !programOptions.includes(first))) return [...argv.slice(0, 2), 'init', ...argv.slice(2)];
	return argv;
}

export async function main(argv: string[]): Promise<number> {
	try {
		await buildProgram().parseAsync(withDefaultCommand(argv));
		// Commands report a node failure (1) through process.exitCode.
		return typeof process.exitCode === 'number' ? process.exitCode : 0;
	} catch (error) {
		if (error instanceof CommanderError) {
			// Help and version exit 0; a usage error (commander printed it) is invalid input.
			return error.exitCode === 0 ? EXIT.ok : EXIT.invalid;
		}
		process.stderr.write(`${formatError(error)}\n`);
		if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
		return error instanceof UserError ? error.exitCode : EXIT.failed;
	}
}

process.exitCode = await main(process.argv);
