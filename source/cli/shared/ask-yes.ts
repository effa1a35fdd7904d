// The one "type yes" question the commands that cannot be undone ask (reset, etcd restore):
// only `y` or `yes` goes on; anything else, an empty line or a closed input is a no, and a
// stop signal while it waits is its own answer (exit 130, nothing changed).
import {createInterface} from 'node:readline/promises';

export async function askYes(question: string, signal: AbortSignal): Promise<'yes' | 'no' | 'interrupted'> {
	const rl = createInterface({input: process.stdin, output: process.stderr});
	try {
		const answer = await rl.question(question, {signal});
		return /^y(es)?$/i.test(answer.trim()) ? 'yes' : 'no';
	} catch {
		return signal.aborted ? 'interrupted' : 'no';
	} finally {
		rl.close();
	}
}
