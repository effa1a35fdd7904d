/**
 * A minimal entry that shows the setup wizard, for the benchmark "startup to the first
 * wizard frame": the same runWizard() the CLI's `init` calls. With `--fake-tty` (the
 * benchmark, which has no terminal to give it) stdin is a stand-in TTY that never
 * types; the benchmark stops it with SIGTERM once the title is on stdout.
 */
import {EventEmitter} from 'node:events';

// React picks its build from NODE_ENV when first imported: production, as in the CLI.
// (The alias keeps esbuild's define, which compiles "production" into the bundled copy, off this line.)
const env = process.env;
env['NODE_ENV'] ??= 'production';
// Loaded as the CLI's init loads it (see importUi).
const {importUi} = await import('../source/cli/shared/import-ui.js');
const {runWizard} = await importUi(() => import('../source/ui/wizard/run-wizard.js'));

const fakeTty = process.argv.includes('--fake-tty');
const stdin = fakeTty
	? (Object.assign(new EventEmitter(), {isTTY: true, setRawMode() {}, setEncoding() {}, resume() {}, pause() {}, ref() {}, unref() {}, read: () => null}) as unknown as NodeJS.ReadStream)
	: process.stdin;
if (fakeTty) Object.assign(process.stdout, {columns: 80, rows: 24});

// Report this process's own numbers at the first frame (wall time is unreliable on a loaded machine).
const write = process.stdout.write.bind(process.stdout);
let reported = false;
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
	if (!reported && String(chunk).includes('new control plane')) {
		reported = true;
		const cpu = process.cpuUsage();
		process.stderr.write(`${JSON.stringify({sinceStartMs: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000})}\n`);
	}
	return write(chunk, ...rest);
}) as typeof process.stdout.write;

const result = await runWizard({stdin, onCancel: () => undefined});
process.exitCode = result === undefined ? 130 : 0;
