// The one question a command asks before a change (apply, encryption rotate, reset, etcd
// restore): only `y` or `yes` goes on; anything else, an empty line or a closed input is a
// no. Ctrl-C at the question is the command's stop (stop-signals.ts): on a terminal the
// line editor takes the key itself and no SIGINT reaches the process, so its own SIGINT
// event is passed on; the answer is then 'interrupted' (exit 130, nothing changed).
import {createInterface} from 'node:readline/promises';
import type {StopSignals} from './stop-signals.js';

export async function askYes(question: string, stop: StopSignals): Promise<'yes' | 'no' | 'interrupted'> {
	if (stop.signal.aborted) return 'interrupted';
	const rl = createInterface({input: process.stdin, output: process.stderr});
	rl.on('SIGINT', () => stop.stop('Ctrl-C'));
	try {
		const answer = await rl.question(question, {signal: stop.signal});
		return /^y(es)?$/i.test(answer.trim()) ? 'yes' : 'no';
	} catch {
		// Aborted by a stop, or stdin closed before an answer (no answer is no).
		return stop.signal.aborted ? 'interrupted' : 'no';
	} finally {
		rl.close();
	}
}
