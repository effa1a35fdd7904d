// `encryption rotate`: the phases of a rotation one after another from the journal's, each
// ended by its barrier. The rolling phases (read-enable, write-switch, drop-old) first write
// the state's files for the phase, then converge every apiserver to them through apply's
// rolling change (one node at a time behind the health gate; a node that fails its gate is put
// back to the generation it had, the previous phase's config, which reads every key used for
// writes so far), then check the barrier through each apiserver. The journal moves on only
// after a barrier held, so a re-run after a kill or a failure carries on in the same phase.
import type {StoredCounts} from '../../snapshot/stored-secrets-count.js';
import {StepError} from '../step-error.js';
import {allReadEverywhere, canaryReadsEverywhere, eachWritesWith, plantCanary, type BarrierIo} from './barrier-checks.js';
import {rewriteSecrets, type RewriteCursor, type SecretsApi} from './rewrite-secrets.js';
import {nextPhase, ROTATION_PHASES, rotationJournalJson, storedPrefix, type RotationJournal, type RotationPhase} from './rotation-journal.js';

export interface RotationIo {
	journal: {write(text: string): void; remove(): void};
	/** The state directory's files for the phase (rotation-state.ts writePhaseState). */
	writeState(journal: RotationJournal, phase: RotationPhase): void;
	/** Every apiserver to the state's config of the phase (apply's rolling change). */
	converge(phase: RotationPhase): Promise<{ok: boolean; failedNodes: string[]}>;
	barrier: BarrierIo;
	api: SecretsApi;
	/** How the Secrets are stored in etcd now. */
	count(): Promise<StoredCounts>;
	ratePerSecond: number;
	say(line: string): void;
	/** The rewrite's progress. */
	progress(done: number, total: number | null): void;
	/** The phase starts (the grid's column) and ends. */
	phaseChanged(phase: RotationPhase, state: 'running' | 'passed' | 'failed'): void;
	signal?: AbortSignal;
	now(): Date;
}

export type RotationOutcome =
	| {result: 'finished'; journal: RotationJournal; counts: StoredCounts}
	| {result: 'interrupted'; phase: RotationPhase}
	| {result: 'failed'; phase: RotationPhase; error: StepError; failedNodes: string[]};

const WHAT: Record<RotationPhase, string> = {
	'read-enable': 'every apiserver learns to read the new key (the old one still writes)',
	'write-switch': 'every apiserver writes with the new key (the old one still reads)',
	rewrite: 'every Secret written again, so it is stored with the new key',
	verify: 'etcd holds no Secret under the old key and none in plaintext',
	'drop-old': 'the old key is dropped from every apiserver',
};

export async function rotateEncryption(io: RotationIo, journal: RotationJournal): Promise<RotationOutcome> {
	const save = () => io.journal.write(rotationJournalJson(journal));
	let counts: StoredCounts | undefined;
	for (let phase: RotationPhase | undefined = journal.phase; phase !== undefined; phase = nextPhase(phase)) {
		if (io.signal?.aborted) return {result: 'interrupted', phase};
		journal.phase = phase;
		save();
		io.say(`phase ${ROTATION_PHASES.indexOf(phase) + 1}/${ROTATION_PHASES.length} ${phase}: ${WHAT[phase]}`);
		io.phaseChanged(phase, 'running');
		try {
			const outcome = await runPhase(io, journal, phase, save);
			if (outcome === 'interrupted') return {result: 'interrupted', phase};
			if (outcome !== 'passed') {
				io.phaseChanged(phase, 'failed');
				return {result: 'failed', phase, ...outcome};
			}
			if (phase === 'verify') counts = await io.count();
		} catch (e) {
			io.phaseChanged(phase, 'failed');
			if (io.signal?.aborted) return {result: 'interrupted', phase};
			return {result: 'failed', phase, error: asStepError(e), failedNodes: []};
		}
		journal.passed.push({phase, at: io.now().toISOString()});
		save();
		io.phaseChanged(phase, 'passed');
	}
	io.journal.remove();
	return {result: 'finished', journal, counts: counts ?? (await io.count())};
}

