// The one signal path of every command: the first SIGINT/SIGTERM (or a key that means the
// same) aborts the returned signal, the second ends the process at once with 130, saying so.
import {afterEach, describe, expect, it} from 'vitest';
import {handleStopSignals, type StopSignals} from '../../source/cli/shared/stop-signals.js';

describe('handleStopSignals', () => {
	let stop: StopSignals | undefined;
	afterEach(() => stop?.dispose());

	it('stops on the first signal and exits 130 on the second', () => {
		const said: string[] = [];
		const exits: number[] = [];
		stop = handleStopSignals({stopping: 'stopping', write: (t) => said.push(t), exit: (c) => exits.push(c)});
		process.emit('SIGTERM', 'SIGTERM');
		expect(stop.signal.aborted).toBe(true);
		expect(exits).toEqual([]);
		expect(said).toEqual(['stopping (SIGTERM again to quit at once)\n']);
		process.emit('SIGINT', 'SIGINT');
		expect(exits).toEqual([130]);
		expect(said[1]).toMatch(/^second SIGINT: quitting now/);
	});

	it('a key asking to stop counts as the first signal, and a signal after it quits', () => {
		const exits: number[] = [];
		stop = handleStopSignals({write: () => undefined, exit: (c) => exits.push(c)});
		stop.stop('q');
		expect(stop.signal.aborted).toBe(true);
		expect(exits).toEqual([]);
		process.emit('SIGTERM', 'SIGTERM');
		expect(exits).toEqual([130]);
	});

	it('no longer answers signals once disposed', () => {
		const exits: number[] = [];
		stop = handleStopSignals({write: () => undefined, exit: (c) => exits.push(c)});
		stop.dispose();
		const keep = () => undefined; // without a listener, SIGINT would end vitest's worker
		process.on('SIGINT', keep);
		process.emit('SIGINT', 'SIGINT');
		process.off('SIGINT', keep);
		expect(stop.signal.aborted).toBe(false);
	});
});
