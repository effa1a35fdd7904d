import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {readChangeJournal} from '../../source/cli/commands/status-action.js';
import {journalFile} from '../../source/state/journal-file.js';
import {JournalWriter} from '../../source/run/journal.js';
import {changeLine, changeStatus} from '../../source/status/change.js';
import {renderPlainTable} from '../../source/status/plain-table.js';
import {buildReport, buildViewModel} from '../../source/status/view-model.js';
import {StatusReportSchema} from '../../source/status/json-schema.js';
import {changeJournal, healthySnapshot} from './status-fixtures.js';

const FILE = '/state/rollout-journal.json';

describe('the unfinished change (status/change.ts)', () => {
	it('no journal: no change', () => {
		expect(changeStatus({file: FILE})).toBeNull();
	});

	it('a run that was killed ("running" left behind): interrupted, the finished nodes, carry it on', () => {
		const change = changeStatus({file: FILE, journal: changeJournal('running')})!;
		expect(change).toEqual({
			state: 'interrupted',
			startedAt: '2026-12-01T10:00:00.000Z',
			release: 'v1.37.2',
			order: ['lab-m1', 'lab-m2', 'lab-m3'],
			nodes: [
				{node: 'lab-m1', finished: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'], done: true, rolledBack: false},
				{node: 'lab-m2', finished: [], done: false, rolledBack: false},
				{node: 'lab-m3', finished: [], done: false, rolledBack: false},
			],
		});
		expect(changeLine(change)).toBe(
			'change: a rolling change to v1.37.2 started 2026-12-01T10:00:00.000Z was interrupted: lab-m1 finished; run apply with this profile to carry it on',
		);
	});

	it('interrupted before any node finished says so', () => {
		const journal = changeJournal('running');
		journal.nodes['lab-m1'].done = false;
		expect(changeLine(changeStatus({file: FILE, journal})!)).toContain('was interrupted before any node finished; run apply');
	});

	it('a run that stopped at a failed node: the rolled-back nodes, fix the profile', () => {
		const change = changeStatus({file: FILE, journal: changeJournal('stopped', {rolledBack: true})})!;
		expect(change.state).toBe('stopped');
		expect(changeLine(change)).toBe(
			'change: a rolling change to v1.37.2 started 2026-12-01T10:00:00.000Z stopped at a failed node (rolled back: lab-m2); fix the profile and run apply again',
		);
	});

	it('an unreadable journal: one line naming the file and why', () => {
		const change = changeStatus({file: FILE, unreadable: 'Unexpected end of JSON input'})!;
		expect(change).toEqual({state: 'unreadable', file: FILE, reason: 'Unexpected end of JSON input'});
		expect(changeLine(change)).toBe(
			`change: ${FILE}, the journal of an unfinished change, cannot be read (Unexpected end of JSON input); the next apply starts the change afresh`,
		);
	});

	it('plain table: the line right below the nodes, wrapped to the width', () => {
		const snap = {...healthySnapshot(), change: changeStatus({file: FILE, journal: changeJournal('running')})};
		const lines = renderPlainTable(buildViewModel(snap), 60).split('\n');
		const at = lines.findIndex((l) => l.startsWith('change: '));
		expect(lines[at - 1]).toBe('');
		expect(lines[at - 2]).toMatch(/^lab-m3 /);
		const wrapped = lines.slice(at, lines.findIndex((l, i) => i > at && !l.startsWith('  ')));
		expect(wrapped.length).toBeGreaterThan(1);
		for (const l of wrapped) expect(l.length).toBeLessThanOrEqual(60);
		expect(wrapped.map((l) => l.trim()).join(' ')).toBe(changeLine(snap.change!));
		expect(renderPlainTable(buildViewModel(healthySnapshot()))).not.toContain('change:');
	});

	it('the report: change null without a journal, the change with one; both valid, the exit code unchanged', () => {
		const none = buildReport(healthySnapshot());
		expect(none.change).toBeNull();
		const withChange = buildReport({...healthySnapshot(), change: changeStatus({file: FILE, journal: changeJournal('stopped', {rolledBack: true})})});
		expect(StatusReportSchema.parse(JSON.parse(JSON.stringify(withChange))).change).toMatchObject({state: 'stopped', release: 'v1.37.2'});
		expect(StatusReportSchema.safeParse(JSON.parse(JSON.stringify(none))).success).toBe(true);
		expect(withChange.health).toEqual(none.health);
		const {change: _dropped, ...withoutField} = none;
		expect(StatusReportSchema.safeParse(withoutField).success).toBe(false);
	});
});

describe('readChangeJournal (status-action.ts): the state dir file, never a throw', () => {
	let dir: string;
	afterEach(() => rmSync(dir, {recursive: true, force: true}));
	const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'status-change-')));

	it('a missing file (or state dir) is no change', () => {
		fresh();
		expect(changeStatus(readChangeJournal(dir))).toBeNull();
		expect(changeStatus(readChangeJournal(join(dir, 'never-made')))).toBeNull();
	});

	it('reads the journal apply writes (JournalWriter through the state dir file)', () => {
		fresh();
		new JournalWriter(journalFile(dir), changeJournal('running'));
		expect(changeStatus(readChangeJournal(dir))).toMatchObject({state: 'interrupted', release: 'v1.37.2', order: ['lab-m1', 'lab-m2', 'lab-m3']});
	});

	it('a file that is not a journal, or a path that cannot be read as a file: unreadable, with the file', () => {
		fresh();
		writeFileSync(join(dir, 'rollout-journal.json'), '{"version": 1, "startedAt"');
		expect(changeStatus(readChangeJournal(dir))).toEqual({state: 'unreadable', file: join(dir, 'rollout-journal.json'), reason: expect.stringMatching(/JSON/)});
		rmSync(join(dir, 'rollout-journal.json'));
		mkdirSync(join(dir, 'rollout-journal.json'));
		expect(changeStatus(readChangeJournal(dir))).toEqual({state: 'unreadable', file: join(dir, 'rollout-journal.json'), reason: expect.stringMatching(/EISDIR/)});
	});
});