type PhaseOutcome = 'passed' | 'interrupted' | {error: StepError; failedNodes: string[]};

async function runPhase(io: RotationIo, journal: RotationJournal, phase: RotationPhase, save: () => void): Promise<PhaseOutcome> {
	const converge = async (): Promise<PhaseOutcome> => {
		io.writeState(journal, phase);
		const r = await io.converge(phase);
		if (io.signal?.aborted) return 'interrupted';
		if (r.ok) return 'passed';
		const nodes = r.failedNodes.join(', ') || 'a node';
		return {
			error: new StepError(
				`the ${phase} config did not converge: ${nodes} failed (see above)${phase === 'read-enable' ? '; a node that failed its gate was put back to the config it had' : phase === 'drop-old' ? '' : '; a node that failed its gate was put back to the previous phase\'s config, which reads both keys'}`,
				'fix the cause above, then run the same command again: the rotation carries on in this phase',
			),
			failedNodes: r.failedNodes,
		};
	};
	switch (phase) {
		case 'read-enable': {
			if (journal.passed.length === 0) await plantCanary(io.barrier);
			const r = await converge();
			if (r !== 'passed') return r;
			await canaryReadsEverywhere(io.barrier);
			return 'passed';
		}
		case 'write-switch': {
			const r = await converge();
			if (r !== 'passed') return r;
			await eachWritesWith(io.barrier, storedPrefix(journal.to));
			return 'passed';
		}
		case 'rewrite': {
			// The config is write-switch's; written again in case a killed run left another.
			io.writeState(journal, phase);
			const from: RewriteCursor = journal.rewrite ?? {continue: null, done: 0, total: null};
			if (from.continue !== null) io.say(`carrying on with the rewrite after ${from.done} Secrets`);
			const started = performance.now();
			const result = await rewriteSecrets(io.api, from, {
				ratePerSecond: io.ratePerSecond,
				...(io.signal ? {signal: io.signal} : {}),
				say: io.say,
				onPage: (cursor) => {
					journal.rewrite = cursor;
					save();
					io.progress(cursor.done, cursor.total);
				},
			});
			if (result.stopped) return 'interrupted';
			const seconds = (performance.now() - started) / 1000;
			io.say(`rewrote ${result.rewritten} Secrets in ${seconds.toFixed(1)} s (${(result.rewritten / Math.max(seconds, 0.001)).toFixed(0)}/s)${result.skipped ? `, ${result.skipped} deleted meanwhile` : ''}${result.conflicts ? `, ${result.conflicts} still in conflict` : ''}`);
			return 'passed';
		}
		case 'verify': {
			const counts = await io.count();
			const old = counts.byKey.filter((k) => k.provider === journal.from.provider && k.keyName === journal.from.keyName).reduce((n, k) => n + k.count, 0);
			const others = counts.byKey.filter((k) => k.provider !== journal.to.provider || k.keyName !== journal.to.keyName);
			io.say(`etcd holds ${counts.total} Secrets: ${counts.byKey.map((k) => `${k.count} ${k.provider} ${k.keyName}`).join(', ') || 'none encrypted'}, ${counts.plaintext} plaintext`);
			if (old === 0 && counts.plaintext === 0 && others.length === 0 && counts.other === 0) return 'passed';
			// Back to the rewrite, from the start, for the next run.
			journal.phase = 'rewrite';
			delete journal.rewrite;
			save();
			const left = [...others.map((k) => `${k.count} under ${k.provider} ${k.keyName}`), ...(counts.plaintext ? [`${counts.plaintext} in plaintext`] : []), ...(counts.other ? [`${counts.other} unrecognised`] : [])];
			return {
				error: new StepError(`etcd still holds Secrets not under the new key: ${left.join(', ')}; the old key stays in every config`, 'run the same command again: the rewrite runs once more, then the count'),
				failedNodes: [],
			};
		}
		case 'drop-old': {
			const r = await converge();
			if (r !== 'passed') return r;
			await allReadEverywhere(io.barrier);
			return 'passed';
		}
	}
}

function asStepError(e: unknown): StepError {
	if (e instanceof StepError) return e;
	return new StepError(e instanceof Error ? e.message : String(e));
}
